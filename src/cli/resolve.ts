/** Turns what a person types (`public`, `42`, `@ann`) into the ids the API takes. */
import { type TRPCClient, TRPCClientError } from '@trpc/client';
import type { AppRouter } from '../sdk/index.ts';
import { UsageError } from './errors.ts';

const usernameOf = (text: string) => (text.startsWith('@') ? text.slice(1) : text);

/** `public`, a room id, or `@username` for the private room with that friend (opened if it is new). */
export async function resolveRoom(
  client: TRPCClient<AppRouter>,
  text: string,
): Promise<{ id: number; name: string }> {
  if (text === 'public') return client.chat.publicRoom.query();
  if (/^\d+$/.test(text)) return { id: Number(text), name: `room ${text}` };
  if (!text.startsWith('@') || text.length < 2) {
    throw new UsageError(`"${text}" is not a room: give \`public\`, a room id, or @username.`);
  }
  const user = await client.users.byUsername.query({ username: usernameOf(text) });
  const room = await client.chat.openPrivate.mutate({ userId: user.id });
  return { id: room.id, name: `@${user.username}` };
}

export interface UserRef {
  id: number;
  username: string;
}

/**
 * `@username`, `username` or a user id. An admin looks people up in the admin list too: `users.byUsername` hides
 * someone who blocked the viewer, and a moderator must still be able to act on them.
 */
export async function resolveUser(
  client: TRPCClient<AppRouter>,
  text: string,
  { asAdmin = false } = {},
): Promise<UserRef> {
  if (/^\d+$/.test(text)) return { id: Number(text), username: `#${text}` };
  const username = usernameOf(text);
  if (!username) throw new UsageError('Give a user as @username or an id.');
  try {
    const user = await client.users.byUsername.query({ username });
    return { id: user.id, username: user.username };
  } catch (error) {
    const notFound = error instanceof TRPCClientError && error.data?.code === 'NOT_FOUND';
    if (!asAdmin || !notFound) throw error;
    const found = await findInAdminList(client, username);
    if (!found) throw error;
    return found;
  }
}

async function findInAdminList(client: TRPCClient<AppRouter>, username: string): Promise<UserRef | null> {
  const wanted = username.toLowerCase();
  let cursor: string | null = null;
  // The list matches substrings too; an exact name is usually on the first page.
  for (let page = 0; page < 20; page++) {
    const result = await client.admin.users.list.query({ query: username, limit: 100, cursor });
    const user = result.items.find((item) => item.username.toLowerCase() === wanted);
    if (user) return { id: user.id, username: user.username };
    if (!result.nextCursor) return null;
    cursor = result.nextCursor;
  }
  return null;
}
