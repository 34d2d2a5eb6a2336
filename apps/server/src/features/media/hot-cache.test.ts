import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HotCache, type CachedBlob } from './hot-cache.js';

const blob = (bytes: number, tag = 'x'): CachedBlob => ({ data: Buffer.alloc(bytes, tag), etag: `"${tag}-${bytes}"` });

/** Which of `candidates` are cached, in the order given (each probe refreshes that key's recency). */
function keysOf(cache: HotCache, candidates: string[]): string[] {
  return candidates.filter((key) => cache.get(key) !== undefined);
}

describe('HotCache', () => {
  it('returns what was stored, the same buffer and etag', () => {
    const cache = new HotCache(1_000, 500);
    const entry = blob(10, 'a');
    cache.set('tracks/a/seg1.m4s', entry);
    expect(cache.get('tracks/a/seg1.m4s')).toBe(entry);
    expect(cache.get('tracks/a/seg2.m4s')).toBeUndefined();
    expect(cache.size).toEqual({ entries: 1, bytes: 10 });
    expect(cache.maxEntryBytes).toBe(500);
  });

  it('evicts the least recently stored entries once the bytes exceed the limit', () => {
    const cache = new HotCache(100, 100);
    cache.set('a', blob(40));
    cache.set('b', blob(40));
    cache.set('c', blob(20));
    expect(cache.size).toEqual({ entries: 3, bytes: 100 });
    cache.set('d', blob(30));
    expect(keysOf(cache, ['a', 'b', 'c', 'd'])).toEqual(['b', 'c', 'd']);
    expect(cache.size).toEqual({ entries: 3, bytes: 90 });
  });

  it('evicts as many entries as it takes to fit a large one', () => {
    const cache = new HotCache(100, 100);
    for (const key of ['a', 'b', 'c', 'd', 'e']) cache.set(key, blob(20));
    cache.set('big', blob(95));
    expect(cache.size).toEqual({ entries: 1, bytes: 95 });
    expect(cache.get('big')?.data.length).toBe(95);
    expect(cache.get('a')).toBeUndefined();
  });

  it('get makes an entry the most recently used', () => {
    const cache = new HotCache(100, 100);
    cache.set('a', blob(40));
    cache.set('b', blob(40));
    expect(cache.get('a')).toBeDefined();
    cache.set('c', blob(40));
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBeDefined();
    expect(cache.get('c')).toBeDefined();
  });

  it('a miss changes nothing', () => {
    const cache = new HotCache(100, 100);
    cache.set('a', blob(50));
    cache.set('b', blob(50));
    expect(cache.get('zzz')).toBeUndefined();
    cache.set('c', blob(50));
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toEqual({ entries: 2, bytes: 100 });
  });

  it('setting a key again replaces it, counts its bytes once and makes it the newest', () => {
    const cache = new HotCache(100, 100);
    cache.set('a', blob(30, 'a'));
    cache.set('b', blob(30, 'b'));
    const replacement = blob(50, 'A');
    cache.set('a', replacement);
    expect(cache.size).toEqual({ entries: 2, bytes: 80 });
    expect(cache.get('a')).toBe(replacement);
    cache.set('a', replacement);
    expect(cache.size).toEqual({ entries: 2, bytes: 80 });
    cache.set('c', blob(40, 'c'));
    // b was the oldest left.
    expect(cache.get('b')).toBeUndefined();
    expect(cache.size).toEqual({ entries: 2, bytes: 90 });
  });

  it('does not cache entries larger than an entry may be, or than the whole cache', () => {
    const cache = new HotCache(100, 30);
    cache.set('keep', blob(30));
    cache.set('large', blob(31));
    expect(cache.get('large')).toBeUndefined();
    expect(cache.get('keep')).toBeDefined();
    expect(cache.size).toEqual({ entries: 1, bytes: 30 });

    const small = new HotCache(50, 1_000);
    small.set('keep', blob(10));
    small.set('huge', blob(51));
    expect(small.get('huge')).toBeUndefined();
    expect(small.get('keep')).toBeDefined();
    small.set('exact', blob(50));
    expect(small.size).toEqual({ entries: 1, bytes: 50 });
  });

  it('caches empty blobs', () => {
    const cache = new HotCache(10, 10);
    cache.set('empty.m3u8', blob(0));
    expect(cache.get('empty.m3u8')?.data.length).toBe(0);
    expect(cache.size).toEqual({ entries: 1, bytes: 0 });
  });

  it('evictPrefix drops every key starting with the prefix and nothing else', () => {
    const cache = new HotCache(1_000, 1_000);
    for (const key of ['tracks/a/v1/x', 'tracks/a/v2/y', 'tracks/ab/v1/x', 'tracks/b/v1/x', 'covers/tracks/a'])
      cache.set(key, blob(10));
    cache.evictPrefix('tracks/a/');
    expect(
      keysOf(cache, ['tracks/a/v1/x', 'tracks/a/v2/y', 'tracks/ab/v1/x', 'tracks/b/v1/x', 'covers/tracks/a']),
    ).toEqual(['tracks/ab/v1/x', 'tracks/b/v1/x', 'covers/tracks/a']);
    expect(cache.size).toEqual({ entries: 3, bytes: 30 });
    cache.evictPrefix('nothing/');
    expect(cache.size).toEqual({ entries: 3, bytes: 30 });
    cache.evictPrefix('');
    expect(cache.size).toEqual({ entries: 0, bytes: 0 });
  });

  it('keeps its size true to its contents and follows an LRU model, whatever is done to it', () => {
    const keys = ['a', 'b', 'c', 'd', 'e', 'f', 'pre/a', 'pre/b', 'pre/c', 'other/a'];
    const key = fc.constantFrom(...keys);
    const op = fc.oneof(
      fc.record({ type: fc.constant('set' as const), key, bytes: fc.nat({ max: 70 }) }),
      fc.record({ type: fc.constant('get' as const), key }),
      fc.record({ type: fc.constant('evict' as const), prefix: fc.constantFrom('pre/', 'other/', 'a', 'zzz', '') }),
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 120 }),
        fc.integer({ min: 0, max: 80 }),
        fc.array(op, { maxLength: 80 }),
        (maxBytes, maxEntryBytes, ops) => {
          const cache = new HotCache(maxBytes, maxEntryBytes);
          // The model: an array, least recently used first.
          let model: { key: string; entry: CachedBlob }[] = [];
          for (const step of ops) {
            if (step.type === 'set') {
              const entry = blob(step.bytes, step.key);
              cache.set(step.key, entry);
              if (step.bytes <= maxEntryBytes && step.bytes <= maxBytes) {
                model = model.filter((item) => item.key !== step.key);
                model.push({ key: step.key, entry });
                let total = model.reduce((sum, item) => sum + item.entry.data.length, 0);
                while (total > maxBytes) total -= model.shift()!.entry.data.length;
              }
            } else if (step.type === 'get') {
              const found = model.find((item) => item.key === step.key);
              expect(cache.get(step.key)).toBe(found?.entry);
              if (found) model = [...model.filter((item) => item !== found), found];
            } else {
              cache.evictPrefix(step.prefix);
              model = model.filter((item) => !item.key.startsWith(step.prefix));
            }
            const bytes = model.reduce((sum, item) => sum + item.entry.data.length, 0);
            expect(cache.size).toEqual({ entries: model.length, bytes });
            expect(cache.size.bytes).toBeGreaterThanOrEqual(0);
            expect(cache.size.bytes).toBeLessThanOrEqual(maxBytes);
          }
          // Finally, everything the model holds is there (gets in LRU order keep the order).
          for (const item of [...model]) expect(cache.get(item.key)).toBe(item.entry);
          expect(cache.size.entries).toBe(model.length);
        },
      ),
      { numRuns: 1_000 },
    );
  });
});
