/** How long a remembered value lasts, and how many are kept (the oldest go first). */
export interface RememberedOptions {
  ttlMs: number;
  maxEntries: number;
}

/**
 * A bounded memory of values read from somewhere slower (the database): each kept for ¾ to all of `ttlMs`, the
 * oldest dropped past `maxEntries`. A read begun before a `forget` is not remembered after it (`startRead`): the
 * row it read may predate the change that was forgotten.
 */
export class Remembered<Key, Value> {
  private readonly entries = new Map<Key, { value: Value; expiresAt: number }>();
  /** Bumped by every forget: a read begun before one must not be remembered after it. */
  private generation = 0;

  constructor(private readonly options: RememberedOptions) {}

  /** The value, while it lasts; undefined when there is none (a remembered null stays null). */
  get(key: Key): Value | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt > Date.now()) return entry.value;
    this.entries.delete(key);
    return undefined;
  }

  /**
   * Keeps a value now, for `ttlMs` unless told otherwise, less up to a quarter at random: values kept together (a
   * crowd's, who connected at once) come due over a quarter of the time, not all in one moment.
   */
  set(key: Key, value: Value, ttlMs = this.options.ttlMs): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: Date.now() + ttlMs * (1 - Math.random() / 4) });
    if (this.entries.size > this.options.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  /** Call before the read, then `remember` what it found: dropped if anything was forgotten meanwhile. */
  startRead(): PendingRead<Key, Value> {
    return new PendingRead(this, this.generation);
  }

  /** Keeps what a read begun at `generation` found, unless something was forgotten since. */
  setIfNothingForgotten(generation: number, key: Key, value: Value): void {
    if (generation === this.generation) this.set(key, value);
  }

  /** Forgets these keys, and every value `also` picks. */
  forget(keys: Iterable<Key>, also?: (value: Value) => boolean): void {
    this.generation++;
    for (const key of keys) this.entries.delete(key);
    if (!also) return;
    for (const [key, entry] of this.entries) if (also(entry.value)) this.entries.delete(key);
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
  }
}

/** A read under way (see `Remembered.startRead`); an object rather than a closure: a connect begins two of them. */
export class PendingRead<Key, Value> {
  constructor(
    private readonly memory: Remembered<Key, Value>,
    private readonly generation: number,
  ) {}

  remember(key: Key, value: Value): void {
    this.memory.setIfNothingForgotten(this.generation, key, value);
  }
}
