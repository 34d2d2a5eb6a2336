import { AudioInputError } from './errors.js';
import { classifyFormat, isAllowedContainer, type AudioFormat } from './formats.js';

export interface AudioTags {
  title?: string;
  artist?: string;
  album?: string;
  genre?: string;
  date?: string;
  trackNumber?: string;
}

export interface AudioProbe {
  format: AudioFormat;
  /** The demuxer every later read of this file forces with `-f`. */
  demuxer: string;
  codec: string;
  durationMs: number;
  channels: number;
  sampleRate: number;
  bitRate: number | null;
  tags: AudioTags;
  hasCoverArt: boolean;
  sizeBytes: number;
}

/** What ffprobe's JSON says, before the duration has been settled. */
export type ProbeFacts = Omit<AudioProbe, 'durationMs' | 'sizeBytes'> & { durationMs: number | null };

interface FfprobeStream {
  codec_type?: string;
  codec_name?: string;
  sample_rate?: string;
  channels?: number;
  duration?: string;
  bit_rate?: string;
  disposition?: { attached_pic?: number };
  tags?: Record<string, string>;
}

interface FfprobeOutput {
  format?: { format_name?: string; duration?: string; bit_rate?: string; tags?: Record<string, string> };
  streams?: FfprobeStream[];
}

const TAG_KEYS: Record<string, keyof AudioTags> = {
  title: 'title',
  artist: 'artist',
  album: 'album',
  genre: 'genre',
  date: 'date',
  year: 'date',
  track: 'trackNumber',
  tracknumber: 'trackNumber',
};
/** Embedded pictures we are willing to decode; anything more exotic is ignored rather than decoded. */
const COVER_CODECS = ['mjpeg', 'png'];
/** Tags are user text headed for a database and a UI; a 1 MB "title" is not a title. */
const MAX_TAG_LENGTH = 256;

/** Applies the allow-list and the audio-only rule to ffprobe's `-show_format -show_streams` JSON. */
export function interpretProbe(output: unknown): ProbeFacts {
  const { format = {}, streams = [] } = (output ?? {}) as FfprobeOutput;
  const formatName = format.format_name ?? '';
  if (!isAllowedContainer(formatName)) throw new AudioInputError('UNSUPPORTED_FORMAT');
  if (streams.some((stream) => stream.codec_type === 'video' && stream.disposition?.attached_pic !== 1)) {
    throw new AudioInputError('NOT_AUDIO_ONLY');
  }
  const audio = streams.find((stream) => stream.codec_type === 'audio');
  if (!audio) throw new AudioInputError('NO_AUDIO');
  const codec = audio.codec_name ?? '';
  const match = classifyFormat(formatName, codec);
  if (!match) throw new AudioInputError('UNSUPPORTED_FORMAT');
  const sampleRate = toPositiveInt(audio.sample_rate);
  const channels = toPositiveInt(audio.channels);
  if (sampleRate === null || channels === null) throw new AudioInputError('UNREADABLE');
  const seconds = toPositiveNumber(audio.duration) ?? toPositiveNumber(format.duration);
  return {
    ...match,
    codec,
    durationMs: seconds === null ? null : Math.round(seconds * 1000),
    channels,
    sampleRate,
    bitRate: toPositiveInt(audio.bit_rate) ?? toPositiveInt(format.bit_rate),
    // Ogg keeps its comments on the stream, most other containers on the format.
    tags: readTags({ ...format.tags, ...audio.tags }),
    hasCoverArt: streams.some(
      (stream) => stream.codec_type === 'video' && COVER_CODECS.includes(stream.codec_name ?? ''),
    ),
  };
}

export function readTags(raw: Record<string, string>): AudioTags {
  const tags: AudioTags = {};
  for (const [key, value] of Object.entries(raw)) {
    const field = TAG_KEYS[key.toLowerCase()];
    const clean = String(value)
      .replace(/\p{Cc}+/gu, ' ')
      .trim();
    if (field && clean && tags[field] === undefined) tags[field] = [...clean].slice(0, MAX_TAG_LENGTH).join('');
  }
  return tags;
}

function toPositiveNumber(value: string | number | undefined): number | null {
  const number = Number(value);
  return value !== undefined && Number.isFinite(number) && number > 0 ? number : null;
}

function toPositiveInt(value: string | number | undefined): number | null {
  const number = toPositiveNumber(value);
  return number === null ? null : Math.round(number);
}

/** "1 h 05 min", "3 min 20 s": for messages people read. */
export function formatDuration(ms: number): string {
  const totalSeconds = Math.round(ms / 1000);
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (hours > 0) return minutes > 0 ? `${hours} h ${String(minutes).padStart(2, '0')} min` : `${hours} h`;
  if (minutes > 0) return seconds > 0 ? `${minutes} min ${seconds} s` : `${minutes} min`;
  return `${seconds} s`;
}
