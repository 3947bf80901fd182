import type { EntityManager } from '@mikro-orm/postgresql';
import { afterAll, beforeAll } from 'vitest';
import { Friendship, Room, RoomMember, User } from '../../src/server/db/entities/index.ts';
import { type Orm, openDatabase } from '../../src/server/db/orm.ts';
import { createTestDatabase } from './server.ts';

export interface StatementDatabase {
  /** The ORM open on it. */
  orm(): Orm;
  /** A fresh entity manager, as each request gets one. */
  em(): EntityManager;
  /** Where the database is, for a second connection of the test's own. */
  readonly url: string;
}

/**
 * A database of its own for one test file (the raw statements', the schema check), migrated, with the ORM open on
 * it; dropped after the file. Use it at the top of the file: its hooks run before the file's own.
 */
export function statementDatabase(): StatementDatabase {
  let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
  let orm: Orm | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
    orm = await openDatabase(database.url);
  });
  afterAll(async () => {
    await orm?.close();
    await database?.drop();
  });
  const opened = () => {
    if (!orm || !database)
      throw new Error('The database opens in beforeAll: use it inside a test or a hook.');
    return { orm, database };
  };
  return {
    orm: () => opened().orm,
    em: () => opened().orm.em.fork(),
    get url() {
      return opened().database.url;
    },
  };
}

let people = 0;

/** Someone in the users table, with a username made unique from `name`, and what statements read of them. */
export async function insertPerson(
  em: EntityManager,
  name: string,
  extra: { avatarVersion?: number | null; bannedUntil?: Date } = {},
) {
  const username = `${name.toLowerCase()}${++people}`;
  const avatarVersion = extra.avatarVersion ?? null;
  const id = await em.insert(User, {
    username,
    displayName: name,
    email: `${username}@example.com`,
    passwordHash: 'not a real hash',
    avatarVersion,
    bannedUntil: extra.bannedUntil ?? null,
  });
  return { id, username, displayName: name, avatarVersion };
}

/** Two friends and their private room, both members from its start (as `openPrivate` makes it): the room's id. */
export async function insertPrivateRoom(em: EntityManager, a: { id: number }, b: { id: number }) {
  const [low, high] = a.id < b.id ? [a.id, b.id] : [b.id, a.id];
  await em.insert(Friendship, { userLow: low, userHigh: high });
  const roomId = await em.insert(Room, {
    kind: 'private',
    name: 'Direct message',
    userLow: low,
    userHigh: high,
  });
  await em.insertMany(RoomMember, [
    { roomId, userId: low, readSeq: 0 },
    { roomId, userId: high, readSeq: 0 },
  ]);
  return roomId;
}
