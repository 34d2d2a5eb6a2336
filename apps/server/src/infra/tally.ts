import { Counter, type Registry } from 'prom-client';

/**
 * A counter for hot paths (every media request, every frame of a fan-out): adding is one Map
 * update on a fixed key, with none of the label hashing prom-client does on each `inc()`.
 * prom-client reads the totals only when Prometheus scrapes.
 */
export class Tally<K extends string | number> {
  private readonly counts = new Map<K, number>();

  /** `keys` are reported from the start, at zero, so their series exist before the first event. */
  constructor(keys: readonly K[]) {
    for (const key of keys) this.counts.set(key, 0);
  }

  add(key: K, by = 1): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + by);
  }

  get(key: K): number {
    return this.counts.get(key) ?? 0;
  }

  entries(): IterableIterator<[K, number]> {
    return this.counts.entries();
  }
}

/**
 * A Prometheus counter whose one label takes the tally's keys. The keys must come from the code
 * (frame types, status codes the server writes), never from a request, so the series stay few.
 */
export function tallyCounter<K extends string | number>(
  registry: Registry,
  spec: { name: string; help: string; label: string; keys: readonly K[] },
): Tally<K> {
  const tally = new Tally(spec.keys);
  new Counter({
    name: spec.name,
    help: spec.help,
    labelNames: [spec.label],
    registers: [registry],
    collect() {
      this.reset();
      for (const [key, count] of tally.entries()) this.inc({ [spec.label]: String(key) }, count);
    },
  });
  return tally;
}
