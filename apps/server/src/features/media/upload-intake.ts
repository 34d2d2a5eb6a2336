import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { FastifyRequest } from 'fastify';
import type { Scratch } from '../../infra/blobs/scratch.js';
import { AppError } from '../../infra/errors.js';

export interface ReceivedUpload {
  /** The uploaded bytes, a scratch file under a name the server chose; whoever receives it removes it. */
  file: string;
  sizeBytes: number;
  /** As the client named it: shown as a fallback title, never used as a path. */
  clientFileName: string;
  fields: Record<string, string>;
}

const ALLOWED_FIELDS = new Set(['title', 'artist', 'album', 'genre']);

/**
 * Past the limit nothing more is written, but the rest of the body is still read (and dropped)
 * up to this much, so an ordinary client finishes sending and sees the 413 instead of a reset
 * connection. Beyond it the connection is cut.
 */
const DRAIN_ALLOWANCE_BYTES = 64 * 1024 * 1024;

export const uploadTooLarge = (maxBytes: number, closeConnection = false): AppError =>
  new AppError(
    413,
    'PAYLOAD_TOO_LARGE',
    `The file is larger than the ${formatBytes(maxBytes)} upload limit.`,
    closeConnection ? { connection: 'close' } : {},
  );

/**
 * Streams a multipart upload to a scratch file, stopping as soon as it passes `maxBytes` (the
 * limit is enforced while the bytes arrive, not after). Exactly one part named `file`; the text
 * fields are the track's metadata. On any failure the scratch file is gone before this throws.
 */
export async function receiveUpload(
  request: FastifyRequest,
  options: { scratch: Scratch; maxBytes: number },
): Promise<ReceivedUpload> {
  const declared = Number(request.headers['content-length']);
  // Multipart framing adds a little; anything far beyond the limit is refused before reading.
  if (Number.isFinite(declared) && declared > options.maxBytes + 64 * 1024) {
    throw uploadTooLarge(options.maxBytes, declared > options.maxBytes + DRAIN_ALLOWANCE_BYTES);
  }

  const target = options.scratch.file(`upload-${randomUUID()}`);
  const fields: Record<string, string> = {};
  let received: { sizeBytes: number; clientFileName: string } | undefined;
  try {
    const parts = request.parts({
      // The plugin is registered with throwFileSizeLimit: false; the 'limit' handler below decides.
      limits: { fileSize: options.maxBytes, files: 1, fields: 8, fieldSize: 4096, parts: 10, headerPairs: 50 },
    });
    for await (const part of parts) {
      if (part.type === 'file') {
        if (part.fieldname !== 'file') {
          part.file.resume();
          throw new AppError(
            400,
            'BAD_REQUEST',
            `Unexpected file field "${part.fieldname}"; send the audio as "file".`,
          );
        }
        const out = createWriteStream(target, { flags: 'wx', mode: 0o600 });
        // At the limit busboy stops passing file bytes on (nothing more reaches the disk) and
        // marks the stream truncated; the connection is cut only if the client keeps sending.
        let dropped = 0;
        request.raw.on('data', function watchOverflow(chunk: Buffer) {
          if (!part.file.truncated) return;
          dropped += chunk.length;
          if (dropped > DRAIN_ALLOWANCE_BYTES) {
            request.raw.off('data', watchOverflow);
            request.raw.destroy();
          }
        });
        await pipeline(part.file, out);
        if (part.file.truncated) throw uploadTooLarge(options.maxBytes);
        received = { sizeBytes: out.bytesWritten, clientFileName: part.filename ?? '' };
      } else {
        if (!ALLOWED_FIELDS.has(part.fieldname)) {
          throw new AppError(400, 'VALIDATION_FAILED', `body.${part.fieldname} is not allowed.`);
        }
        if (part.valueTruncated) throw new AppError(400, 'VALIDATION_FAILED', `body.${part.fieldname} is too long.`);
        if (part.fieldname in fields) {
          throw new AppError(400, 'VALIDATION_FAILED', `body.${part.fieldname} was sent more than once.`);
        }
        fields[part.fieldname] = String(part.value);
      }
    }
    if (!received) throw new AppError(400, 'VALIDATION_FAILED', 'body.file is required: attach the audio file.');
    return { file: target, ...received, fields };
  } catch (error) {
    await rm(target, { force: true });
    throw translateMultipartError(error, options.maxBytes);
  }
}

/** @fastify/multipart's own errors, in words a person can act on. */
function translateMultipartError(error: unknown, maxBytes: number): unknown {
  const code = (error as { code?: unknown }).code;
  switch (code) {
    case 'FST_REQ_FILE_TOO_LARGE':
      return uploadTooLarge(maxBytes);
    case 'FST_FILES_LIMIT':
      return new AppError(413, 'PAYLOAD_TOO_LARGE', 'Send one file per upload.');
    case 'FST_PARTS_LIMIT':
    case 'FST_FIELDS_LIMIT':
      return new AppError(413, 'PAYLOAD_TOO_LARGE', 'The upload has too many fields.');
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new AppError(415, 'UNSUPPORTED_MEDIA_TYPE', 'Upload the track as multipart/form-data.');
    default:
      return error;
  }
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${+(bytes / 1024 ** 3).toFixed(1)} GB`;
  if (bytes >= 1024 ** 2) return `${+(bytes / 1024 ** 2).toFixed(1)} MB`;
  if (bytes >= 1024) return `${+(bytes / 1024).toFixed(1)} KB`;
  return `${bytes} bytes`;
}
