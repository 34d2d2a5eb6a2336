import { describe, expect, it } from 'vitest';
import type { PlayEvent } from '../../../common/contract.js';
import { PlayTracker, PROGRESS_EVERY_MS } from './play-tracker.js';

function setup() {
  const events: PlayEvent[] = [];
  let n = 0;
  const tracker = new PlayTracker({
    send: (e) => events.push(e),
    now: () => new Date(Date.UTC(2025, 0, 1)),
    newId: () => `00000000-0000-4000-8000-00000000000${n++}`,
  });
  return { events, tracker };
}

describe('PlayTracker', () => {
  it('reports start, progress every 15 s of listening, and end', () => {
    const { events, tracker } = setup();
    tracker.start('t', 'stream');
    for (let ms = 250; ms <= 31_000; ms += 250) tracker.update(ms, true);
    tracker.end();
    expect(events.map((e) => e.type)).toEqual(['play.started', 'play.progress', 'play.progress', 'play.ended']);
    expect(events[1]?.listenedMs).toBe(PROGRESS_EVERY_MS);
    expect(events[3]).toMatchObject({ trackId: 't', positionMs: 31_000, listenedMs: 31_000, source: 'stream' });
    expect(new Set(events.map((e) => e.playId)).size).toBe(1);
    expect(events[0]?.occurredAt).toBe('2025-01-01T00:00:00.000Z');
  });

  it('does not count seeks or paused time as listening', () => {
    const { events, tracker } = setup();
    tracker.start('t', 'offline');
    tracker.update(1000, true);
    tracker.update(60_000, true); // seek forward
    tracker.update(61_000, false); // moved while paused
    tracker.update(62_000, true);
    tracker.end();
    expect(events.at(-1)).toMatchObject({ type: 'play.ended', listenedMs: 2000, positionMs: 62_000 });
  });

  it('ends the previous play when a new one starts, with a new id', () => {
    const { events, tracker } = setup();
    tracker.start('a', 'stream');
    tracker.start('b', 'stream');
    expect(events.map((e) => `${e.type}:${e.trackId}`)).toEqual(['play.started:a', 'play.ended:a', 'play.started:b']);
    expect(events[0]?.playId).not.toBe(events[2]?.playId);
    tracker.end();
    tracker.end();
    expect(events).toHaveLength(4);
  });
});
