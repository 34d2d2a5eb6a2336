import { open, stat } from 'node:fs/promises';
import { decodeCheckArgs } from './args/decode-check.js';
import { durationScanArgs, probeArgs } from './args/probe.js';
import { AudioInputError, AudioProcessError, AudioTimeoutError } from './errors.js';
import { timeoutFor, type RunOptions } from './options.js';
import { formatDuration, interpretProbe, type AudioProbe } from './probe-result.js';
import { lastOutTimeMs } from './progress.js';
import { runProcess, type ProcessResult } from './runner.js';
import { looksLikeAudioContainer } from './sniff.js';
import { declaredWavDurationMs } from './wav-header.js';

export const DEFAULT_MAX_DURATION_MS = 2 * 60 * 60 * 1000;
const HEADER_BYTES = 64 * 1024;
const PROBE_TIMEOUT_MS = 30_000;

/**
 * Identifies an upload and checks it against the allow-list. ffprobe only ever sees the file through the
 * demuxer whitelist, so a playlist or concat list posing as audio is refused before it is parsed.
 */
export async function probe(file: string, options: RunOptions & { maxDurationMs?: number }): Promise<AudioProbe> {
  const info = await stat(file).catch((error: unknown) => {
    throw new AudioInputError('UNREADABLE', undefined, { cause: error });
  });
  if (!info.isFile()) throw new AudioInputError('UNREADABLE');
  if (info.size === 0) throw new AudioInputError('EMPTY');
  const header = await readHeader(file);

  const probed = await runProbe(file, header, options);
  const facts = interpretProbe(parseJson(probed.stdout));

  let durationMs = facts.durationMs;
  if (facts.demuxer === 'wav') durationMs = declaredWavDurationMs(header) ?? durationMs;
  else if (durationMs === null || probed.stderrTail.includes('Estimating duration from bitrate')) {
    durationMs = await measureDuration(file, facts.demuxer, options, info.size);
  }
  if (durationMs === null || durationMs <= 0) throw new AudioInputError('UNREADABLE');
  durationMs = Math.round(durationMs);

  const maxDurationMs = options.maxDurationMs ?? DEFAULT_MAX_DURATION_MS;
  if (durationMs > maxDurationMs) {
    throw new AudioInputError(
      'TOO_LONG',
      `This recording is ${formatDuration(durationMs)} long; the limit is ${formatDuration(maxDurationMs)}.`,
    );
  }
  return { ...facts, durationMs, sizeBytes: info.size };
}

/** ffprobe's JSON and log; a refusal is the file's problem, worded by what the file looks like. */
async function runProbe(file: string, header: Uint8Array, options: RunOptions): Promise<ProcessResult> {
  try {
    return await runProcess({
      command: options.tools.ffprobe,
      args: probeArgs(file),
      timeoutMs: options.timeoutMs ?? PROBE_TIMEOUT_MS,
      signal: options.signal,
    });
  } catch (error) {
    if (!isFileFailure(error)) throw error;
    const damaged = looksLikeAudioContainer(header) && !error.stderrTail.includes('not on whitelist');
    throw new AudioInputError(damaged ? 'UNREADABLE' : 'UNSUPPORTED_FORMAT', undefined, { cause: error });
  }
}

async function readHeader(file: string): Promise<Uint8Array> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(HEADER_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, HEADER_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** ffmpeg failing on a file is the file's fault; running out of time or being cancelled is not. */
function isFileFailure(error: unknown): error is AudioProcessError {
  return error instanceof AudioProcessError && !(error instanceof AudioTimeoutError);
}

function rethrowAsUnreadable(error: unknown): never {
  if (isFileFailure(error)) throw new AudioInputError('UNREADABLE', undefined, { cause: error });
  throw error;
}

function parseJson(stdout: Buffer): unknown {
  try {
    return JSON.parse(stdout.toString('utf8'));
  } catch (error) {
    throw new AudioInputError('UNREADABLE', undefined, { cause: error });
  }
}

/** Streams without a length in their header (ADTS AAC, MP3 without a Xing frame): count what is there. */
async function measureDuration(
  file: string,
  demuxer: string,
  options: RunOptions,
  sizeBytes: number,
): Promise<number | null> {
  // Demuxing runs at hundreds of MB/s; budget by size (20 MB/s) because the duration is what we do not know.
  const result = await runProcess({
    command: options.tools.ffmpeg,
    args: durationScanArgs(file, demuxer),
    timeoutMs: options.timeoutMs ?? PROBE_TIMEOUT_MS + sizeBytes / 20_000,
    signal: options.signal,
  }).catch(rethrowAsUnreadable);
  return lastOutTimeMs(result.stdout.toString('latin1'));
}

/** Decode failures tolerated before a file counts as damaged: a broken frame at a cut point is common. */
const TOLERATED_DECODE_ERRORS = 2;

/**
 * Decodes the whole first audio stream with the probed demuxer forced. Catches uploads that stop early
 * (TRUNCATED: more than max(1 s, 5 %) short of the declared length) or do not decode (UNREADABLE).
 */
export async function verifyDecodes(
  file: string,
  probed: AudioProbe,
  options: RunOptions,
): Promise<{ decodedMs: number }> {
  const result = await runProcess({
    command: options.tools.ffmpeg,
    args: decodeCheckArgs(file, probed.demuxer),
    timeoutMs: options.timeoutMs ?? timeoutFor(probed.durationMs, PROBE_TIMEOUT_MS, 10),
    signal: options.signal,
  }).catch(rethrowAsUnreadable);
  // Errors first: a cut file fails once, at its end; damage throughout fails many times and also
  // loses frames, and is better described as damaged than as short.
  if (countDecodeErrors(result.stderrTail) > TOLERATED_DECODE_ERRORS) throw new AudioInputError('UNREADABLE');
  const decodedMs = Math.round(lastOutTimeMs(result.stdout.toString('latin1')) ?? 0);
  const toleranceMs = Math.max(1000, probed.durationMs * 0.05);
  if (decodedMs < probed.durationMs - toleranceMs) {
    throw new AudioInputError(
      'TRUNCATED',
      `This audio file is incomplete: it stops after ${formatDuration(decodedMs)} of its stated ` +
        `${formatDuration(probed.durationMs)}. Was the upload cut short?`,
    );
  }
  return { decodedMs };
}

/** ffmpeg 5/6 log "Error while decoding stream", 7 logs "Decoding error"; at -loglevel error nothing else counts. */
export function countDecodeErrors(log: string): number {
  return log.split('\n').filter((line) => /error while decoding|decoding error/i.test(line)).length;
}
