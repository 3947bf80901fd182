import { isTRPCClientError } from '@trpc/client';
import { createEffect, on, onCleanup, untrack } from 'solid-js';
import { createStore, produce } from 'solid-js/store';
import type { AppRouter } from '../../../server/router.ts';
import { describeError } from '../errors.ts';
import { connection, trpc } from '../trpc.ts';
import type { SavedOutbox } from './saved.ts';
import type { Message, PendingMessage } from './types.ts';

/** A fresh clientId: 32 random hex digits. getRandomValues works on plain http too, unlike randomUUID. */
export function newClientId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** Whether a refusal can pass if the message is sent again, now or once the sender may write again. */
function retryKind(error: unknown): PendingMessage['retry'] {
  if (!isTRPCClientError<AppRouter>(error) || !error.data) return 'now';
  switch (error.data.code) {
    case 'FORBIDDEN':
      return 'when-allowed';
    case 'BAD_REQUEST':
    case 'NOT_FOUND':
    case 'PAYLOAD_TOO_LARGE':
    case 'UNAUTHORIZED':
      return 'never';
    default:
      return 'now';
  }
}

/** How long to wait before sending again, or `null` when trying again cannot help (the Retry button can). */
function retryDelay(error: unknown, attempt: number): number | null {
  if (!isTRPCClientError<AppRouter>(error)) return null;
  // No `data`: the server never answered. The same clientId makes a retry safe even if it did store the message.
  if (!error.data) return Math.min(1_000 * 2 ** attempt, 15_000);
  // Too many sends, or the server's database not answering: the server says when to try again.
  if (error.data.code === 'TOO_MANY_REQUESTS' || error.data.code === 'SERVICE_UNAVAILABLE') {
    return (error.data.retryAfterSeconds ?? 5) * 1_000;
  }
  return null;
}

export interface Outbox {
  /** Messages written here that the server has not confirmed, oldest first. */
  readonly items: readonly PendingMessage[];
  send(body: string, replyTo?: PendingMessage['replyTo'], attachments?: PendingMessage['attachments']): void;
  retry(clientId: string): void;
  discard(clientId: string): void;
  /** The stored message arrived (from `send` or the live stream): its pending copy goes. */
  settle(clientId: string): void;
  /** Called with each message the server confirms, whoever is looking. */
  onStored(listener: (message: Message) => void): () => void;
}

/**
 * Sending for one room: optimistic, and safe to retry. Each message gets a clientId once; every retry reuses it,
 * so the server stores it once however often it is sent. Lives with the signed-in session, not the page, so a
 * message still waiting for the network is sent even after its reader moved to another room, and in storage, so
 * it is sent after a reload too.
 */
export interface OutboxOptions {
  /** The server refused a message as not allowed (a mute, an unfriend): the reason may be worth fetching. */
  onForbidden?: () => void;
  /** Where waiting messages are kept across reloads; those found there are sent again, with their clientId. */
  saved?: SavedOutbox;
}

export function createOutbox(roomId: number, options: OutboxOptions = {}): Outbox {
  const [items, setItems] = createStore<PendingMessage[]>(options.saved?.load() ?? []);
  const attempts = new Map<string, number>();
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  const listeners = new Set<(message: Message) => void>();

  const indexOf = (clientId: string) => items.findIndex((item) => item.clientId === clientId);
  const clearTimer = (clientId: string) => {
    clearTimeout(timers.get(clientId));
    timers.delete(clientId);
  };

  const settle = (clientId: string) => {
    clearTimer(clientId);
    attempts.delete(clientId);
    setItems((list) => list.filter((item) => item.clientId !== clientId));
  };

  async function attempt(clientId: string) {
    clearTimer(clientId);
    const index = indexOf(clientId);
    const item = items[index];
    if (!item) return;
    setItems(index, { status: 'sending', error: null });
    const tries = attempts.get(clientId) ?? 0;
    attempts.set(clientId, tries + 1);
    try {
      const replyToId = item.replyTo?.id ?? null;
      const attachmentIds = item.attachments?.length ? item.attachments.map((image) => image.id) : undefined;
      const message = await trpc.chat.send.mutate({
        roomId,
        clientId,
        body: item.body,
        replyToId,
        attachmentIds,
      });
      for (const listener of listeners) listener(message);
      settle(clientId);
    } catch (error) {
      if (indexOf(clientId) < 0) return; // the live stream confirmed it meanwhile
      const delay = retryDelay(error, tries);
      if (delay === null) {
        const message = describeError(error).message ?? 'The message could not be sent.';
        const retry = retryKind(error);
        setItems(indexOf(clientId), { status: 'failed', error: message, retry });
        if (retry === 'when-allowed') options.onForbidden?.();
      } else {
        timers.set(
          clientId,
          setTimeout(() => void attempt(clientId), delay),
        );
      }
    }
  }

  // Back online: whatever waits for the network goes now rather than at the end of its back-off.
  const retryWaiting = () => {
    for (const clientId of [...timers.keys()]) void attempt(clientId);
  };
  createEffect(
    on(connection, (now, before) => {
      if (now === 'connected' && before === 'reconnecting') retryWaiting();
    }),
  );
  window.addEventListener('online', retryWaiting);
  onCleanup(() => {
    window.removeEventListener('online', retryWaiting);
    for (const clientId of [...timers.keys()]) clearTimer(clientId);
  });

  if (options.saved) {
    const saved = options.saved;
    createEffect(() => saved.save(JSON.parse(JSON.stringify(items)) as PendingMessage[]));
  }
  // Left waiting by an earlier visit: on their way again, as the same messages.
  for (const item of untrack(() => items.filter((waiting) => waiting.status === 'sending'))) {
    void attempt(item.clientId);
  }

  return {
    items,
    send(body, replyTo = null, attachments = []) {
      const clientId = newClientId();
      setItems(
        produce((list) => {
          list.push({
            clientId,
            body,
            replyTo,
            attachments,
            createdAt: new Date().toISOString(),
            status: 'sending',
            error: null,
            retry: 'now',
          });
        }),
      );
      void attempt(clientId);
    },
    retry: (clientId) => void attempt(clientId),
    discard: settle,
    settle,
    onStored(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
