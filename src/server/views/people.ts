import { avatarUrl } from '../../shared/avatars.ts';
import type { User } from '../db/entities/index.ts';

/** One mapping from the people tables' rows to the API's shapes: every service that shows a person uses it. */

export interface PublicUser {
  id: number;
  username: string;
  displayName: string;
  avatarUrl: string | null;
}

/** The user fields a PublicUser is made of: load these (`fields`) and no more. */
export const publicUserFields = ['id', 'username', 'displayName', 'avatarVersion'] as const;

export type PublicUserSource = Pick<User, (typeof publicUserFields)[number]>;

export function publicUserOf(user: PublicUserSource): PublicUser {
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    avatarUrl: avatarUrl(user.id, user.avatarVersion ?? null),
  };
}

/** Who a signed-in caller is, as `auth.me` and sign-in answer. */
export interface AuthUser extends PublicUser {
  email: string;
  role: User['role'];
}

export const authUserFields = [...publicUserFields, 'email', 'role'] as const;

export function authUserOf(user: Pick<User, (typeof authUserFields)[number]>): AuthUser {
  const { id, username, displayName, avatarUrl } = publicUserOf(user);
  return { id, username, displayName, email: user.email, role: user.role, avatarUrl };
}
