import type { EntityManager } from '@mikro-orm/postgresql';
import { TRPCError } from '@trpc/server';
import { mentionedNames, withDisplayNames } from '../../../shared/mentions.ts';
import { excerptOf } from '../../../shared/replies.ts';
import { type AppendedMessage, appendMessage } from '../../db/statements/chat.ts';
import { type MentionChange, mentionCandidates, resolveMentions } from '../../db/statements/mentions.ts';
import type { Deps } from '../../deps.ts';
import { type MessageView, messageViewOf } from '../../views/chat.ts';
import { type PublicUser, publicUserOf } from '../../views/people.ts';
import { createNotification, publishNotifications, type UserEvent } from '../notifications.ts';
import { userChannel } from '../session-events.ts';
import { authorizeRead } from './rooms.ts';

/**
 * @mentions: a message's `@username`s become the people they name (by id) when it is sent or edited, among those
 * who can read its room and have not blocked the sender; anyone else named stays text. A message without a name in
 * it costs nothing here: no statement, no event.
 */

/** Mention spam: a message naming more different people than the limit is refused whole, before anything is stored. */
export function refuseMentionFlood(body: string, maxMentions: number): void {
  const count = mentionedNames(body).length;
  if (count <= maxMentions) return;
  throw new TRPCError({
    code: 'BAD_REQUEST',
    message: `A message can mention at most ${maxMentions} different people; this one names ${count}.`,
  });
}

/**
 * The send path's one call, in place of `appendMessage`: a message that names someone is stored with its mentions
 * in one transaction, so nobody — a reader catching up, say — can see it without them. One with no name in it is
 * exactly the plain send, with no statement more. The people mentioned get a bell entry; nobody waits for that.
 */
export async function appendMentioning<Send extends Parameters<typeof appendMessage>[1]>(
  deps: Deps,
  em: EntityManager,
  send: Send,
  append: (em: EntityManager, send: Send) => Promise<AppendedMessage | null> = appendMessage,
): Promise<AppendedMessage | null> {
  const names = mentionedNames(send.body);
  if (names.length === 0) return append(em, send);
  const stored = await em.transactional(async (tx) => {
    const appended = await append(tx, send);
    if (!appended) return null;
    const change = await resolve(tx, messageViewOf(appended.message), names);
    appended.message.mentions = change.mentioned;
    return { appended, change };
  });
  if (!stored) return null;
  const message = messageViewOf(stored.appended.message);
  inBackground(deps, message, () => notifyMentioned(deps, message, stored.change));
  return stored.appended;
}

/**
 * An edit's part, inside its transaction: the message now mentions whom its new words name. Null (and no
 * statement) when it mentioned nobody and still names nobody.
 */
export async function rementionInEdit(
  tx: EntityManager,
  message: MessageView,
  body: string,
): Promise<MentionChange | null> {
  const names = mentionedNames(body);
  if (names.length === 0 && message.mentions.length === 0) return null;
  return resolve(tx, message, names);
}

/**
 * After an edit committed: people it newly mentions get a bell entry, and everyone whose unread mentions it
 * changed has their room list fetch its counts again.
 */
export function announceEditedMentions(deps: Deps, message: MessageView, change: MentionChange): void {
  inBackground(deps, message, async () => {
    await notifyMentioned(deps, message, change);
    await recountMentions(deps, message, [...change.added, ...change.removed]);
  });
}

/** A deleted message's mentions stop counting: their people's room lists fetch their counts again. */
export function announceMentionsGone(deps: Deps, message: MessageView): void {
  const mentioned = message.mentions.map((person) => person.id);
  if (mentioned.length > 0) inBackground(deps, message, () => recountMentions(deps, message, mentioned));
}

const resolve = (em: EntityManager, message: MessageView, names: readonly string[]) =>
  resolveMentions(em, { messageId: message.id, roomId: message.roomId, senderId: message.sender.id, names });

/** After the answer, and waited for at shutdown like any other background work. */
function inBackground(deps: Deps, message: MessageView, work: () => Promise<void>): void {
  deps.background.run(`announce the mentions of message ${message.id}`, work);
}

/** The sender's own mentions of themselves never count nor notify. */
const othersThan = (message: MessageView, ids: readonly number[]) =>
  ids.filter((id) => id !== message.sender.id);

async function recountMentions(deps: Deps, message: MessageView, userIds: readonly number[]) {
  const changed: UserEvent = { type: 'room.changed', roomId: message.roomId };
  await Promise.all(othersThan(message, userIds).map((id) => deps.bus.publish(userChannel(id), changed)));
}

async function notifyMentioned(deps: Deps, message: MessageView, change: MentionChange) {
  const userIds = othersThan(message, change.added);
  if (userIds.length === 0) return;
  const where = change.roomKind === 'public' ? ' in the public room' : '';
  const text = `${message.sender.displayName} mentioned you${where}: “${excerptOf(withDisplayNames(message.body, message.mentions))}”`;
  const stored = await deps.orm.em.fork().transactional(async (tx) => {
    const views = [];
    for (const userId of userIds) {
      const notification = { userId, kind: 'message.mention' as const, actorId: message.sender.id, text };
      views.push({ userId, view: await createNotification(tx, { ...notification, messageId: message.id }) });
    }
    return views;
  });
  await publishNotifications(deps, stored);
}

/** Whom the composer offers after an `@`: people who can read the room, friends and recent speakers first. */
export async function candidates(
  em: EntityManager,
  viewerId: number,
  input: { roomId: number; query: string; limit: number },
): Promise<{ items: PublicUser[] }> {
  await authorizeRead(em, input.roomId, viewerId);
  const people = await mentionCandidates(em, {
    roomId: input.roomId,
    viewerId,
    prefix: input.query,
    limit: input.limit,
  });
  return { items: people.map(publicUserOf) };
}
