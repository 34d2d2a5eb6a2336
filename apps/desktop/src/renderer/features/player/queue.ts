/**
 * The play queue as pure data: a list of tracks and the index of the current one (-1: nothing).
 * Every operation returns a new queue and keeps `index` pointing at the same track when it can.
 */
export interface Queue<T> {
  items: T[];
  index: number;
}

export function emptyQueue<T>(): Queue<T> {
  return { items: [], index: -1 };
}

export function current<T>(queue: Queue<T>): T | null {
  return queue.items[queue.index] ?? null;
}

/** Replaces the queue with `items`, starting at `start`. */
export function playList<T>(items: readonly T[], start = 0): Queue<T> {
  if (items.length === 0) return emptyQueue();
  return { items: [...items], index: Math.min(Math.max(0, start), items.length - 1) };
}

/** Appends to the end; an empty queue starts at the first added item. */
export function enqueue<T>(queue: Queue<T>, items: readonly T[]): Queue<T> {
  const next = [...queue.items, ...items];
  return { items: next, index: queue.index === -1 && next.length > 0 ? 0 : queue.index };
}

/** Inserts right after the current track. */
export function playNext<T>(queue: Queue<T>, items: readonly T[]): Queue<T> {
  if (queue.index === -1) return enqueue(queue, items);
  const next = [...queue.items];
  next.splice(queue.index + 1, 0, ...items);
  return { items: next, index: queue.index };
}

export function removeAt<T>(queue: Queue<T>, at: number): Queue<T> {
  if (at < 0 || at >= queue.items.length) return queue;
  const next = queue.items.filter((_, i) => i !== at);
  let index = queue.index;
  if (at < index) index -= 1;
  else if (at === index) index = Math.min(index, next.length - 1);
  return { items: next, index: next.length === 0 ? -1 : index };
}

/** Moves the item at `from` by `delta` places (−1 up, +1 down), clamped. */
export function move<T>(queue: Queue<T>, from: number, delta: number): Queue<T> {
  const to = from + delta;
  if (from < 0 || from >= queue.items.length || to < 0 || to >= queue.items.length || delta === 0) return queue;
  const next = [...queue.items];
  const [item] = next.splice(from, 1);
  next.splice(to, 0, item as T);
  let index = queue.index;
  if (index === from) index = to;
  else if (from < index && to >= index) index -= 1;
  else if (from > index && to <= index) index += 1;
  return { items: next, index };
}

/** Keeps only the current track (what "Clear queue" means while something plays). */
export function clearUpcoming<T>(queue: Queue<T>): Queue<T> {
  const item = current(queue);
  return item === null ? emptyQueue() : { items: [item], index: 0 };
}

export function hasNext<T>(queue: Queue<T>): boolean {
  return queue.index >= 0 && queue.index < queue.items.length - 1;
}

export function hasPrevious<T>(queue: Queue<T>): boolean {
  return queue.index > 0;
}

export function skip<T>(queue: Queue<T>, delta: 1 | -1): Queue<T> {
  const index = queue.index + delta;
  if (index < 0 || index >= queue.items.length) return queue;
  return { items: queue.items, index };
}

/** "Previous" restarts the current track when more than this many seconds have played. */
export const RESTART_THRESHOLD_S = 3;
