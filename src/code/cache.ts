/**
 * Small caches for code hosts. Answers about a commit SHA never change; branch heads and Sentry settings
 * do, and a failed lookup is worth remembering briefly so one analysis does not repeat it per file.
 */

/** Promises kept `ttlMs(key)` after they are made, or `failedTtlMs` after they fail. */
export class Expiring<V> {
  private readonly entries = new Map<string, { at: number; value: Promise<V>; failed: boolean }>();

  constructor(
    private readonly options: { ttlMs: (key: string) => number; failedTtlMs: number; now: () => number },
  ) {}

  get(key: string, compute: () => Promise<V>): Promise<V> {
    const { now, ttlMs, failedTtlMs } = this.options;
    const cached = this.entries.get(key);
    if (cached && now() - cached.at < (cached.failed ? failedTtlMs : ttlMs(key))) return cached.value;
    const entry = { at: now(), value: compute(), failed: false };
    entry.value.catch(() => {
      entry.failed = true;
      entry.at = now();
    });
    this.entries.set(key, entry);
    return entry.value;
  }
}

/** A small least-recently-used map. */
export class Lru<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max: number) {}

  get(key: string): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined) {
      this.map.delete(key);
      this.map.set(key, value);
    }
    return value;
  }

  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as string);
  }

  delete(key: string): void {
    this.map.delete(key);
  }
}
