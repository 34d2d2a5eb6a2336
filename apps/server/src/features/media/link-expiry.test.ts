import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StreamGrant } from '@veza/shared';
import { ManualClock } from '../../infra/clock.js';
import { bearer, createTestApp, signUp, type TestApp } from '../../test-support/app.js';
import { makeTone } from '../../test-support/audio-files.js';
import { baseUrl, localize, uploadTrack, waitForState } from '../../test-support/media.js';

/*
 * A link that worked (and whose signature the server now remembers) stops working when it
 * expires: remembering a checked signature must not outlive the link.
 */

const clock = new ManualClock(new Date());
let t: TestApp;
let dir: string;

beforeAll(async () => {
  t = await createTestApp({ clock });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  dir = await mkdtemp(path.join(tmpdir(), 'veza-expiry-'));
});

afterAll(async () => {
  await t?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('link expiry', () => {
  it('refuses a link past its expiry even right after serving it', async () => {
    const artist = await signUp(t, 'artist');
    const track = await uploadTrack(t, artist.accessToken, await makeTone(dir, { seconds: 2, format: 'mp3' }));
    await waitForState(t, track.id, 'ready');
    const response = await fetch(`${baseUrl(t)}/api/v1/tracks/${track.id}/stream`, {
      headers: bearer(artist.accessToken),
    });
    const grant = (await response.json()) as StreamGrant;
    const url = localize(t, grant.url);
    expect((await fetch(url)).status).toBe(200);
    expect((await fetch(url.replace(/master\.m3u8$/, '64k/index.m3u8'))).status).toBe(200);

    clock.advance(Date.parse(grant.expiresAt) - clock.now().getTime() + 1000);
    const expired = await fetch(url);
    expect(expired.status).toBe(403);
    expect(((await expired.json()) as { error: { message: string } }).error.message).toMatch(/expired/);
  });
});
