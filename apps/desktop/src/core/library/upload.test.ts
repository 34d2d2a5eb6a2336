import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTone } from '../../../../server/src/test-support/audio-files.js';
import { startTestServer, type TestServer } from '../../test-support/test-server.js';
import { createLibraryFixture, waitUntilReady, type LibraryFixture } from './testing/library-fixture.js';

let server: TestServer;
let artist: LibraryFixture;
let listener: LibraryFixture;
let work: string;

beforeAll(async () => {
  server = await startTestServer();
  artist = await createLibraryFixture(server, 'artist');
  listener = await createLibraryFixture(server, 'listener');
  work = await mkdtemp(path.join(tmpdir(), 'veza-upload-'));
});
afterAll(async () => {
  await artist?.close();
  await listener?.close();
  await server?.close();
  await rm(work, { recursive: true, force: true });
});

describe('uploadTrack', () => {
  it('streams the file with progress events and returns the processing track', async () => {
    const file = await makeTone(work, { seconds: 8, format: 'wav', name: 'progress' });
    const data = await readFile(file);
    const uploadId = randomUUID();
    const track = await artist.service.uploadTrack({
      uploadId,
      fileName: 'Déjà vu "live".wav',
      data,
      title: 'Déjà vu',
      artist: 'Beyoncé',
      album: 'Été',
      genre: 'Pop',
    });
    expect(track).toMatchObject({ title: 'Déjà vu', artist: 'Beyoncé', album: 'Été', genre: 'Pop', downloaded: false });
    expect(['processing', 'ready']).toContain(track.state);
    expect(track.coverSrc).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v1\/tracks\/.+\/cover/);

    const progress = artist.events.flatMap((event) =>
      event.type === 'upload.progress' && event.uploadId === uploadId ? [event] : [],
    );
    expect(progress.length).toBeGreaterThanOrEqual(2);
    const total = progress[0]!.totalBytes;
    expect(total).toBeGreaterThan(data.length);
    expect(progress.every((event) => event.totalBytes === total)).toBe(true);
    expect(progress.at(-1)!.sentBytes).toBe(total);
    const sent = progress.map((event) => event.sentBytes);
    expect([...sent].sort((a, b) => a - b)).toEqual(sent);

    const ready = await waitUntilReady(artist.api, track.id);
    expect(Math.abs(ready.durationMs - 8000)).toBeLessThan(100);
    expect(artist.events.some((event) => event.type === 'library.changed')).toBe(true);
  });

  it('refuses a text file named .mp3 with the server’s INVALID_AUDIO message', async () => {
    const error = await artist.service
      .uploadTrack({
        uploadId: randomUUID(),
        fileName: 'not-audio.mp3',
        data: new TextEncoder().encode('This is not audio at all, just words.\n'.repeat(100)),
        title: 'Fake',
      })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'INVALID_AUDIO' });
    expect((error as Error).message.length).toBeGreaterThan(10);
    expect((error as Error).message).not.toMatch(/HTTP \d+/);
  });

  it('passes the server’s FORBIDDEN on to a listener', async () => {
    const file = await makeTone(work, { seconds: 1, name: 'forbidden' });
    await expect(
      listener.service.uploadTrack({ uploadId: randomUUID(), fileName: 'x.mp3', data: await readFile(file) }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('says OFFLINE when the server is down', async () => {
    await server.stop();
    try {
      await expect(
        artist.service.uploadTrack({ uploadId: randomUUID(), fileName: 'x.mp3', data: new Uint8Array(10) }),
      ).rejects.toMatchObject({ code: 'OFFLINE' });
    } finally {
      await server.restart();
    }
  });
});
