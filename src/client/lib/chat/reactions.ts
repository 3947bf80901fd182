import { reactionEmoji } from '../../../shared/emoji.ts';
import { trpc } from '../trpc.ts';
import type { Message, PublicUser } from './types.ts';

export type Reaction = Message['reactions'][number];

const recentKey = 'parley:recent-emoji';
const recentCount = 12;

/** The emoji this browser reacted with lately, newest first (only ones still on the list). */
export function recentEmoji(): string[] {
  try {
    const stored: unknown = JSON.parse(localStorage.getItem(recentKey) ?? '[]');
    const allowed = new Set<string>(reactionEmoji);
    return Array.isArray(stored)
      ? stored.filter((e): e is string => typeof e === 'string' && allowed.has(e))
      : [];
  } catch {
    // A damaged entry is only a lost convenience.
    return [];
  }
}

export function rememberEmoji(emoji: string): void {
  const list = [emoji, ...recentEmoji().filter((e) => e !== emoji)].slice(0, recentCount);
  try {
    localStorage.setItem(recentKey, JSON.stringify(list));
  } catch {
    // Storage full or disabled: the picker simply has no recent row.
  }
}

/** Adds or takes back your reaction; answers the message as it is now. */
export function react(messageId: string, emoji: string, on: boolean): Promise<Message> {
  if (on) rememberEmoji(emoji);
  return trpc.chat.react.mutate({ messageId, emoji, on });
}

/** Everyone behind one emoji (the first 50), for names the page does not know yet. */
export async function reactorsOf(messageId: string, emoji: string): Promise<PublicUser[]> {
  return (await trpc.chat.reactors.query({ messageId, emoji, limit: 50 })).items;
}

/** "You, Ann and 3 more": the names known, the rest counted. */
export function whoReacted(names: readonly string[], count: number): string {
  const more = count - names.length;
  if (names.length === 0) return `${count} ${count === 1 ? 'person' : 'people'}`;
  return more > 0 ? `${names.join(', ')} and ${more} more` : names.join(', ');
}
