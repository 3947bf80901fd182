/** How a room's messages look in a terminal and in `--json` lines. */
import type { AppRouter, inferRouterOutputs } from '../sdk/index.ts';
import { printable, shortTime, who } from './output.ts';

export type Message = inferRouterOutputs<AppRouter>['chat']['send'];
export type RoomEventType = 'message.created' | 'message.edited' | 'message.deleted';

/** One line per message; a message of several lines is indented under its sender. */
export function formatMessage(message: Message, type: RoomEventType | 'history' = 'history'): string {
  const head = `${shortTime(type === 'message.edited' ? (message.editedAt ?? message.createdAt) : message.createdAt)} ${who(message.sender)}`;
  if (message.deletedAt) {
    const by = message.deletedBy === 'moderator' ? ' by a moderator' : '';
    return `${head}: (message ${message.id} deleted${by})`;
  }
  const edited = type === 'message.edited' ? ' (edited)' : '';
  const [first, ...rest] = printable(message.body).split('\n');
  const quote = message.replyTo ? [`    ${quoteLine(message.replyTo)}`] : [];
  const images = message.attachments.map(
    (image) => `    (image ${image.width}×${image.height}: ${image.url})`,
  );
  return [`${head}${edited}: ${first}`, ...quote, ...rest.map((line) => `    ${line}`), ...images].join('\n');
}

/** Under a reply: whom it answers and how their message starts (or that it is gone). */
function quoteLine(quote: NonNullable<Message['replyTo']>): string {
  const words = quote.deleted ? '(deleted)' : `"${printable(quote.excerpt)}"`;
  return `(reply to ${who(quote.sender)}, message ${quote.id}: ${words})`;
}

/** What a `--json` consumer reads: one object per line. */
export function messageLine(type: RoomEventType | 'history', position: number, message: Message) {
  return { type, position, message };
}

/** An edit or deletion the history already showed has nothing new to say. */
export const stateOf = (message: Message) => `${message.editedAt ?? ''}|${message.deletedAt ?? ''}`;
