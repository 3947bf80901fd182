import type { Auth } from '../auth/resolve.ts';
import type { Deps } from '../deps.ts';
import { onAbort } from '../realtime/abort.ts';
import { EventFrames, type LiveTarget } from '../realtime/live-target.ts';
import { untrackedFrameTail } from '../realtime/ws-protocol.ts';
import {
  endsCredential,
  isAccountChanged,
  isSessionEnded,
  type SessionEndedEvent,
  userChannel,
} from './session-events.ts';

/** What `auth.onSession` streams: first `active`, then the account's changes, and `ended` last if it comes. */
export type SessionNews =
  | { type: 'active' }
  | { type: 'changed' }
  | { type: 'ended'; reason: SessionEndedEvent['reason'] };

/** What a message on the user's channel tells a tab signed in with `auth`, if anything. */
function newsOf(message: unknown, auth: Auth): SessionNews | null {
  if (isAccountChanged(message)) return { type: 'changed' };
  if (isSessionEnded(message) && endsCredential(message, auth))
    return { type: 'ended', reason: message.reason };
  return null;
}

/**
 * A tab's session news. It listens first, then says `active` through tRPC; the rest is written straight to the
 * socket (`SessionNewsTab`), and the stream ends after `ended`.
 */
export async function* sessionNewsStream(
  deps: Deps,
  auth: Auth,
  signal: AbortSignal | undefined,
  target: LiveTarget,
): AsyncGenerator<SessionNews> {
  const channel = userChannel(auth.user.id);
  const tab = new SessionNewsTab(target, auth);
  onAbort(
    signal,
    deps.bus.subscribe(channel, (message) => tab.receive(message)),
  );
  await deps.bus.ready(channel);
  yield { type: 'active' };
  // tRPC has written `active` before this line runs: what arrived since follows it.
  tab.goLive();
  target.park();
}

/**
 * One socket's session news: a bus listener and this object, not a generator and a queue per tab. What arrives
 * before `active` has gone out waits; `ended` is the last frame, and the subscription then stops.
 */
class SessionNewsTab {
  /** News that arrived before `active` went out; null once live. */
  private queued: SessionNews[] | null = [];
  private ended = false;

  constructor(
    private readonly target: LiveTarget,
    private readonly auth: Auth,
  ) {}

  receive(message: unknown): void {
    const news = newsOf(message, this.auth);
    if (!news) return;
    if (this.queued) this.queued.push(news);
    else this.write(news);
  }

  goLive(): void {
    const queued = this.queued ?? [];
    this.queued = null;
    for (const news of queued) this.write(news);
  }

  private write(news: SessionNews): void {
    if (this.ended) return;
    new EventFrames(() => Buffer.from(untrackedFrameTail(news))).write(this.target);
    if (news.type !== 'ended') return;
    this.ended = true;
    this.target.end();
  }
}
