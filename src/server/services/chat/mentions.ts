import type { EntityManager } from '@mikro-orm/postgresql';
import { TRPCError } from '@trpc/server';
import { mentionedNames, withDisplayNames } from '../../../shared/mentions.ts';
import { excerptOf } from '../../../shared/replies.ts';
import { Notification } from '../../db/entities/index.ts';
import { type AppendedMessage, appendMessage } from '../../db/statements/chat.ts';
import { type MentionChange, mentionCandidates, resolveMentions } from '../../db/statements/mentions.ts';
import type { Deps } from '../../deps.ts';
import { type MessageView, messageViewOf } from '../../views/chat.ts';
import { type PublicUser, publicUserOf } from '../../views/people.ts';
import {
  createNotification,
  publishNotifications,
  publishUnreadCount,
  type UserEvent,
} from '../notifications.ts';
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
    const stillMentioned = new Set(change.mentioned.map((person) => person.id));
    await reviseNotices(deps, message, stillMentioned, noticeText(message, change.roomKind));
    await notifyMentioned(deps, message, change);
    await recountMentions(deps, message, [...change.added, ...change.removed]);
  });
}

/**
 * A deleted message's mentions stop counting: their people's room lists fetch their counts again, and the bell
 * keeps no notice of it (nor its words).
 */
export function announceMentionsGone(deps: Deps, message: MessageView): void {
  const mentioned = message.mentions.map((person) => person.id);
  if (mentioned.length === 0) return;
  inBackground(deps, message, async () => {
    await reviseNotices(deps, message, new Set(), null);
    await recountMentions(deps, message, mentioned);
  });
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

/** What a mention's notice says: who, where, and the message's first words as they are now. */
function noticeText(message: MessageView, roomKind: MentionChange['roomKind']): string {
  const where = roomKind === 'public' ? ' in the public room' : '';
  return `${message.sender.displayName} mentioned you${where}: “${excerptOf(withDisplayNames(message.body, message.mentions))}”`;
}

/**
 * The notices of a message's mentions say what it says now: those of people it still mentions take `text`, the
 * others go. Each person whose bell changed is told its count, and their tabs showing the list read it again.
 */
async function reviseNotices(
  deps: Deps,
  message: MessageView,
  stillMentioned: ReadonlySet<number>,
  text: string | null,
) {
  const em = deps.orm.em.fork();
  const notices = await em.find(
    Notification,
    { kind: 'message.mention', message: message.id },
    { fields: ['id', 'userId'] },
  );
  if (notices.length === 0) return;
  const gone = notices.filter((notice) => !stillMentioned.has(notice.userId)).map((notice) => notice.id);
  const kept = notices.filter((notice) => stillMentioned.has(notice.userId)).map((notice) => notice.id);
  await em.transactional(async (tx) => {
    if (gone.length > 0) await tx.nativeDelete(Notification, { id: { $in: gone } });
    if (kept.length > 0 && text !== null)
      await tx.nativeUpdate(Notification, { id: { $in: kept } }, { text });
  });
  await Promise.all(notices.map((notice) => publishUnreadCount(deps, notice.userId)));
}

async function notifyMentioned(deps: Deps, message: MessageView, change: MentionChange) {
  const userIds = othersThan(message, change.added);
  if (userIds.length === 0) return;
  const text = noticeText(message, change.roomKind);
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
