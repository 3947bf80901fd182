import type { User } from '../db/entities/index.ts';
import { type PublicUser, publicUserOf } from './people.ts';

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

const iso = (time: Date | null | undefined) => time?.toISOString() ?? null;

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
    bannedUntil: iso(bannedUntil),
    banReason: bannedUntil ? (user.banReason ?? null) : null,
    mutedUntil: iso(mutedUntil),
    muteReason: mutedUntil ? (user.muteReason ?? null) : null,
    createdAt: user.createdAt.toISOString(),
    lastSeenAt: iso(user.lastSeenAt),
    messageCount: user.messageCount.$,
  };
}
