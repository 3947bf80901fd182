import type { CacheAdapter } from '@mikro-orm/core';
import { Remembered } from '../remembered.ts';

/** How many results the ORM's result cache keeps: the oldest go first. */
const defaultMaxEntries = 10_000;

/**
 * MikroORM's result cache, in memory and bounded: its stock `MemoryCacheAdapter` forgets an expired entry only
 * when it is asked for again, so keys that are never asked for again (one per room, say) would pile up forever.
 */
export class BoundedMemoryCacheAdapter implements CacheAdapter {
  private readonly data: Remembered<string, unknown>;

  constructor(options: { expiration: number; maxEntries?: number }) {
    this.data = new Remembered({
      ttlMs: options.expiration,
      maxEntries: options.maxEntries ?? defaultMaxEntries,
    });
  }

  get<T>(name: string): T | undefined {
    return this.data.get(name) as T | undefined;
  }

  set(name: string, value: unknown, _origin: string, expiration?: number): void {
    this.data.set(name, value, expiration);
  }

  remove(name: string): void {
    this.data.forget([name]);
  }

  clear(): void {
    this.data.clear();
  }
}
