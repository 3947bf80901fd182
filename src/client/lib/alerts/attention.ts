import { type Accessor, createEffect, onCleanup } from 'solid-js';
import { createWindowFocus, isInFront } from '../window-focus.ts';

/** Where the person is looking, as far as this browser knows: a Parley tab in front, and its conversation. */
export interface Attention {
  inFront: boolean;
  roomId: number | null;
}

interface FrontTab {
  tab: string;
  roomId: number | null;
  at: number;
}

/** The tab in front says so again this often; a record older than `staleMs` is from a tab that died. */
const refreshMs = 30_000;
const staleMs = 90_000;

/**
 * Shares, between this person's tabs in this browser, which one is in front and what it shows — so a tab in the
 * background does not notify about the conversation the person is reading in another. Call inside a reactive
 * owner.
 */
export function createAttention(userId: number, openRoomId: Accessor<number | null>): () => Attention {
  const key = `parley-alerts:${userId}:front`;
  const tab = crypto.randomUUID();
  const focused = createWindowFocus();
  const write = (record: FrontTab | null) => {
    try {
      if (record) localStorage.setItem(key, JSON.stringify(record));
      else if (readFront(key)?.tab === tab) localStorage.removeItem(key);
    } catch {
      // No storage: each tab knows only about itself.
    }
  };
  createEffect(() => {
    if (!focused()) return write(null);
    const roomId = openRoomId();
    write({ tab, roomId, at: Date.now() });
    const timer = setInterval(() => write({ tab, roomId, at: Date.now() }), refreshMs);
    onCleanup(() => clearInterval(timer));
  });
  const leave = () => write(null);
  window.addEventListener('pagehide', leave);
  onCleanup(() => {
    window.removeEventListener('pagehide', leave);
    leave();
  });

  return () => {
    const front = readFront(key);
    if (front && front.tab !== tab && Date.now() - front.at < staleMs) {
      return { inFront: true, roomId: front.roomId };
    }
    // Asked at the moment it matters, not remembered from the last focus event.
    return { inFront: isInFront(), roomId: openRoomId() };
  };
}

function readFront(key: string): FrontTab | null {
  try {
    return JSON.parse(localStorage.getItem(key) ?? 'null') as FrontTab | null;
  } catch {
    return null;
  }
}
