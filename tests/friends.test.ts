import { describe, expect, it } from 'vitest';
import { rejection } from './helpers/errors.ts';
import {
  type Client,
  incomingRequestId,
  makeFriends,
  openTab,
  type Person,
  signUp,
} from './helpers/people.ts';
import { serverSuite } from './helpers/server-suite.ts';
import { roomyLimits } from './helpers/users.ts';

const suite = serverSuite({ env: roomyLimits });

type People<N extends number, Acc extends Person[] = []> = Acc['length'] extends N
  ? Acc
  : People<N, [...Acc, Person]>;

/** `count` newly registered people, each signed in in their own tab. */
const people = <N extends number>(count: N) =>
  Promise.all(Array.from({ length: count }, () => signUp(suite.server))) as Promise<People<N>>;

async function friendIds(client: Client, userId?: number): Promise<number[]> {
  const { items } = await client.friends.list.query(userId === undefined ? undefined : { userId });
  return items.map((friend) => friend.id).sort((x, y) => x - y);
}

async function codeOf(call: Promise<unknown>): Promise<string | undefined> {
  return (await rejection(call)).data?.code;
}

/** What the database holds about a pair, in either direction. */
async function pairRows(a: Person, b: Person) {
  const pending = await suite.db.query(
    `select id from friend_requests where status = 'pending'
      and ((from_id = $1 and to_id = $2) or (from_id = $2 and to_id = $1))`,
    [a.id, b.id],
  );
  const friendships = await suite.db.query(
    'select 1 from friendships where user_low = least($1::int, $2::int) and user_high = greatest($1::int, $2::int)',
    [a.id, b.id],
  );
  return { pending: pending.rowCount ?? 0, friendships: friendships.rowCount ?? 0 };
}

describe('making friends', () => {
  it('Ann asks Ben; Ben sees the request, accepts, and both see each other as friends', async () => {
    const ann = await signUp(suite.server, { displayName: 'Ann' });
    const ben = await signUp(suite.server, { displayName: 'Ben' });

    const sent = await ann.client.friends.sendRequest.mutate({ userId: ben.id });
    expect(sent).toMatchObject({ status: 'pending', requestId: expect.any(Number) });

    const bens = await ben.client.friends.requests.query();
    expect(bens.outgoing).toEqual([]);
    expect(bens.incoming).toEqual([
      {
        id: sent.requestId,
        from: expect.objectContaining({
          id: ann.id,
          username: ann.username,
          displayName: 'Ann',
          avatarUrl: null,
        }),
        createdAt: expect.stringMatching(/Z$/),
      },
    ]);
    const anns = await ann.client.friends.requests.query();
    expect(anns.incoming).toEqual([]);
    expect(anns.outgoing).toEqual([
      {
        id: sent.requestId,
        to: expect.objectContaining({ id: ben.id, username: ben.username, displayName: 'Ben' }),
        createdAt: expect.stringMatching(/Z$/),
      },
    ]);
    expect(JSON.stringify(anns)).not.toContain(ben.account.email);

    await ben.client.friends.accept.mutate({ requestId: sent.requestId });

    expect(await friendIds(ann.client)).toEqual([ben.id]);
    expect(await friendIds(ben.client)).toEqual([ann.id]);
    expect(await ben.client.friends.requests.query()).toEqual({ incoming: [], outgoing: [] });
    expect(await ann.client.friends.requests.query()).toEqual({ incoming: [], outgoing: [] });
  });

  it('asking someone who already asked me accepts their request instead', async () => {
    const [ann, ben] = await people(2);
    const first = await ann.client.friends.sendRequest.mutate({ userId: ben.id });

    const back = await ben.client.friends.sendRequest.mutate({ userId: ann.id });

    expect(back.status).toBe('accepted');
    expect(await friendIds(ann.client)).toEqual([ben.id]);
    expect(await friendIds(ben.client)).toEqual([ann.id]);
    expect(await pairRows(ann, ben)).toEqual({ pending: 0, friendships: 1 });
    const error = await rejection(ben.client.friends.accept.mutate({ requestId: first.requestId }));
    expect(error.data?.code).toBe('CONFLICT');
  });

  it('Ben declines: no friendship, and Ann can see the request is gone', async () => {
    const [ann, ben] = await people(2);
    const { requestId } = await ann.client.friends.sendRequest.mutate({ userId: ben.id });

    await ben.client.friends.decline.mutate({ requestId });

    expect(await friendIds(ann.client)).toEqual([]);
    expect(await friendIds(ben.client)).toEqual([]);
    expect(await ann.client.friends.requests.query()).toEqual({ incoming: [], outgoing: [] });
    expect(await ben.client.friends.requests.query()).toEqual({ incoming: [], outgoing: [] });
  });

  it('Ann changes her mind and cancels before Ben answers', async () => {
    const [ann, ben] = await people(2);
    const { requestId } = await ann.client.friends.sendRequest.mutate({ userId: ben.id });

    await ann.client.friends.cancelRequest.mutate({ requestId });

    expect(await ben.client.friends.requests.query()).toEqual({ incoming: [], outgoing: [] });
    expect(await codeOf(ben.client.friends.accept.mutate({ requestId }))).toBe('CONFLICT');
    expect(await friendIds(ben.client)).toEqual([]);
  });

  it('asking the same person again and again is throttled, with when to try again; others can still be asked', async () => {
    const [ann, ben, cat] = await people(3);
    for (let round = 0; round < 3; round++) {
      const { requestId } = await ann.client.friends.sendRequest.mutate({ userId: ben.id });
      await ann.client.friends.cancelRequest.mutate({ requestId });
    }

    const fourth = await rejection(ann.client.friends.sendRequest.mutate({ userId: ben.id }));

    expect(fourth.data?.code).toBe('TOO_MANY_REQUESTS');
    expect(fourth.message).toMatch(/asked .* 3 times in the last hour/);
    expect(fourth.data?.retryAfterSeconds).toBeGreaterThan(3000);
    expect(fourth.data?.retryAfterSeconds).toBeLessThanOrEqual(3600);
    expect(await pairRows(ann, ben)).toEqual({ pending: 0, friendships: 0 });
    expect((await ann.client.friends.sendRequest.mutate({ userId: cat.id })).status).toBe('pending');
    // Ben was never the one asking: he may still ask Ann.
    expect((await ben.client.friends.sendRequest.mutate({ userId: ann.id })).status).toBe('pending');
  });

  it('removing a friend ends the friendship for both', async () => {
    const [ann, ben, cat] = await people(3);
    await makeFriends(ann, ben);
    await makeFriends(ann, cat);

    await ben.client.friends.remove.mutate({ userId: ann.id });

    expect(await friendIds(ann.client)).toEqual([cat.id]);
    expect(await friendIds(ben.client)).toEqual([]);
    expect(await pairRows(ann, ben)).toEqual({ pending: 0, friendships: 0 });
    // And they can start again.
    const again = await ann.client.friends.sendRequest.mutate({ userId: ben.id });
    expect(again.status).toBe('pending');
  });
});

describe('whose friends I can see', () => {
  it("I see my own friends and a friend's friends, but not a stranger's", async () => {
    const [me, friend, friendOfFriend, stranger, strangersFriend] = await people(5);
    await makeFriends(me, friend);
    await makeFriends(friend, friendOfFriend);
    await makeFriends(stranger, strangersFriend);

    expect(await friendIds(me.client)).toEqual([friend.id]);
    expect(await friendIds(me.client, me.id)).toEqual([friend.id]);
    expect(await friendIds(me.client, friend.id)).toEqual([me.id, friendOfFriend.id].sort((x, y) => x - y));
    expect(await codeOf(me.client.friends.list.query({ userId: stranger.id }))).toBe('FORBIDDEN');
    expect(await codeOf(me.client.friends.list.query({ userId: 99_999_999 }))).toBe('NOT_FOUND');
  });

  it('a friend list entry is a public user: no email', async () => {
    const [me, friend] = await people(2);
    await makeFriends(me, friend);

    const { items } = await me.client.friends.list.query();

    expect(items).toEqual([
      expect.objectContaining({ id: friend.id, username: friend.username, displayName: friend.displayName }),
    ]);
    expect(JSON.stringify(items)).not.toContain(friend.account.email);
  });
});

describe('the rules for friend requests', () => {
  it('I cannot ask myself: BAD_REQUEST', async () => {
    const [me] = await people(1);
    expect(await codeOf(me.client.friends.sendRequest.mutate({ userId: me.id }))).toBe('BAD_REQUEST');
  });

  it('I cannot ask someone who does not exist: NOT_FOUND', async () => {
    const [me] = await people(1);
    expect(await codeOf(me.client.friends.sendRequest.mutate({ userId: 99_999_999 }))).toBe('NOT_FOUND');
  });

  it('I cannot ask a friend again: CONFLICT', async () => {
    const [ann, ben] = await people(2);
    await makeFriends(ann, ben);

    expect(await codeOf(ann.client.friends.sendRequest.mutate({ userId: ben.id }))).toBe('CONFLICT');
    expect(await codeOf(ben.client.friends.sendRequest.mutate({ userId: ann.id }))).toBe('CONFLICT');
  });

  it('I cannot ask twice while my request is pending: CONFLICT, and still one request', async () => {
    const [ann, ben] = await people(2);
    await ann.client.friends.sendRequest.mutate({ userId: ben.id });

    expect(await codeOf(ann.client.friends.sendRequest.mutate({ userId: ben.id }))).toBe('CONFLICT');
    expect(await pairRows(ann, ben)).toEqual({ pending: 1, friendships: 0 });
  });

  it('I cannot ask someone who blocked me, nor someone I blocked: FORBIDDEN', async () => {
    const [blocker, blocked] = await people(2);
    await blocker.client.friends.block.mutate({ userId: blocked.id });

    expect(await codeOf(blocked.client.friends.sendRequest.mutate({ userId: blocker.id }))).toBe('FORBIDDEN');
    expect(await codeOf(blocker.client.friends.sendRequest.mutate({ userId: blocked.id }))).toBe('FORBIDDEN');
    expect(await pairRows(blocker, blocked)).toEqual({ pending: 0, friendships: 0 });
  });

  it('only the person asked can accept or decline: the sender gets FORBIDDEN', async () => {
    const [ann, ben] = await people(2);
    const { requestId } = await ann.client.friends.sendRequest.mutate({ userId: ben.id });

    expect(await codeOf(ann.client.friends.accept.mutate({ requestId }))).toBe('FORBIDDEN');
    expect(await codeOf(ann.client.friends.decline.mutate({ requestId }))).toBe('FORBIDDEN');
    expect(await pairRows(ann, ben)).toEqual({ pending: 1, friendships: 0 });
  });

  it('only the sender can cancel: the person asked gets FORBIDDEN', async () => {
    const [ann, ben] = await people(2);
    const { requestId } = await ann.client.friends.sendRequest.mutate({ userId: ben.id });

    expect(await codeOf(ben.client.friends.cancelRequest.mutate({ requestId }))).toBe('FORBIDDEN');
    expect(await incomingRequestId(ben, ann)).toBe(requestId);
  });

  it('someone else cannot touch our request (FORBIDDEN, as API.md says of anyone not its receiver)', async () => {
    const [ann, ben, eve] = await people(3);
    const { requestId } = await ann.client.friends.sendRequest.mutate({ userId: ben.id });

    const accept = await rejection(eve.client.friends.accept.mutate({ requestId }));
    expect(accept.data?.code).toBe('FORBIDDEN');
    expect(accept.message).toBe('Only the person asked can answer this request.');
    expect(await codeOf(eve.client.friends.decline.mutate({ requestId }))).toBe('FORBIDDEN');
    expect(await codeOf(eve.client.friends.cancelRequest.mutate({ requestId }))).toBe('FORBIDDEN');
    expect(await codeOf(eve.client.friends.accept.mutate({ requestId: 99_999_999 }))).toBe('NOT_FOUND');
    expect(await pairRows(ann, ben)).toEqual({ pending: 1, friendships: 0 });
  });

  it.each([
    ['accepted', 'accept'],
    ['declined', 'decline'],
    ['cancelled', 'cancelRequest'],
  ] as const)('a request already %s cannot change again: CONFLICT', async (_, ending) => {
    const [ann, ben] = await people(2);
    const { requestId } = await ann.client.friends.sendRequest.mutate({ userId: ben.id });
    if (ending === 'cancelRequest') await ann.client.friends.cancelRequest.mutate({ requestId });
    else await ben.client.friends[ending].mutate({ requestId });
    const before = await pairRows(ann, ben);

    expect(await codeOf(ben.client.friends.accept.mutate({ requestId }))).toBe('CONFLICT');
    expect(await codeOf(ben.client.friends.decline.mutate({ requestId }))).toBe('CONFLICT');
    expect(await codeOf(ann.client.friends.cancelRequest.mutate({ requestId }))).toBe('CONFLICT');
    expect(await pairRows(ann, ben)).toEqual(before);
  });

  it('ten clicks each way at once leave one friendship or one request, never two pending requests', async () => {
    const [ann, ben] = await people(2);

    // Each click from its own tab, so each is its own HTTP request.
    const annTabs = Array.from({ length: 10 }, () => openTab(suite.server, ann));
    const benTabs = Array.from({ length: 10 }, () => openTab(suite.server, ben));
    const results = await Promise.allSettled([
      ...annTabs.map((tab) => tab.friends.sendRequest.mutate({ userId: ben.id })),
      ...benTabs.map((tab) => tab.friends.sendRequest.mutate({ userId: ann.id })),
    ]);

    const { pending, friendships } = await pairRows(ann, ben);
    expect(pending + friendships).toBe(1);
    const all = await suite.db.query(
      'select status from friend_requests where (from_id = $1 and to_id = $2) or (from_id = $2 and to_id = $1)',
      [ann.id, ben.id],
    );
    // One request was made; at most it was accepted by the other side asking back.
    expect(all.rows).toHaveLength(1);
    const fulfilled = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value.status] : []));
    expect(fulfilled.filter((status) => status === 'pending')).toHaveLength(1);
    expect(fulfilled.filter((status) => status === 'accepted')).toHaveLength(friendships);
    for (const result of results) {
      if (result.status === 'rejected') {
        expect(result.reason).toMatchObject({ data: { code: 'CONFLICT' } });
      }
    }
  });

  it('the database itself refuses a second pending request between the same two people', async () => {
    const [ann, ben] = await people(2);
    await ann.client.friends.sendRequest.mutate({ userId: ben.id });

    await expect(
      suite.db.query("insert into friend_requests (from_id, to_id, status) values ($1, $2, 'pending')", [
        ben.id,
        ann.id,
      ]),
    ).rejects.toMatchObject({ code: '23505' });
  });
});

describe('blocking', () => {
  it('ends our friendship, and I can list and unblock them', async () => {
    const [me, pest] = await people(2);
    await makeFriends(me, pest);

    await me.client.friends.block.mutate({ userId: pest.id });

    expect(await friendIds(me.client)).toEqual([]);
    expect(await friendIds(pest.client)).toEqual([]);
    const { items } = await me.client.friends.blocked.query();
    expect(items).toEqual([expect.objectContaining({ id: pest.id, username: pest.username })]);
    expect(await pest.client.friends.blocked.query()).toEqual({ items: [] });

    await me.client.friends.unblock.mutate({ userId: pest.id });

    expect(await me.client.friends.blocked.query()).toEqual({ items: [] });
    const asked = await pest.client.friends.sendRequest.mutate({ userId: me.id });
    expect(asked.status).toBe('pending');
  });

  it.each([
    ['they asked me', 'theirs'],
    ['I asked them', 'mine'],
  ] as const)('removes a pending request (%s)', async (_, whose) => {
    const [me, pest] = await people(2);
    if (whose === 'theirs') await pest.client.friends.sendRequest.mutate({ userId: me.id });
    else await me.client.friends.sendRequest.mutate({ userId: pest.id });

    await me.client.friends.block.mutate({ userId: pest.id });

    expect(await me.client.friends.requests.query()).toEqual({ incoming: [], outgoing: [] });
    expect(await pest.client.friends.requests.query()).toEqual({ incoming: [], outgoing: [] });
    expect(await pairRows(me, pest)).toEqual({ pending: 0, friendships: 0 });
  });

  it('hides each from the other: they cannot find me; I find them marked as blocked', async () => {
    const [me, pest] = await people(2);
    await me.client.friends.block.mutate({ userId: pest.id });

    const theirSearch = await pest.client.users.search.query({ query: me.username });
    expect(theirSearch.items).toEqual([]);
    const mySearch = await me.client.users.search.query({ query: pest.username });
    expect(mySearch.items.map((hit) => [hit.id, hit.relation])).toEqual([[pest.id, 'blocked']]);
  });

  it('blocking someone who does not exist is NOT_FOUND', async () => {
    const [me] = await people(1);

    expect(await codeOf(me.client.friends.block.mutate({ userId: 99_999_999 }))).toBe('NOT_FOUND');
    expect(await me.client.friends.blocked.query()).toEqual({ items: [] });
  });
});

describe('signed out or sending nonsense', () => {
  const guest = () => suite.server.client().friends;
  it.each([
    ['sendRequest', () => guest().sendRequest.mutate({ userId: 1 })],
    ['cancelRequest', () => guest().cancelRequest.mutate({ requestId: 1 })],
    ['accept', () => guest().accept.mutate({ requestId: 1 })],
    ['decline', () => guest().decline.mutate({ requestId: 1 })],
    ['remove', () => guest().remove.mutate({ userId: 1 })],
    ['list', () => guest().list.query()],
    ['requests', () => guest().requests.query()],
    ['block', () => guest().block.mutate({ userId: 1 })],
    ['unblock', () => guest().unblock.mutate({ userId: 1 })],
    ['blocked', () => guest().blocked.query()],
  ])('friends.%s answers UNAUTHORIZED to a signed-out visitor', async (_, call) => {
    expect(await codeOf(call())).toBe('UNAUTHORIZED');
  });

  it.each([
    ['a user id of 0', { userId: 0 }],
    ['a fractional user id', { userId: 1.5 }],
  ])('sendRequest answers %s with BAD_REQUEST and a message for userId', async (_, input) => {
    const [me] = await people(1);
    const error = await rejection(me.client.friends.sendRequest.mutate(input));
    expect(error.data?.code).toBe('BAD_REQUEST');
    expect(error.data?.fieldErrors?.userId?.[0]).toEqual(expect.any(String));
  });
});
