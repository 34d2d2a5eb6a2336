import { describe, expect, it } from 'vitest';
import { clearUpcoming, current, emptyQueue, enqueue, move, playList, playNext, removeAt, skip } from './queue.js';

describe('queue', () => {
  it('plays a list from an index', () => {
    const q = playList(['a', 'b', 'c'], 1);
    expect(current(q)).toBe('b');
    expect(current(playList([], 3))).toBeNull();
    expect(playList(['a'], 9).index).toBe(0);
  });

  it('enqueues and starts an empty queue', () => {
    const q = enqueue(emptyQueue<string>(), ['a', 'b']);
    expect(q).toEqual({ items: ['a', 'b'], index: 0 });
    expect(enqueue(q, ['c']).items).toEqual(['a', 'b', 'c']);
    expect(playNext(q, ['x']).items).toEqual(['a', 'x', 'b']);
  });

  it('keeps the current track when removing others', () => {
    const q = playList(['a', 'b', 'c', 'd'], 2);
    expect(current(removeAt(q, 0))).toBe('c');
    expect(current(removeAt(q, 3))).toBe('c');
    expect(current(removeAt(q, 2))).toBe('d');
    expect(removeAt(playList(['a'], 0), 0)).toEqual({ items: [], index: -1 });
    expect(removeAt(q, 7)).toBe(q);
  });

  it('reorders and follows the current track', () => {
    const q = playList(['a', 'b', 'c'], 1);
    expect(move(q, 1, -1)).toEqual({ items: ['b', 'a', 'c'], index: 0 });
    expect(move(q, 0, 1)).toEqual({ items: ['b', 'a', 'c'], index: 0 });
    expect(move(q, 2, -1)).toEqual({ items: ['a', 'c', 'b'], index: 2 });
    expect(move(q, 0, -1)).toBe(q);
    expect(move(q, 2, 1)).toBe(q);
  });

  it('skips within bounds and clears upcoming', () => {
    const q = playList(['a', 'b'], 0);
    expect(current(skip(q, 1))).toBe('b');
    expect(skip(skip(q, 1), 1).index).toBe(1);
    expect(skip(q, -1)).toBe(q);
    expect(clearUpcoming(q)).toEqual({ items: ['a'], index: 0 });
    expect(clearUpcoming(emptyQueue())).toEqual({ items: [], index: -1 });
  });
});
