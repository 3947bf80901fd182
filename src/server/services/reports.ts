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
  return { items, nextCursor: rows.length > limit ? (items.at(-1)?.id ?? null) : null };
}

/** Dismisses a report, or deletes its message as a moderator; either way every open report on it is closed. */
export async function resolveReport(
  deps: Deps,
  em: EntityManager,
  admin: Actor & { role: string },
  reportId: number,
  action: 'dismiss' | 'delete',
) {
  const report = await queryOne<{ message_id: string; status: string; reason: string }>(
    em,
    sql`select message_id, status, reason from reports where id = ${reportId}`,
  );
  if (!report) throw new TRPCError({ code: 'NOT_FOUND', message: 'That report does not exist.' });
  if (report.status !== 'open')
    throw new TRPCError({ code: 'CONFLICT', message: `That report was already ${report.status}.` });
  const messageId = String(report.message_id);
  if (action === 'delete') {
    const [message] = await selectMessages(em, sql`m.id = ${messageId}`);
    if (message && !message.deletedAt) await remove(deps, em, admin, messageId, `Report: ${report.reason}`);
  }
  await em.transactional(async (tx) => {
    await query(
      tx,
      sql`update reports set status = ${action === 'delete' ? 'resolved' : 'dismissed'}, action = ${action},
          resolved_by = ${admin.id}, resolved_at = now()
        where message_id = ${messageId} and status = 'open'`,
    );
    await audit(tx, {
      actorId: admin.id,
      action: 'report.resolve',
      targetMessageId: messageId,
      reason: report.reason,
      details: { reportId, action },
    });
  });
  return { ok: true as const };
}
