import type { EntityManager } from '@mikro-orm/postgresql';
import { TRPCError } from '@trpc/server';
import { type AuditAction, AuditEntry, type User } from '../db/entities/index.ts';
import { type PublicUser, publicUserOf } from '../views/people.ts';

export type { AuditAction };

export interface AuditRecord {
  actorId: number | null;
  action: AuditAction;
  targetUserId?: number | null;
  targetMessageId?: string | null;
  reason?: string | null;
  details?: Record<string, unknown>;
}

/** Records a moderator's act inside the act's own transaction: both happen, or neither. */
export async function audit(tx: EntityManager, record: AuditRecord): Promise<void> {
  const entry = tx.create(AuditEntry, {
    actor: record.actorId === null ? null : tx.getReference<User>('User', record.actorId),
    action: record.action,
    targetUser: record.targetUserId ? tx.getReference<User>('User', record.targetUserId) : null,
    targetMessageId: record.targetMessageId ?? null,
    reason: record.reason ?? null,
    details: record.details ?? {},
  });
  // Written now: the act's raw statements in the same transaction must not run ahead of its record.
  await tx.persist(entry).flush();
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
  const entries = await em.find(AuditEntry, cursor ? { id: { $lt: cursor } } : {}, {
    populate: ['actor', 'targetUser'],
    orderBy: { id: 'desc' },
    limit: limit + 1,
  });
  const items: AuditView[] = entries.slice(0, limit).map((entry) => ({
    id: entry.id,
    action: entry.action,
    actor: entry.actor ? publicUserOf(entry.actor) : null,
    target: entry.targetUser ? publicUserOf(entry.targetUser) : null,
    targetMessageId: entry.targetMessageId ?? null,
    reason: entry.reason ?? null,
    details: entry.details,
    createdAt: entry.createdAt.toISOString(),
  }));
  return { items, nextCursor: entries.length > limit ? (items.at(-1)?.id ?? null) : null };
}
