import type { RouterOutputs } from '../trpc.ts';

export type Message = RouterOutputs['chat']['history']['items'][number];
export type Room = RouterOutputs['chat']['rooms'][number];
export type PublicUser = Message['sender'];

/** A message this tab wrote that the server has not confirmed yet. */
export interface PendingMessage {
  clientId: string;
  body: string;
  /** The message this one replies to: sent again with every retry. */
  replyTo?: NonNullable<Message['replyTo']> | null;
  /** Its images, uploaded already: their ids are sent again with every retry. */
  attachments?: Message['attachments'];
  createdAt: string;
  /** `sending` covers waiting to retry after a network failure; `failed` waits for the Retry button. */
  status: 'sending' | 'failed';
  error: string | null;
  /**
   * Whether sending again can help: `now` (the server failed), `when-allowed` (refused for a state that can end:
   * a mute, a friendship), or `never` (the message itself was refused).
   */
  retry: 'now' | 'when-allowed' | 'never';
}

/** Where a signed-in person's conversation list links to for a room. */
export const roomHref = (room: Pick<Room, 'id' | 'kind'>) =>
  room.kind === 'public' ? '/' : `/chat/${room.id}`;
