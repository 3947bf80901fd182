import type { EntityManager } from '@mikro-orm/postgresql';
import { TRPCError } from '@trpc/server';
import { query, queryOne, sql } from '../db/sql.ts';
import { type PublicUser, publicUserColumns, toPublicUser, type UserRow } from './users.ts';

export type AuditAction =
  | 'user.ban'
  | 'user.unban'
  | 'user.mute'
  | 'user.unmute'
  | 'user.role'
  | 'user.create-admin'
  | 'message.delete'
  | 'report.resolve';

export interface AuditEntry {
  actorId: number | null;
  action: AuditAction;
  targetUserId?: number | null;
  targetMessageId?: string | null;
  reason?: string | null;
  details?: Record<string, unknown>;
}

/** Records a moderator's act inside the act's own transaction: both happen, or neither. */
export async function audit(tx: EntityManager, entry: AuditEntry): Promise<void> {
  await query(
    tx,
    sql`insert into audit_log (actor_id, action, target_user_id, target_message_id, reason, details)
      values (${entry.actorId}, ${entry.action}, ${entry.targetUserId ?? null}, ${entry.targetMessageId ?? null},
        ${entry.reason ?? null}, ${JSON.stringify(entry.details ?? {})})`,
  );
}

interface AuditRow {
  id: string;
  action: AuditAction;
  reason: string | null;
  details: Record<string, unknown>;
  created_at: string;
  target_message_id: string | null;
  actor: UserRow | null;
  target: UserRow | null;
}

export interface AuditView {
  id: string;
  action: AuditAction;
  actor: PublicUser | null;
  target: PublicUser | null;
  targetMessageId: string | null;
  reason: string | null;
  details: Record<string, unknown>;
  createdAt: string;
}

/** Newest first; `cursor` is the id to continue below. */
export async function listAudit(em: EntityManager, cursor: string | null, limit: number) {
  if (cursor !== null && !/^\d+$/.test(cursor)) {
    throw new TRPCError({ code: 'BAD_REQUEST', message: 'That page cursor is not valid.' });
  }
  const rows = await query<AuditRow>(
    em,
    sql`select a.id, a.action, a.reason, a.details, a.created_at, a.target_message_id,
        (select row_to_json(x) from (select ${publicUserColumns} from users u where u.id = a.actor_id) x) as actor,
        (select row_to_json(x) from (select ${publicUserColumns} from users u where u.id = a.target_user_id) x) as target
      from audit_log a ${cursor ? sql`where a.id < ${cursor}` : sql``}
      order by a.id desc limit ${limit + 1}`,
  );
  const items: AuditView[] = rows.slice(0, limit).map((row) => ({
    id: String(row.id),
    action: row.action,
    actor: row.actor && toPublicUser(row.actor),
    target: row.target && toPublicUser(row.target),
    targetMessageId: row.target_message_id === null ? null : String(row.target_message_id),
    reason: row.reason,
    details: row.details,
    createdAt: new Date(row.created_at).toISOString(),
  }));
  return { items, nextCursor: rows.length > limit ? (items.at(-1)?.id ?? null) : null };
}

export async function auditCount(em: EntityManager): Promise<number> {
  const row = await queryOne<{ count: string }>(em, sql`select count(*) from audit_log`);
  return Number(row?.count ?? 0);
}
