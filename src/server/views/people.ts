import { avatarUrl } from '../../shared/avatars.ts';
import type { User } from '../db/entities/index.ts';

/** One mapping from the people tables' rows to the API's shapes: every service that shows a person uses it. */

export interface PublicUser {
  id: number;
  username: string;
  displayName: string;
  avatarUrl: string | null;
}

export function publicUserOf(
  user: Pick<User, 'id' | 'username' | 'displayName' | 'avatarVersion'>,
): PublicUser {
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    avatarUrl: avatarUrl(user.id, user.avatarVersion ?? null),
  };
}
