import { stat } from 'node:fs/promises';
import { DEMO_PIECES, synthesizeDemoPiece, type AudioTools } from '@veza/audio';
import { ROLE_PERMISSIONS } from '@veza/shared';
import type { Db } from '../infra/db/db.js';
import type { Logger } from '../infra/logger.js';
import type { MediaService } from '../features/media/service.js';

/**
 * Fills a fresh demo library: each demo piece is synthesised with ffmpeg and uploaded through
 * the same path as an artist's file (probe, checks, durable processing job), owned by the demo
 * artist. Runs in the background after the server is listening; `signal` stops it at shutdown.
 */
export async function seedDemoTracks(deps: {
  db: Db;
  logger: Logger;
  media: MediaService;
  tools: AudioTools;
  signal: AbortSignal;
}): Promise<number> {
  const { rows } = await deps.db.query<{ id: string; username: string }>(
    `SELECT id, username FROM users WHERE username = 'demo-artist'`,
  );
  const owner = rows[0];
  if (!owner) return 0;
  const { rows: existing } = await deps.db.query<{ n: string }>(
    'SELECT count(*) AS n FROM tracks WHERE owner_id = $1',
    [owner.id],
  );
  if (Number(existing[0]!.n) > 0) return 0;

  const actor = { id: owner.id, username: owner.username, permissions: new Set(ROLE_PERMISSIONS.artist) };
  let created = 0;
  for (const piece of DEMO_PIECES) {
    if (deps.signal.aborted) break;
    const file = deps.media.scratch.file(`demo-${piece.slug}.flac`);
    await synthesizeDemoPiece(piece, file, { tools: deps.tools, signal: deps.signal, timeoutMs: 120_000 });
    await deps.media.createTrack(
      actor,
      { file, sizeBytes: (await stat(file)).size, clientFileName: `${piece.slug}.flac`, fields: {} },
      { coverColor: piece.coverColor },
    );
    created += 1;
  }
  deps.logger.info({ tracks: created }, 'demo tracks uploaded; they are being processed');
  return created;
}
