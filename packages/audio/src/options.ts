import { type AudioTools } from './tools.js';

/** Common options for every call that spawns ffmpeg or ffprobe. */
export interface RunOptions {
  tools: AudioTools;
  /** Wall-clock limit for each child process the call starts; every call has a default sized to its work. */
  timeoutMs?: number;
  /** Aborting kills the child and rejects with AudioCancelledError once it has exited. */
  signal?: AbortSignal;
}

/**
 * Defaults assume the slowest realistic machine is still several times faster than realtime, so a
 * process that takes longer than this is stuck (or fed a file whose header lies about its length).
 */
export function timeoutFor(durationMs: number, fixedMs: number, realtimeSpeed: number): number {
  return Math.round(fixedMs + durationMs / realtimeSpeed);
}
