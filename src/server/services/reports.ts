import type { EntityManager } from '@mikro-orm/postgresql';
import { TRPCError } from '@trpc/server';
import { query, queryOne, sql } from '../db/sql.ts';
import type { Deps } from '../deps.ts';
import { audit } from './audit.ts';
import { type MessageRow, messageColumns, selectMessages, toMessage } from './chat/messages.ts';
import { remove } from './chat/post.ts';
import { authorizeRead } from './chat/rooms.ts';
import type { Actor } from './users.ts';

/** Anyone who can read a message can report it, once. */
export async function reportMessage(
  em: EntityManager,
  reporterId: number,
  messageId: string,
  reason: string,
) {
  const [message] = await selectMessages(em, sql`m.id = ${messageId}`);
  if (!message || message.deletedAt)
    throw new TRPCError({ code: 'NOT_FOUND', message: 'That message does not exist.' });
  await authorizeRead(em, message.roomId, reporterId);
  if (message.sender.id === reporterId) {
    throw new TRPCError({
      code: 'BAD_REQUEST',
      message: 'You cannot report your own message; delete it instead.',
    });
  }
  const row = await queryOne<{ id: number }>(
    em,
    sql`insert into reports (message_id, reporter_id, reason) values (${messageId}, ${reporterId}, ${reason})
      on conflict (message_id, reporter_id) do nothing returning id`,
  );
  if (!row) throw new TRPCError({ code: 'CONFLICT', message: 'You already reported this message.' });
  return { id: row.id };
}

interface ReportRow {
  id: number;
  reason: string;
  status: 'open' | 'resolved' | 'dismissed';
  action: string | null;
  created_at: string;
  resolved_at: string | null;
  reporter: { id: number; username: string; display_name: string; avatar_version: number | null };
  message: MessageRow;
}

export async function listReports(
  em: EntityManager,
  status: 'open' | 'resolved' | 'dismissed',
  cursor: number | null,
) {
  const limit = 50;
  const rows = await query<ReportRow>(
    em,
    sql`select r.id, r.reason, r.status, r.action, r.created_at, r.resolved_at,
        (select row_to_json(x) from (select id, username, display_name, avatar_version from users where id = r.reporter_id) x)
          as reporter,
        (select row_to_json(x) from (select ${messageColumns} from messages m join users u on u.id = m.sender_id
          where m.id = r.message_id) x) as message
      from reports r where r.status = ${status} ${cursor ? sql`and r.id < ${cursor}` : sql``}
      order by r.id desc limit ${limit + 1}`,
  );
  const items = rows.slice(0, limit).map((row) => ({
    id: row.id,
    reason: row.reason,
    status: row.status,
    action: row.action,
    createdAt: new Date(row.created_at).toISOString(),
    resolvedAt: row.resolved_at && new Date(row.resolved_at).toISOString(),
    reporter: {
      id: row.reporter.id,
      username: row.reporter.username,
      displayName: row.reporter.display_name,
    },
    message: toMessage(row.message),
  }));
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? String(last.id) : null };
}

/**
 * Dismisses a report, or deletes its message as a moderator; either way every open report on it is closed. The
 * report is claimed first (open → closed in one statement), so two moderators cannot both resolve it.
 */
export async function resolveReport(
  deps: Deps,
  em: EntityManager,
  admin: Actor & { role: string },
  reportId: number,
  action: 'dismiss' | 'delete',
) {
  const status = action === 'delete' ? 'resolved' : 'dismissed';
  const claimed = await em.transactional(async (tx) => {
    const report = await queryOne<{ message_id: string; reason: string }>(
      tx,
      sql`update reports set status = ${status}, action = ${action}, resolved_by = ${admin.id}, resolved_at = now()
        where id = ${reportId} and status = 'open' returning message_id, reason`,
    );
    if (!report) return null;
    const messageId = String(report.message_id);
    await query(
      tx,
      sql`update reports set status = ${status}, action = ${action}, resolved_by = ${admin.id}, resolved_at = now()
        where message_id = ${messageId} and status = 'open'`,
    );
    await audit(tx, {
      actorId: admin.id,
      action: 'report.resolve',
      targetMessageId: messageId,
      reason: report.reason,
      details: { reportId, action },
    });
    return { messageId, reason: report.reason };
  });
  if (!claimed) {
    const exists = await queryOne<{ status: string }>(
      em,
      sql`select status from reports where id = ${reportId}`,
    );
    if (!exists) throw new TRPCError({ code: 'NOT_FOUND', message: 'That report does not exist.' });
    throw new TRPCError({ code: 'CONFLICT', message: `That report was already ${exists.status}.` });
  }
  if (action === 'delete') {
    const [message] = await selectMessages(em, sql`m.id = ${claimed.messageId}`);
    if (message && !message.deletedAt) {
      await remove(deps, em, admin, claimed.messageId, {
        asModerator: true,
        reason: `Report: ${claimed.reason}`,
      });
    }
  }
  return { ok: true as const };
}
