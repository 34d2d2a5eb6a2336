import path from 'node:path';
import {
  GENRE_MAX_LENGTH,
  TRACK_FIELD_MAX_LENGTH,
  TRACK_TITLE_MAX_LENGTH,
  TrackUploadFieldsSchema,
  type TrackUploadFields,
} from '@veza/shared';
import { compileBodyValidator } from '../../http/validation.js';
import { AppError } from '../../infra/errors.js';

export interface TrackMetadata {
  title: string;
  artist: string;
  album: string | null;
  genre: string | null;
}

interface FileTags {
  title?: string;
  artist?: string;
  album?: string;
  genre?: string;
}

const validateFields = compileBodyValidator(TrackUploadFieldsSchema);

/** The upload's text fields, checked like a JSON body would be. */
export function parseUploadFields(fields: Record<string, string>): TrackUploadFields {
  const problem = validateFields(fields);
  if (problem) throw new AppError(400, 'VALIDATION_FAILED', problem);
  return fields as TrackUploadFields;
}

/**
 * What the uploader typed wins; tags from the file fill the rest; then the file's name for the
 * title and the uploader for the artist. Tags are untrusted text: cleaned and cut to the limits
 * the fields have, and dropped when nothing printable is left.
 */
export function resolveMetadata(
  fields: TrackUploadFields,
  tags: FileTags,
  clientFileName: string,
  uploaderName: string,
): TrackMetadata {
  // Typed fields are trimmed, as an edit's are; the schema already refused blank ones.
  return {
    title:
      fields.title?.trim() ??
      cleanTag(tags.title, TRACK_TITLE_MAX_LENGTH) ??
      titleFromFileName(clientFileName) ??
      'Untitled',
    artist: fields.artist?.trim() ?? cleanTag(tags.artist, TRACK_FIELD_MAX_LENGTH) ?? uploaderName,
    album: fields.album?.trim() ?? cleanTag(tags.album, TRACK_FIELD_MAX_LENGTH) ?? null,
    genre: fields.genre?.trim() ?? cleanTag(tags.genre, GENRE_MAX_LENGTH) ?? null,
  };
}

// Control characters (C0, DEL, C1), lone surrogates and the BOM: what tag editors leave behind.
const UNPRINTABLE =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u001f\u007f-\u009f\ufeff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function cleanTag(value: string | undefined, maxLength: number): string | undefined {
  if (value === undefined) return undefined;
  const cleaned = value.replace(UNPRINTABLE, ' ').replace(/\s+/g, ' ').trim();
  if (cleaned === '') return undefined;
  // Cut on code points, so a surrogate pair is never split.
  return Array.from(cleaned).slice(0, maxLength).join('').trim();
}

function titleFromFileName(name: string): string | undefined {
  const base = path.basename(name.replace(/\\/g, '/'));
  const stem = base.includes('.') ? base.slice(0, base.lastIndexOf('.')) : base;
  return cleanTag(stem.replace(/[_]+/g, ' '), TRACK_TITLE_MAX_LENGTH);
}

/** A stable, pleasant colour per track for its placeholder cover and the space before art loads. */
export function coverColorFor(trackId: string): string {
  let hash = 0;
  for (const char of trackId) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return hslToHex(hash % 360, 0.55, 0.45);
}

function hslToHex(hue: number, saturation: number, lightness: number): string {
  const a = saturation * Math.min(lightness, 1 - lightness);
  const channel = (n: number): string => {
    const k = (n + hue / 30) % 12;
    const value = lightness - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(value * 255)
      .toString(16)
      .padStart(2, '0');
  };
  return `#${channel(0)}${channel(8)}${channel(4)}`;
}
