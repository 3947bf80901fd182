import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { rejection } from './helpers/errors.ts';
import { type Client, makeFriends, type Person, signUp } from './helpers/people.ts';
import { serverSuite } from './helpers/server-suite.ts';
import { roomyLimits } from './helpers/users.ts';

const suite = serverSuite({ env: roomyLimits });
let viewer: Person;

beforeAll(async () => {
  viewer = await signUp(suite.server, { displayName: 'Vera Viewer' });
});

/**
 * A word no one else in this database has: each test names its people after its own word, so searches in one test
 * never see another test's people. 'k' is not a hex digit, so random usernames cannot contain it by chance.
 */
const newWord = () => `k${randomBytes(3).toString('hex')}`;

async function usernamesFound(client: Client, query: string): Promise<string[]> {
  const { items } = await client.users.search.query({ query, limit: 50 });
  return items.map((hit) => hit.username);
}

/** Registers without a browser, for tests that need many people: a direct insert, as an import would do. */
async function insertPeople(people: { username: string; displayName: string }[]): Promise<void> {
  await suite.db.query(
    `insert into users (username, display_name, email, password_hash)
     select u, d, lower(u) || '@bulk.example.com', 'not-a-real-hash' from unnest($1::text[], $2::text[]) as t(u, d)`,
    [people.map((p) => p.username), people.map((p) => p.displayName)],
  );
}

describe('finding people by name', () => {
  it('finds a username or display name, whatever the case, with exact matches first, then prefixes, then the rest', async () => {
    const word = newWord();
    const exactUsername = await signUp(suite.server, { username: word, displayName: 'Someone Else' });
    const exactDisplayName = await signUp(suite.server, { displayName: word.toUpperCase() });
    const usernamePrefix = await signUp(suite.server, { username: `${word}_fan` });
    const displayNamePrefix = await signUp(suite.server, { displayName: `${word}son Smith` });
    const usernameInside = await signUp(suite.server, { username: `the_${word}_club` });
    const displayNameInside = await signUp(suite.server, { displayName: `Mister ${word}` });

    const { items } = await viewer.client.users.search.query({ query: word.toUpperCase() });

    const ids = items.map((hit) => hit.id);
    expect(ids).toHaveLength(6);
    expect(new Set(ids.slice(0, 2))).toEqual(new Set([exactUsername.id, exactDisplayName.id]));
    expect(new Set(ids.slice(2, 4))).toEqual(new Set([usernamePrefix.id, displayNamePrefix.id]));
    expect(new Set(ids.slice(4, 6))).toEqual(new Set([usernameInside.id, displayNameInside.id]));
    expect(items.find((hit) => hit.id === displayNamePrefix.id)).toMatchObject({
      username: displayNamePrefix.username,
      displayName: `${word}son Smith`,
      avatarUrl: null,
      relation: 'none',
    });
  });

  it('finds people by a piece from the middle of their name', async () => {
    const word = newWord();
    const ada = await signUp(suite.server, { displayName: `Ada ${word}lace` });

    const found = await usernamesFound(viewer.client, `${word.slice(2)}LA`);

    expect(found).toEqual([ada.username]);
  });

  it('finds display names with accented letters whatever their case', async () => {
    const word = newWord();
    const zoe = await signUp(suite.server, { displayName: `Zoë Ångström ${word}` });

    expect(await usernamesFound(viewer.client, `ÅNGSTRÖM ${word}`)).toEqual([zoe.username]);
    expect(await usernamesFound(viewer.client, `zoë ångström ${word}`)).toEqual([zoe.username]);
  });

  it('never matches an email address, and never shows one', async () => {
    const word = newWord();
    const secretive = await signUp(suite.server, {
      email: `${word}.private@example.com`,
      displayName: 'Quiet Person',
    });

    const byEmail = await viewer.client.users.search.query({ query: word });
    expect(byEmail.items).toEqual([]);
    const byEmailDomain = await viewer.client.users.search.query({ query: `${word}.private@example` });
    expect(byEmailDomain.items).toEqual([]);

    const byName = await viewer.client.users.search.query({ query: secretive.username });
    expect(byName.items.map((hit) => hit.id)).toEqual([secretive.id]);
    expect(JSON.stringify(byName)).not.toContain(secretive.account.email);
  });

  it('takes % and _ literally rather than as wildcards', async () => {
    const word = newWord();
    const underscored = await signUp(suite.server, { username: `${word}_1` });
    await signUp(suite.server, { username: `${word}x1` });
    await signUp(suite.server, { displayName: `${word} 100 percent` });

    expect(await usernamesFound(viewer.client, `${word}_1`)).toEqual([underscored.username]);
    expect(await usernamesFound(viewer.client, `${word}%1`)).toEqual([]);
  });

  it('pages through many hits with a cursor: 20 per page by default, no one twice, no one missed, order kept', async () => {
    const word = newWord();
    const prefixes = Array.from({ length: 20 }, (_, i) => ({
      username: `${word}_${String(i).padStart(2, '0')}`,
      displayName: `Prefix Person ${i}`,
    }));
    const inside = Array.from({ length: 35 }, (_, i) => ({
      username: `x${String(i).padStart(2, '0')}_${word}`,
      displayName: `Inside Person ${i}`,
    }));
    await insertPeople([...prefixes, ...inside]);

    const first = await viewer.client.users.search.query({ query: word });
    expect(first.items).toHaveLength(20);
    expect(first.nextCursor).toEqual(expect.any(String));

    const pagesOfSeven: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: { items: { username: string }[]; nextCursor: string | null } =
        await viewer.client.users.search.query({ query: word, limit: 7, cursor });
      pagesOfSeven.push(...page.items.map((hit) => hit.username));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor !== null && pages < 20);

    expect(pages).toBe(8);
    expect(pagesOfSeven).toHaveLength(55);
    expect(new Set(pagesOfSeven).size).toBe(55);
    // Every prefix match comes before every match inside a name, on every page.
    expect(new Set(pagesOfSeven.slice(0, 20))).toEqual(new Set(prefixes.map((p) => p.username)));
    expect(pagesOfSeven.slice(0, 20)).toEqual(first.items.map((hit) => hit.username));

    const big = await viewer.client.users.search.query({ query: word, limit: 50 });
    expect(big.items.map((hit) => hit.username)).toEqual(pagesOfSeven.slice(0, 50));
    expect(big.nextCursor).not.toBeNull();
    const rest = await viewer.client.users.search.query({ query: word, limit: 50, cursor: big.nextCursor });
    expect(rest.items.map((hit) => hit.username)).toEqual(pagesOfSeven.slice(50));
    expect(rest.nextCursor).toBeNull();
  });

  it('pages across every rank by username, a display name that starts with the text among the usernames that do', async () => {
    const word = newWord();
    // In the order the search must list them: exact, prefix, inside a name; by username within each.
    const people = [
      { username: word, displayName: 'Exact By Username' },
      { username: `zz_${word}`, displayName: word },
      { username: `aa_${word}`, displayName: `${word}ford Prefix` },
      { username: `${word}_1`, displayName: 'Prefix By Username' },
      { username: `${word}_2`, displayName: 'Prefix By Username' },
      { username: `${word}x`, displayName: 'Prefix By Username' },
      { username: `mm_${word}`, displayName: `${word} Prefix` },
      { username: `zz_x_${word}`, displayName: `${word}ham Prefix` },
      { username: `a_${word}_inside`, displayName: 'Inside' },
      { username: `b_${word.slice(1)}`, displayName: `Inside ${word}` },
    ];
    await insertPeople(people);

    for (const limit of [1, 2, 3, 4]) {
      const found: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { items: { username: string }[]; nextCursor: string | null } =
          await viewer.client.users.search.query({ query: word, limit, cursor });
        found.push(...page.items.map((hit) => hit.username));
        cursor = page.nextCursor;
      } while (cursor !== null && found.length < 20);
      expect(found).toEqual(people.map((person) => person.username));
    }
  });

  it('says there is no next page when everything fits on one', async () => {
    const word = newWord();
    await signUp(suite.server, { displayName: `Only ${word}` });

    const page = await viewer.client.users.search.query({ query: word });

    expect(page.items).toHaveLength(1);
    expect(page.nextCursor).toBeNull();
  });
});

describe('how each person found relates to me', () => {
  it('marks me, my friends, requests either way, strangers and people I blocked', async () => {
    const word = newWord();
    const me = await signUp(suite.server, { displayName: `${word} Me` });
    const friend = await signUp(suite.server, { displayName: `${word} Friend` });
    const asker = await signUp(suite.server, { displayName: `${word} Asker` });
    const asked = await signUp(suite.server, { displayName: `${word} Asked` });
    const stranger = await signUp(suite.server, { displayName: `${word} Stranger` });
    const pest = await signUp(suite.server, { displayName: `${word} Pest` });
    await makeFriends(me, friend);
    await asker.client.friends.sendRequest.mutate({ userId: me.id });
    await me.client.friends.sendRequest.mutate({ userId: asked.id });
    await me.client.friends.block.mutate({ userId: pest.id });

    const { items } = await me.client.users.search.query({ query: word });

    const relations = Object.fromEntries(items.map((hit) => [hit.id, hit.relation]));
    expect(relations).toEqual({
      [me.id]: 'self',
      [friend.id]: 'friend',
      [asker.id]: 'incoming',
      [asked.id]: 'outgoing',
      [stranger.id]: 'none',
      [pest.id]: 'blocked',
    });
    // The same pair seen from the other side.
    const fromAsker = await asker.client.users.search.query({ query: `${word} me` });
    expect(fromAsker.items.map((hit) => [hit.id, hit.relation])).toEqual([[me.id, 'outgoing']]);
  });

  it('hides me completely from someone I blocked, while I still find them to unblock', async () => {
    const word = newWord();
    const blocker = await signUp(suite.server, { displayName: `${word} Blocker` });
    const blocked = await signUp(suite.server, { displayName: `${word} Blocked` });
    const bystander = await signUp(suite.server, { displayName: `${word} Bystander` });
    await blocker.client.friends.block.mutate({ userId: blocked.id });

    const seenByBlocked = await blocked.client.users.search.query({ query: word });
    expect(seenByBlocked.items.map((hit) => hit.id).sort()).toEqual([blocked.id, bystander.id].sort());
    expect(await usernamesFound(blocked.client, blocker.username)).toEqual([]);

    const seenByBlocker = await blocker.client.users.search.query({ query: blocked.username });
    expect(seenByBlocker.items.map((hit) => [hit.id, hit.relation])).toEqual([[blocked.id, 'blocked']]);

    await blocker.client.friends.unblock.mutate({ userId: blocked.id });
    expect(await usernamesFound(blocked.client, blocker.username)).toEqual([blocker.username]);
    const afterUnblock = await blocker.client.users.search.query({ query: blocked.username });
    expect(afterUnblock.items.map((hit) => hit.relation)).toEqual(['none']);
  });
});

describe('asking badly', () => {
  it('refuses signed-out visitors', async () => {
    const error = await rejection(suite.server.client().users.search.query({ query: 'ada' }));
    expect(error.data?.code).toBe('UNAUTHORIZED');
  });

  it.each([
    ['an empty query', { query: '' }, 'query'],
    ['a query of only spaces', { query: '   ' }, 'query'],
    ['a query of 61 characters', { query: 'a'.repeat(61) }, 'query'],
    ['a limit of 0', { query: 'ada', limit: 0 }, 'limit'],
    ['a limit of 51', { query: 'ada', limit: 51 }, 'limit'],
  ])('answers %s with BAD_REQUEST and a message for that field', async (_, input, field) => {
    const error = await rejection(viewer.client.users.search.query(input));

    expect(error.data?.code).toBe('BAD_REQUEST');
    expect(error.data?.fieldErrors?.[field]?.[0]).toEqual(expect.any(String));
  });

  it('takes a query of exactly 60 characters and a limit of 50', async () => {
    const page = await viewer.client.users.search.query({ query: 'q'.repeat(60), limit: 50 });
    expect(page).toEqual({ items: [], nextCursor: null });
  });

  it('answers a made-up cursor with BAD_REQUEST', async () => {
    const error = await rejection(viewer.client.users.search.query({ query: 'ada', cursor: 'not-a-cursor' }));
    expect(error.data?.code).toBe('BAD_REQUEST');
  });
});
