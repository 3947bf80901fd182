import type { CacheAdapter } from '@mikro-orm/core';

/** How many results the ORM's result cache keeps: the oldest go first. */
const defaultMaxEntries = 10_000;

/**
 * MikroORM's result cache, in memory and bounded: its stock `MemoryCacheAdapter` forgets an expired entry only
 * when it is asked for again, so keys that are never asked for again (one per room, say) would pile up forever.
 */
export class BoundedMemoryCacheAdapter implements CacheAdapter {
  private readonly data = new Map<string, { value: unknown; expiresAt: number }>();
  private readonly maxEntries: number;
  private readonly expiration: number;

  constructor(options: { expiration: number; maxEntries?: number }) {
    this.expiration = options.expiration;
    this.maxEntries = options.maxEntries ?? defaultMaxEntries;
  }

  get<T>(name: string): T | undefined {
    const entry = this.data.get(name);
    if (!entry) return undefined;
    if (entry.expiresAt < Date.now()) {
      this.data.delete(name);
      return undefined;
    }
    return entry.value as T;
  }

  set(name: string, value: unknown, _origin: string, expiration?: number): void {
    this.data.delete(name);
    this.data.set(name, { value, expiresAt: Date.now() + (expiration ?? this.expiration) });
    if (this.data.size > this.maxEntries) {
      const oldest = this.data.keys().next();
      if (!oldest.done) this.data.delete(oldest.value);
    }
  }

  remove(name: string): void {
    this.data.delete(name);
  }

  clear(): void {
    this.data.clear();
  }
}
