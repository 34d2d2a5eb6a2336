/** What is wrong with an uploaded file, for the API to branch on; the message is for people. */
export type AudioInputProblem =
  'EMPTY' | 'UNSUPPORTED_FORMAT' | 'UNREADABLE' | 'NO_AUDIO' | 'TRUNCATED' | 'TOO_LONG' | 'NOT_AUDIO_ONLY';

export const SUPPORTED_FORMATS_LABEL = 'MP3, AAC/M4A, FLAC, WAV, Ogg Vorbis/Opus, AIFF';

const MESSAGES: Record<AudioInputProblem, string> = {
  EMPTY: 'This file is empty.',
  UNSUPPORTED_FORMAT: `This file is not a supported audio format (${SUPPORTED_FORMATS_LABEL}).`,
  UNREADABLE: 'This audio file is damaged and could not be read.',
  NO_AUDIO: 'This file has no audio track.',
  TRUNCATED: 'This audio file is incomplete: it stops before its stated length. Was the upload cut short?',
  TOO_LONG: 'This recording is longer than the allowed maximum.',
  NOT_AUDIO_ONLY: 'This file contains video. Upload an audio-only file (embedded cover art is fine).',
};

/** The upload itself is the problem: retrying will not help, telling the uploader will. */
export class AudioInputError extends Error {
  override readonly name = 'AudioInputError';

  constructor(
    readonly problem: AudioInputProblem,
    message: string = MESSAGES[problem],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** ffmpeg or ffprobe cannot be found or does not run: an installation problem, not a file problem. */
export class AudioToolsMissingError extends Error {
  override readonly name = 'AudioToolsMissingError';
}

/** ffmpeg or ffprobe ran and failed. `stderrTail` is the end of its log, for operators. */
export class AudioProcessError extends Error {
  override readonly name: string = 'AudioProcessError';
  /**
   * The end of ffmpeg's output, for debugging. Not enumerable, so loggers that copy an error's
   * fields leave it out: at info level it repeats the upload's tags (comments, lyrics…).
   */
  declare readonly stderrTail: string;

  constructor(
    message: string,
    readonly exitCode: number | null,
    stderrTail: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    Object.defineProperty(this, 'stderrTail', { value: stderrTail, enumerable: false });
  }
}

export class AudioTimeoutError extends AudioProcessError {
  override readonly name = 'AudioTimeoutError';
}

/** The caller's AbortSignal fired; the child process has already exited when this is thrown. */
export class AudioCancelledError extends Error {
  override readonly name = 'AudioCancelledError';
}
