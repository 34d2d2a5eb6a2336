import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { CoreEvent } from '../../common/contract.js';
import { trackNotices } from './track-notices.js';

describe('track notices', () => {
  it('passes every notice on, and re-reads a track only once it stops processing', () => {
    const events: CoreEvent[] = [];
    const settled: string[] = [];
    const domain = trackNotices(
      (event) => events.push(event),
      (trackId) => settled.push(trackId),
    );
    expect(domain.frames).toEqual(['track']);
    const trackId = randomUUID();
    domain.onFrame({ type: 'track', trackId, state: 'processing', percent: 40 });
    expect(settled).toEqual([]);
    domain.onFrame({ type: 'track', trackId, state: 'failed', percent: 100, failureReason: 'Not audio.' });
    domain.onFrame({ type: 'track', trackId, state: 'ready', percent: 100 });
    expect(settled).toEqual([trackId, trackId]);
    expect(events).toEqual([
      { type: 'track.processing', trackId, state: 'processing', percent: 40, failureReason: null },
      { type: 'track.processing', trackId, state: 'failed', percent: 100, failureReason: 'Not audio.' },
      { type: 'track.processing', trackId, state: 'ready', percent: 100, failureReason: null },
    ]);
  });
});
