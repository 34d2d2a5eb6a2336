/**
 * A byte-bounded LRU of immutable media files (segments, init segments, playlists). Serving from
 * memory is what lets Node keep up with a static file server: reading each segment from disk per
 * request is ~10× slower (see docs/benchmarks.md). Safe only because published media never
 * changes under the same key; deletion evicts by prefix.
 */
export interface CachedBlob {
  data: Buffer;
  etag: string;
}

export class HotCache {
  // Map iteration order is insertion order: re-inserting on hit makes the first key the LRU.
  private readonly entries = new Map<string, CachedBlob>();
  private bytes = 0;

  constructor(
    private readonly maxBytes: number,
    /** Larger blobs are streamed from the store instead of cached. */
    readonly maxEntryBytes: number,
  ) {}

  get(key: string): CachedBlob | undefined {
    const entry = this.entries.get(key);
    if (entry) {
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }

  set(key: string, entry: CachedBlob): void {
    if (entry.data.length > this.maxEntryBytes || entry.data.length > this.maxBytes) return;
    this.drop(key);
    this.entries.set(key, entry);
    this.bytes += entry.data.length;
    for (const [oldest, old] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.bytes -= old.data.length;
    }
  }

  evictPrefix(prefix: string): void {
    for (const key of [...this.entries.keys()]) if (key.startsWith(prefix)) this.drop(key);
  }

  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  private drop(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.bytes -= entry.data.length;
  }
}
