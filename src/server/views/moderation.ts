import type { Report, User } from '../db/entities/index.ts';
import type { MessageView } from '../services/chat/messages.ts';
import { type PublicUser, publicUserOf } from './people.ts';
import { isoOrNull } from './time.ts';

/** One mapping from moderation's rows (users as admins see them, reports) to the admin API's shapes. */

export type UserStatus = 'active' | 'banned' | 'muted';

export interface AdminUserView extends PublicUser {
  email: string;
  role: User['role'];
  status: UserStatus;
  bannedUntil: string | null;
  banReason: string | null;
  mutedUntil: string | null;
  muteReason: string | null;
  createdAt: string;
  lastSeenAt: string | null;
  messageCount: number;
}

export type AdminUserRow = Pick<
  User,
  | 'id'
  | 'username'
  | 'displayName'
  | 'avatarVersion'
  | 'email'
  | 'role'
  | 'createdAt'
  | 'lastSeenAt'
  | 'bannedUntil'
  | 'banReason'
  | 'mutedUntil'
  | 'muteReason'
> & { messageCount: { $: number } };

/** A ban or mute shows only while it lasts; one whose time is up reads as none. */
const lasting = (until: Date | null | undefined, now: number) =>
  until && until.getTime() > now ? until : null;

export function adminUserOf(user: AdminUserRow, now = Date.now()): AdminUserView {
  const bannedUntil = lasting(user.bannedUntil, now);
  const mutedUntil = lasting(user.mutedUntil, now);
  return {
    ...publicUserOf(user),
    email: user.email,
    role: user.role,
    status: bannedUntil ? 'banned' : mutedUntil ? 'muted' : 'active',
    bannedUntil: isoOrNull(bannedUntil),
    banReason: bannedUntil ? (user.banReason ?? null) : null,
    mutedUntil: isoOrNull(mutedUntil),
    muteReason: mutedUntil ? (user.muteReason ?? null) : null,
    createdAt: user.createdAt.toISOString(),
    lastSeenAt: isoOrNull(user.lastSeenAt),
    messageCount: user.messageCount.$,
  };
}

export interface ReportView {
  id: number;
  reason: string;
  status: Report['status'];
  action: string | null;
  createdAt: string;
  resolvedAt: string | null;
  reporter: Omit<PublicUser, 'avatarUrl'>;
  message: MessageView;
}

/** The columns the queue shows: the report's own, the message it is about, and its reporter's names. */
export const shownReportFields = [
  'id',
  'messageId',
  'reason',
  'status',
  'action',
  'createdAt',
  'resolvedAt',
  'reporter.id',
  'reporter.username',
  'reporter.displayName',
] as const;

export type ShownReport = Pick<Report, 'id' | 'reason' | 'status' | 'action' | 'createdAt' | 'resolvedAt'> & {
  reporter: Pick<User, 'id' | 'username' | 'displayName'>;
};

/** A report in the moderators' queue, with the message as the chat shows it. */
export function reportViewOf(report: ShownReport, message: MessageView): ReportView {
  return {
    id: report.id,
    reason: report.reason,
    status: report.status,
    action: report.action ?? null,
    createdAt: report.createdAt.toISOString(),
    resolvedAt: isoOrNull(report.resolvedAt),
    reporter: {
      id: report.reporter.id,
      username: report.reporter.username,
      displayName: report.reporter.displayName,
    },
    message,
  };
}
