import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import { Message } from './chat.ts';
import { createdAt, reference, related } from './columns.ts';
import { User } from './user.ts';

export const reportStatuses = ['open', 'resolved', 'dismissed'] as const;

/** A member's report of a message, until a moderator resolves or dismisses it. */
export const Report = defineEntity({
  name: 'Report',
  tableName: 'reports',
  properties: {
    id: p.integer().primary().autoincrement(),
    messageId: reference(Message, 'reports', 'message_id', 'cascade'),
    // A relation, not a bare id: the moderators' queue loads who reported in the same query.
    reporter: related(User, 'reports', 'reporter_id', 'cascade'),
    reason: p.string().length(500),
    status: p.enum([...reportStatuses]).default('open'),
    action: p.text().nullable(),
    resolvedBy: reference(User, 'reports', 'resolved_by', 'set null').nullable(),
    resolvedAt: p.datetime().nullable(),
    createdAt: createdAt(),
  },
  uniques: [{ name: 'reports_message_id_reporter_id_key', properties: ['messageId', 'reporter'] }],
  indexes: [
    { name: 'reports_status', expression: 'create index reports_status on reports (status, id desc)' },
  ],
});
export type Report = InferEntity<typeof Report>;

/**
 * What moderators did, append-only: triggers in the migrations refuse UPDATE, DELETE and TRUNCATE (the schema
 * diff does not look at triggers, so they are not described here).
 */
export const auditActions = [
  'user.ban',
  'user.unban',
  'user.mute',
  'user.unmute',
  'user.role',
  'user.create-admin',
  'user.password-reset',
  'message.delete',
  'report.resolve',
] as const;
export type AuditAction = (typeof auditActions)[number];

export const AuditEntry = defineEntity({
  name: 'AuditEntry',
  tableName: 'audit_log',
  properties: {
    id: p.bigint('string').primary().autoincrement(),
    actor: related(User, 'audit_log', 'actor_id', 'set null').nullable(),
    action: p.text().$type<AuditAction>(),
    targetUser: related(User, 'audit_log', 'target_user_id', 'set null').nullable(),
    /** Not a foreign key: the entry outlives the message it names. */
    targetMessageId: p.bigint('string').nullable(),
    reason: p.string().length(500).nullable(),
    details: p.json<Record<string, unknown>>().defaultRaw("'{}'"),
    createdAt: createdAt(),
  },
});
export type AuditEntry = InferEntity<typeof AuditEntry>;
