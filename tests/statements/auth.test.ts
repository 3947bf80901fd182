/**
 * The credential look-ups, read column by column on a real database: the session or token with its owner in one
 * statement, every field the entity type it declares (Dates, not timestamp text; bytes for the secret's hash).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiToken, Session, User } from '../../src/server/db/entities/index.ts';
import { type Orm, openDatabase } from '../../src/server/db/orm.ts';
import { apiTokenWithOwner, sessionWithOwner } from '../../src/server/db/statements/auth.ts';
import { createTestDatabase } from '../helpers/server.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let orm: Orm;
let ownerId: number;
const bannedUntil = new Date('2031-02-03T04:05:06.000Z');
const mutedUntil = new Date('2030-01-02T03:04:05.000Z');

beforeAll(async () => {
  database = await createTestDatabase();
  orm = await openDatabase(database.url);
  ownerId = await orm.em.fork().insert(User, {
    username: 'owner',
    displayName: 'The Owner',
    email: 'owner@example.com',
    passwordHash: 'not a real hash',
    avatarVersion: 4,
    bannedUntil,
    banReason: 'spam',
    mutedUntil,
    muteReason: 'shouting',
  });
});

afterAll(async () => {
  await orm?.close();
  await database?.drop();
});

const owner = () => ({
  id: ownerId,
  username: 'owner',
  displayName: 'The Owner',
  email: 'owner@example.com',
  role: 'user',
  avatarVersion: 4,
  bannedUntil,
  banReason: 'spam',
  mutedUntil,
  muteReason: 'shouting',
});

describe('sessionWithOwner', () => {
  it('reads the session and its owner in one statement, with Dates and the hash as bytes', async () => {
    const expiresAt = new Date('2030-06-07T08:09:10.000Z');
    const lastVerifiedAt = new Date('2026-06-07T08:09:10.000Z');
    const secretHash = Buffer.from([1, 2, 3, 250]);
    await orm.em.fork().insert(Session, {
      id: 'session-one',
      user: ownerId,
      secretHash,
      expiresAt,
      lastVerifiedAt,
      createdAt: new Date(),
    });
    const found = await sessionWithOwner(orm.em.fork(), 'session-one');
    expect(found).toStrictEqual({
      id: 'session-one',
      secretHash: expect.any(Uint8Array),
      expiresAt,
      lastVerifiedAt,
      user: owner(),
    });
    expect([...(found?.secretHash ?? [])]).toStrictEqual([1, 2, 3, 250]);
    expect(await sessionWithOwner(orm.em.fork(), 'no-such-session')).toBeUndefined();
  });
});

describe('apiTokenWithOwner', () => {
  it('reads the token and its owner in one statement; a token never used has no last use', async () => {
    const secretHash = Buffer.from([9, 8, 7]);
    await orm.em.fork().insert(ApiToken, {
      id: 'token-one',
      user: ownerId,
      name: 'script',
      secretHash,
      createdAt: new Date(),
      lastUsedAt: null,
    });
    const found = await apiTokenWithOwner(orm.em.fork(), 'token-one');
    expect(found).toStrictEqual({
      id: 'token-one',
      secretHash: expect.any(Uint8Array),
      lastUsedAt: null,
      user: owner(),
    });
    expect([...(found?.secretHash ?? [])]).toStrictEqual([9, 8, 7]);
    const usedAt = new Date('2026-05-06T07:08:09.000Z');
    await orm.em.fork().nativeUpdate(ApiToken, { id: 'token-one' }, { lastUsedAt: usedAt });
    expect((await apiTokenWithOwner(orm.em.fork(), 'token-one'))?.lastUsedAt).toStrictEqual(usedAt);
    expect(await apiTokenWithOwner(orm.em.fork(), 'no-such-token')).toBeUndefined();
  });
});
