import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Role, Track, User } from '@veza/shared';
// The server's audio generator: real ffmpeg, as an artist's file would be.
import { makeTone } from '../../../../../server/src/test-support/audio-files.js';
import type { CoreEvent, LibraryTrack, Settings } from '../../../common/contract.js';
import type { TestServer } from '../../../test-support/test-server.js';
import type { ApiClient } from '../../api/api-client.js';
import { openCacheDatabase, type CacheDb } from '../../cache/database.js';
import { FileSecretStore } from '../../session/secret-store.js';
import { accountDir, SessionManager } from '../../session/session-manager.js';
import { defaultSettings } from '../../settings/settings-store.js';
import { LibraryService } from '../library-service.js';

export const LOCAL_MEDIA_BASE = 'http://127.0.0.1:9/local-media/';

export interface LibraryFixture {
  dataDir: string;
  session: SessionManager;
  user: User;
  api: ApiClient;
  db: CacheDb;
  service: LibraryService;
  events: CoreEvent[];
  /** What the service believes about the connection; tests flip it with the server. */
  online: { value: boolean };
  settings: Settings;
  accountDir: string;
  close(): Promise<void>;
}

/** A signed-in account (real sign-in through SessionManager) with its own data dir and cache. */
export async function createLibraryFixture(server: TestServer, role: Role = 'listener'): Promise<LibraryFixture> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'veza-library-'));
  const account = await server.signUp(role);
  const session = new SessionManager(dataDir, new FileSecretStore(path.join(dataDir, 'secrets.json')));
  await session.signIn({ serverUrl: server.url, login: account.user.username, password: account.password });
  const user = account.user;
  const dir = accountDir(dataDir, server.url, user.id);
  const db = openCacheDatabase(path.join(dir, 'cache.sqlite'));
  const api = session.api();
  const events: CoreEvent[] = [];
  const online = { value: true };
  const settings = defaultSettings(dataDir);
  const service = new LibraryService({
    db,
    api,
    tokens: session,
    me: user,
    accountDir: dir,
    settings: () => settings,
    localMediaBase: LOCAL_MEDIA_BASE,
    emit: (event) => events.push(event),
    isOnline: () => online.value,
  });
  service.start();
  return {
    dataDir,
    session,
    user,
    api,
    db,
    service,
    events,
    online,
    settings,
    accountDir: dir,
    async close() {
      await service.stop();
      db.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls the server until processing is over; throws on failure. */
export async function waitUntilReady(api: ApiClient, trackId: string, timeoutMs = 60_000): Promise<Track> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const track = await api.request<Track>('GET', `/api/v1/tracks/${trackId}`);
    if (track.state === 'ready') return track;
    if (track.state === 'failed') throw new Error(`processing failed: ${track.failureReason}`);
    if (Date.now() > deadline) throw new Error('processing took too long');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export interface ToneUpload {
  title: string;
  artist: string;
  album?: string;
  seconds?: number;
  frequency?: number;
}

/** Uploads a generated tone through the service (the real multipart path) and waits for it. */
export async function uploadTone(fixture: LibraryFixture, workDir: string, tone: ToneUpload): Promise<LibraryTrack> {
  const file = await makeTone(workDir, {
    seconds: tone.seconds ?? 3,
    frequency: tone.frequency ?? 440,
    name: `tone-${randomUUID()}`,
  });
  const uploaded = await fixture.service.uploadTrack({
    uploadId: randomUUID(),
    fileName: path.basename(file),
    data: await readFile(file),
    title: tone.title,
    artist: tone.artist,
    album: tone.album,
  });
  await waitUntilReady(fixture.api, uploaded.id);
  return fixture.service.getTrack({ trackId: uploaded.id });
}

export const until = async (check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};
