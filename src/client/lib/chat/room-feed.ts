import { isServerError } from '../errors.ts';
import { trpc } from '../trpc.ts';
import type { Message } from './types.ts';

export type RoomEventType = 'message.created' | 'message.edited' | 'message.deleted';

export interface RoomFeedEvent {
  position: number;
  type: RoomEventType;
  message: Message;
}

export interface FeedListener {
  onEvent(event: RoomFeedEvent): void;
  /** The server refused the stream (signed out, not a member, no such room): it will not resume. */
  onRefused?(error: unknown): void;
}

/** Recent events kept, so a listener that joins a running feed a little late gets what it missed. */
const keptEvents = 200;
const resumeDelayMs = 3_000;
const refusals = ['UNAUTHORIZED', 'FORBIDDEN', 'NOT_FOUND'];

/**
 * One room's durable events for the whole tab: one `chat.onRoomEvent` subscription however many parts of the page
 * follow the room (the open conversation and the sidebar's preview of the public room), each given every event
 * after the position it asked for, once, in order. The wsLink resumes a lost socket by itself; a stream the
 * server ended for another reason is started again from the last position seen.
 */
class RoomFeed {
  private readonly listeners = new Map<FeedListener, { last: number }>();
  private subscription: { unsubscribe(): void } | null = null;
  /** The last events delivered, contiguous: `recent[i].position === recent[0].position + i`. */
  private recent: RoomFeedEvent[] = [];
  /** The last position delivered; null while a live-started feed has delivered nothing. */
  private position: number | null = null;
  private resumeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly roomId: number,
    private readonly onIdle: () => void,
  ) {}

  /** Follows the room from after `since` (or from now, if null); returns the function that stops following. */
  listen(since: number | null, listener: FeedListener): () => void {
    const entry = { last: since ?? this.position ?? -1 };
    this.listeners.set(listener, entry);
    if (!this.subscription) this.start(since);
    else if (since !== null && (this.position === null || since < this.position)) {
      const first = this.recent[0];
      if (first && first.position <= since + 1) {
        for (const event of this.recent) this.deliver(listener, entry, event);
      } else {
        // What it missed is no longer here: start again from where it needs; the others skip what they have.
        this.start(since);
      }
    }
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) {
        this.stop();
        this.onIdle();
      }
    };
  }

  private start(from: number | null): void {
    this.stop();
    this.recent = [];
    this.position = from;
    const input =
      from === null ? { roomId: this.roomId } : { roomId: this.roomId, lastEventId: String(from) };
    this.subscription = trpc.chat.onRoomEvent.subscribe(input, {
      onData: ({ id, data }) =>
        this.arrived({ position: Number(id), type: data.type, message: data.message }),
      onError: (error) => {
        this.subscription = null;
        if (refusals.some((code) => isServerError(error, code))) {
          for (const listener of [...this.listeners.keys()]) listener.onRefused?.(error);
          return;
        }
        console.warn('The room stream failed; resuming shortly', error);
        this.resumeTimer = setTimeout(() => this.listeners.size && this.start(this.position), resumeDelayMs);
      },
    });
  }

  private stop(): void {
    clearTimeout(this.resumeTimer);
    this.subscription?.unsubscribe();
    this.subscription = null;
  }

  private arrived(event: RoomFeedEvent): void {
    const last = this.recent.at(-1);
    if (last && event.position !== last.position + 1) this.recent = [];
    this.recent.push(event);
    if (this.recent.length > keptEvents) this.recent.shift();
    this.position = event.position;
    for (const [listener, entry] of this.listeners) this.deliver(listener, entry, event);
  }

  private deliver(listener: FeedListener, entry: { last: number }, event: RoomFeedEvent): void {
    if (event.position <= entry.last) return;
    entry.last = event.position;
    listener.onEvent(event);
  }
}

const feeds = new Map<number, RoomFeed>();

/** The tab's feed for a room, made on first use and dropped when nobody follows it. */
export function roomFeed(roomId: number): RoomFeed {
  let feed = feeds.get(roomId);
  if (!feed) {
    feed = new RoomFeed(roomId, () => feeds.delete(roomId));
    feeds.set(roomId, feed);
  }
  return feed;
}
