import type { PlayEvent } from '../../../common/contract.js';

/**
 * Turns playback progress into listening reports: play.started when a track starts, play.progress
 * every PROGRESS_EVERY_MS of listening, play.ended when it finishes or is replaced. `listenedMs`
 * only counts time actually played (a seek is not listening). Pure: clock, ids and the sink are
 * injected, so it is unit-tested without a browser.
 */
export const PROGRESS_EVERY_MS = 15_000;
/** A position jump larger than this between two updates is a seek, not listening. */
const MAX_STEP_MS = 2_000;
const MAX_MS = 24 * 60 * 60 * 1000;

export interface PlayTrackerDeps {
  send(event: PlayEvent): void;
  now(): Date;
  newId(): string;
}

interface ActivePlay {
  playId: string;
  trackId: string;
  source: 'stream' | 'offline';
  positionMs: number;
  listenedMs: number;
  lastReportedMs: number;
}

export class PlayTracker {
  private play: ActivePlay | null = null;

  constructor(private readonly deps: PlayTrackerDeps) {}

  get active(): boolean {
    return this.play !== null;
  }

  start(trackId: string, source: 'stream' | 'offline', positionMs = 0): void {
    this.end();
    this.play = {
      playId: this.deps.newId(),
      trackId,
      source,
      positionMs: clampMs(positionMs),
      listenedMs: 0,
      lastReportedMs: 0,
    };
    this.emit('play.started');
  }

  /** Called on every time update; `playing` false means the position moved while paused (a seek). */
  update(positionMs: number, playing: boolean): void {
    const play = this.play;
    if (!play) return;
    const position = clampMs(positionMs);
    const step = position - play.positionMs;
    if (playing && step > 0 && step <= MAX_STEP_MS) play.listenedMs = clampMs(play.listenedMs + step);
    play.positionMs = position;
    if (play.listenedMs - play.lastReportedMs >= PROGRESS_EVERY_MS) {
      play.lastReportedMs = play.listenedMs;
      this.emit('play.progress');
    }
  }

  /** Ends the current play (track finished, skipped or stopped). */
  end(positionMs?: number): void {
    if (!this.play) return;
    if (positionMs !== undefined) this.play.positionMs = clampMs(positionMs);
    this.emit('play.ended');
    this.play = null;
  }

  private emit(type: PlayEvent['type']): void {
    const play = this.play;
    if (!play) return;
    this.deps.send({
      type,
      playId: play.playId,
      trackId: play.trackId,
      positionMs: Math.round(play.positionMs),
      listenedMs: Math.round(play.listenedMs),
      occurredAt: this.deps.now().toISOString(),
      source: play.source,
    });
  }
}

function clampMs(ms: number): number {
  return Number.isFinite(ms) ? Math.max(0, Math.min(MAX_MS, ms)) : 0;
}
