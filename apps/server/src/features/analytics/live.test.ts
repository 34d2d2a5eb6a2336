import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveTiles } from '@veza/shared';
import { ManualClock } from '../../infra/clock.js';
import { createTestApp, signUp, type TestApp } from '../../test-support/app.js';
import { connectSynced, createRoom, sendMessage, wsUrl } from '../../test-support/chat.js';
import { call, insertTrack } from '../../test-support/tracks.js';
import { waitFor } from '../../test-support/wait-for.js';

/*
 * The live tiles on their own app and clock: who is online (presence, over real sockets), rooms
 * with recent messages, messages in the last full minute, players reporting in the last minute,
 * and the per-minute rows pruned once no tile reads them.
 */

// 10 s into a minute, so the messages below all fall in one minute.
const clock = new ManualClock(new Date('2026-03-04T12:00:10Z'));
let t: TestApp;
let moderator: string;
beforeAll(async () => {
  t = await createTestApp({ clock });
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  moderator = (await signUp(t, 'moderator')).accessToken;
});
afterAll(async () => {
  await t.close();
});

async function live(): Promise<LiveTiles> {
  const response = await call(t, moderator, 'GET', '/analytics/live');
  expect(response.statusCode, response.body).toBe(200);
  return response.json<LiveTiles>();
}

describe('live tiles', () => {
  it('count users online, active rooms, messages per minute and tracks playing, then forget them', async () => {
    expect(await live()).toEqual({
      usersOnline: 0,
      activeRooms: 0,
      messagesPerMinute: 0,
      tracksPlaying: 0,
      liveListeners: null,
      at: '2026-03-04T12:00:10.000Z',
    });
    const ada = await signUp(t);
    const bob = await signUp(t, 'artist');
    const jazz = await createRoom(t, ada.accessToken);
    const rock = await createRoom(t, bob.accessToken);
    const adaSocket = await connectSynced(wsUrl(t), ada.accessToken, { [jazz.id]: 0 });
    const bobSocket = await connectSynced(wsUrl(t), bob.accessToken, { [rock.id]: 0 });
    await waitFor(async () => (await live()).usersOnline === 2, { what: 'two users online' });
    for (const body of ['a', 'b', 'c']) await sendMessage(adaSocket, jazz.id, body);
    await sendMessage(bobSocket, rock.id, 'd');
    const track = await insertTrack(t, { ownerId: bob.user.id });
    const report = await call(t, ada.accessToken, 'POST', '/plays', {
      events: [
        {
          type: 'play.progress',
          playId: randomUUID(),
          trackId: track,
          positionMs: 5_000,
          listenedMs: 5_000,
          occurredAt: clock.now().toISOString(),
        },
      ],
    });
    expect(report.statusCode, report.body).toBe(200);
    // The current minute is not over: its messages are not a full minute's yet.
    expect(await live()).toMatchObject({ usersOnline: 2, activeRooms: 2, messagesPerMinute: 0, tracksPlaying: 1 });
    adaSocket.close();
    bobSocket.close();
    await waitFor(async () => (await live()).usersOnline === 0, { what: 'nobody online' });

    clock.advance(50_000); // 12:01:00: the minute of the messages is the last full one
    expect(await live()).toMatchObject({ activeRooms: 2, messagesPerMinute: 4, tracksPlaying: 1 });
    clock.advance(60_000); // 12:02:00, more than a minute after the play report
    expect(await live()).toMatchObject({ activeRooms: 2, messagesPerMinute: 0, tracksPlaying: 0 });
    clock.advance(4 * 60_000); // 12:06:00: 12:00 is no longer among the last five minutes
    expect(await live()).toMatchObject({ activeRooms: 0, messagesPerMinute: 0, tracksPlaying: 0 });

    clock.advance(6 * 60_000); // the pruning timer has run with 12:00 more than ten minutes old
    await waitFor(
      async () => {
        const { rows } = await t.database.db.query<{ minutes: number; playing: number }>(
          `SELECT (SELECT count(*)::int FROM analytics_room_minutes) AS minutes,
                  (SELECT count(*)::int FROM analytics_now_playing) AS playing`,
        );
        return rows[0]!.minutes === 0 && rows[0]!.playing === 0;
      },
      { what: 'per-minute rows pruned' },
    );
  });
});
