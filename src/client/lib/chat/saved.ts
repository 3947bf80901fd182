import type { PendingMessage } from './types.ts';

/**
 * What a person has written and not yet seen stored, kept in this browser's localStorage per account, so a
 * reload or a crash loses none of it: drafts per room and each room's outbox. Logging out forgets it all.
 */
const prefix = (userId: number) => `parley:${userId}:`;
const outboxKey = (userId: number, roomId: number) => `${prefix(userId)}outbox:${roomId}`;

function read<T>(key: string): T | null {
  try {
    const text = localStorage.getItem(key);
    return text === null ? null : (JSON.parse(text) as T);
  } catch {
    return null; // storage off (private mode) or an unreadable value: start empty
  }
}

function write(key: string, value: unknown, empty: boolean): void {
  try {
    if (empty) localStorage.removeItem(key);
    else localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Full or disabled: the page still works, it just cannot keep this across a reload.
  }
}

/** A room's unsent composer text, kept while its reader looks elsewhere and across reloads. */
export interface Drafts {
  get(roomId: number): string | undefined;
  set(roomId: number, text: string): void;
}

export function savedDrafts(userId: number): Drafts {
  const key = `${prefix(userId)}drafts`;
  const drafts = new Map(Object.entries(read<Record<string, string>>(key) ?? {}));
  return {
    get: (roomId) => drafts.get(String(roomId)),
    set(roomId, text) {
      if (text.trim()) drafts.set(String(roomId), text);
      else drafts.delete(String(roomId));
      write(key, Object.fromEntries(drafts), drafts.size === 0);
    },
  };
}

/** Where one room's outbox keeps its waiting messages. */
export interface SavedOutbox {
  load(): PendingMessage[];
  save(items: readonly PendingMessage[]): void;
}

export function savedOutbox(userId: number, roomId: number): SavedOutbox {
  const key = outboxKey(userId, roomId);
  return {
    load: () => read<PendingMessage[]>(key) ?? [],
    save: (items) => write(key, items, items.length === 0),
  };
}

/** The rooms with messages still waiting from an earlier visit: they are sent again as soon as the app starts. */
export function roomsWithSavedOutbox(userId: number): number[] {
  const start = `${prefix(userId)}outbox:`;
  return storedKeys()
    .filter((key) => key.startsWith(start))
    .map((key) => Number(key.slice(start.length)))
    .filter(Number.isInteger);
}

/** Logging out: nothing this person wrote stays behind in this browser. */
export function forgetAccount(userId: number): void {
  for (const key of storedKeys()) if (key.startsWith(prefix(userId))) write(key, null, true);
}

function storedKeys(): string[] {
  try {
    return Array.from({ length: localStorage.length }, (_, index) => localStorage.key(index) ?? '');
  } catch {
    return [];
  }
}
