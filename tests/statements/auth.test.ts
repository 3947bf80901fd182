/**
 * The credential look-ups, read column by column on a real database: sessions or tokens with their owners in one
 * statement, every field the entity type it declares (Dates, not timestamp text; bytes for the secret's hash).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { CredentialReads } from '../../src/server/auth/credential-reads.ts';
import { CurrentUsers } from '../../src/server/auth/current-users.ts';
import { ApiToken, Session, User } from '../../src/server/db/entities/index.ts';
import {
  apiTokensWithOwners,
  markTokensUsed,
  markUsersSeen,
  ownersByIds,
  sessionsWithOwners,
} from '../../src/server/db/statements/auth.ts';
import { InProcessBus } from '../../src/server/realtime/bus.ts';
import { statementDatabase } from '../helpers/statement-db.ts';

const db = statementDatabase();
let ownerId: number;
const bannedUntil = new Date('2031-02-03T04:05:06.000Z');
const mutedUntil = new Date('2030-01-02T03:04:05.000Z');

beforeAll(async () => {
  ownerId = await db.em().insert(User, {
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

describe('sessionsWithOwners', () => {
  it('reads the sessions and their owners in one statement, with Dates and the hash as bytes', async () => {
    const expiresAt = new Date('2030-06-07T08:09:10.000Z');
    const lastVerifiedAt = new Date('2026-06-07T08:09:10.000Z');
    const secretHash = Buffer.from([1, 2, 3, 250]);
    await db.em().insert(Session, {
      id: 'session-one',
      user: ownerId,
      secretHash,
      expiresAt,
      lastVerifiedAt,
      createdAt: new Date(),
    });
    const [found, ...others] = await sessionsWithOwners(db.em(), ['session-one', 'no-such-session']);
    expect(others).toStrictEqual([]);
    expect(found).toStrictEqual({
      id: 'session-one',
      secretHash: expect.any(Uint8Array),
      expiresAt,
      lastVerifiedAt,
      user: owner(),
    });
    expect([...(found?.secretHash ?? [])]).toStrictEqual([1, 2, 3, 250]);
    expect(await sessionsWithOwners(db.em(), ['no-such-session'])).toStrictEqual([]);
  });
});

describe('apiTokensWithOwners', () => {
  it('reads the tokens and their owners in one statement; a token never used has no last use', async () => {
    const secretHash = Buffer.from([9, 8, 7]);
    await db.em().insert(ApiToken, {
      id: 'token-one',
      user: ownerId,
      name: 'script',
      secretHash,
      createdAt: new Date(),
      lastUsedAt: null,
    });
    const [found, ...others] = await apiTokensWithOwners(db.em(), ['token-one', 'no-such-token']);
    expect(others).toStrictEqual([]);
    expect(found).toStrictEqual({
      id: 'token-one',
      secretHash: expect.any(Uint8Array),
      lastUsedAt: null,
      user: owner(),
    });
    expect([...(found?.secretHash ?? [])]).toStrictEqual([9, 8, 7]);
    const usedAt = new Date('2026-05-06T07:08:09.000Z');
    await db.em().nativeUpdate(ApiToken, { id: 'token-one' }, { lastUsedAt: usedAt });
    const [used] = await apiTokensWithOwners(db.em(), ['token-one']);
    expect(used?.lastUsedAt).toStrictEqual(usedAt);
    expect(await apiTokensWithOwners(db.em(), ['no-such-token'])).toStrictEqual([]);
  });
});

describe('CredentialReads', () => {
  it('gathers look-ups that arrive while one is out: a crowd of sockets costs a few statements', async () => {
    const ids = Array.from({ length: 50 }, (_, i) => `crowd-${i}`);
    for (const id of ids) {
      await db.em().insert(ApiToken, {
        id,
        user: ownerId,
        name: 'crowd',
        secretHash: Buffer.from([1]),
        createdAt: new Date(),
        lastUsedAt: null,
      });
    }
    const reads = new CredentialReads(db.orm());
    const knex = db.orm().em.getConnection().getKnex();
    let statements = 0;
    const counted = () => statements++;
    knex.on('query', counted);
    const found = await Promise.all([...ids, 'crowd-0', 'no-such-token'].map((id) => reads.tokens(id)));
    knex.off('query', counted);

    expect(found.map((token) => token?.id)).toStrictEqual([...ids, 'crowd-0', undefined]);
    expect(found[0]?.user).toStrictEqual(owner());
    // The first two go alone (two batches at a time), the other fifty wait and go together.
    expect(statements).toBe(3);
  });
});

describe('ownersByIds', () => {
  it('reads each person named once, every field of its type; an id with no one is left out', async () => {
    const found = await ownersByIds(db.em(), [ownerId, ownerId, 2_000_000_000]);
    expect(found).toStrictEqual([owner()]);
  });
});

describe('CurrentUsers', () => {
  it('reads a crowd that comes due together in a few statements, each person as they are now', async () => {
    const crowd: number[] = [];
    for (let i = 0; i < 50; i++) {
      crowd.push(
        await db.em().insert(User, {
          username: `due${i}`,
          displayName: `Due ${i}`,
          email: `due${i}@example.com`,
          passwordHash: 'not a real hash',
        }),
      );
    }
    const currentUsers = new CurrentUsers(new InProcessBus(), db.orm());
    const knex = db.orm().em.getConnection().getKnex();
    let statements = 0;
    const counted = () => statements++;
    knex.on('query', counted);
    const found = await Promise.all([...crowd, ownerId, 2_000_000_000].map((id) => currentUsers.get(id)));
    knex.off('query', counted);

    expect(found.map((user) => user?.username ?? null)).toStrictEqual([
      ...crowd.map((_, i) => `due${i}`),
      'owner',
      null,
    ]);
    expect(found.at(-2)).toMatchObject({
      bannedUntil,
      banReason: 'spam',
      mutedUntil,
      muteReason: 'shouting',
    });
    // The first two go alone (two batches at a time), the others wait and go together.
    expect(statements).toBe(3);
    // Then they are remembered: asked again, nobody is read.
    knex.on('query', counted);
    await Promise.all(crowd.map((id) => currentUsers.get(id)));
    knex.off('query', counted);
    expect(statements).toBe(3);
    currentUsers.close();
  });
});

describe('markTokensUsed and markUsersSeen', () => {
  it('stamps exactly the tokens and people named', async () => {
    const otherId = await db.em().insert(User, {
      username: 'bystander',
      displayName: 'Bystander',
      email: 'bystander@example.com',
      passwordHash: 'not a real hash',
    });
    for (const id of ['stamped-a', 'stamped-b', 'untouched']) {
      await db.em().insert(ApiToken, {
        id,
        user: ownerId,
        name: id,
        secretHash: Buffer.from([1]),
        createdAt: new Date(),
        lastUsedAt: null,
      });
    }
    const at = new Date('2026-12-06T08:00:00.000Z');
    await markTokensUsed(db.em(), ['stamped-a', 'stamped-b', 'no-such-token'], at);
    await markUsersSeen(db.em(), [ownerId], at);

    const tokens = await db
      .em()
      .fork()
      .find(ApiToken, { id: ['stamped-a', 'stamped-b', 'untouched'] });
    expect(Object.fromEntries(tokens.map((token) => [token.id, token.lastUsedAt]))).toStrictEqual({
      'stamped-a': at,
      'stamped-b': at,
      untouched: null,
    });
    const people = await db
      .em()
      .fork()
      .find(User, { id: [ownerId, otherId] });
    expect(Object.fromEntries(people.map((person) => [person.username, person.lastSeenAt]))).toStrictEqual({
      owner: at,
      bystander: null,
    });
  });
});
