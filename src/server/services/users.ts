import type { EntityManager } from '@mikro-orm/postgresql';
import { TRPCError } from '@trpc/server';
import type { z } from 'zod';
import type { searchInput, updateProfileInput } from '../../shared/people.ts';
import { hasControlCharacters } from '../../shared/text.ts';
import { User } from '../db/entities/index.ts';
import { profileSeenBy, type SearchPosition, searchPeople } from '../db/statements/people.ts';
import { type PublicUser, publicUserFields, publicUserOf } from '../views/people.ts';

export type { PublicUser };

/** Who did something, as notifications and checks need them. */
export type Actor = Pick<User, 'id' | 'username' | 'displayName'>;

const encodeCursor = (position: SearchPosition): string =>
  Buffer.from(JSON.stringify(position)).toString('base64url');

/** What a cursor decodes to is bound into SQL: only the shape we made, with text the database can store. */
function isCursor(value: unknown): value is SearchPosition {
  if (!Array.isArray(value) || value.length !== 3) return false;
  const [rank, name, id] = value as unknown[];
  return (
    typeof rank === 'number' &&
    typeof name === 'string' &&
    !hasControlCharacters(name) &&
    typeof id === 'number'
  );
}

function decodeCursor(cursor: string): SearchPosition {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString());
    if (isCursor(value)) return value;
  } catch {}
  throw new TRPCError({
    code: 'BAD_REQUEST',
    message: 'That page cursor is not valid; start the search again.',
  });
}

/** Username or display name matches, ranked exact, then prefix, then substring; never the email. */
export async function searchUsers(em: EntityManager, viewerId: number, input: z.output<typeof searchInput>) {
  const after = input.cursor ? decodeCursor(input.cursor) : null;
  const hits = await searchPeople(em, viewerId, { text: input.query, after, limit: input.limit + 1 });
  const page = hits.slice(0, input.limit);
  const last = page.at(-1);
  return {
    items: page.map((hit) => ({ ...publicUserOf(hit), relation: hit.relation, requestId: hit.requestId })),
    nextCursor: hits.length > input.limit && last ? encodeCursor(last.position) : null,
  };
}

export async function profileByUsername(em: EntityManager, viewerId: number, username: string) {
  const person = await profileSeenBy(em, viewerId, username);
  if (!person) throw new TRPCError({ code: 'NOT_FOUND', message: `There is no user called ${username}.` });
  const self = person.relation === 'self';
  return {
    ...publicUserOf(person),
    bio: person.bio,
    joinedAt: person.createdAt.toISOString(),
    friendCount: person.friendCount,
    relation: person.relation,
    /** The pending request for Accept, Decline or Cancel, when the relation is incoming or outgoing. */
    requestId: person.requestId,
    email: self || person.showEmail ? person.email : null,
    /** Your own setting; others see only whether the email is there. */
    showEmail: self ? person.showEmail : undefined,
  };
}

export async function updateProfile(
  em: EntityManager,
  userId: number,
  input: z.output<typeof updateProfileInput>,
) {
  const user = await em.findOneOrFail(User, { id: userId });
  if (input.displayName !== undefined) user.displayName = input.displayName;
  if (input.bio !== undefined) user.bio = input.bio;
  if (input.showEmail !== undefined) user.showEmail = input.showEmail;
  await em.flush();
  return {
    ...publicUserOf(user),
    bio: user.bio,
    showEmail: user.showEmail,
  };
}

export async function loadPublicUser(em: EntityManager, userId: number): Promise<PublicUser | null> {
  const user = await em.findOne(User, { id: userId }, { fields: publicUserFields });
  return user ? publicUserOf(user) : null;
}
