/**
 * Every resource has a bound: a batch asks for a bounded number of calls, a socket and a person a bounded number of
 * calls a minute, an address a bounded number of sockets (counted from the upgrade, whatever the socket says later),
 * and text the database cannot store is refused at the door, with no value of anyone's ever printed in a log line.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { appRouter } from '../src/server/router.ts';
import { socketCloseCodes } from '../src/shared/socket.ts';
import { signUpAdmin } from './helpers/admin.ts';
import { chattyLimits, newClientId, people, say } from './helpers/chat.ts';
import { connectDatabase } from './helpers/db.ts';
import { callFrame, type FrameSocket, openFrameSocket } from './helpers/frames.ts';
import { type RawResponse, rawMutation, rawQuery } from './helpers/http.ts';
import type { Person } from './helpers/people.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';
import { pause } from './helpers/sockets.ts';

const nul = '\u0000';

/** A search cursor as the server encodes one (see services/users.ts). */
const encodedCursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** What a readable refusal looks like: a sentence, not a JSON dump or the server's apology for itself. */
function expectReadableBadRequest(response: RawResponse, what: string): void {
  expect(response.status, what).toBe(400);
  expect(response.error?.data.code, what).toBe('BAD_REQUEST');
  expect(response.error?.message, what).toMatch(/^[A-Za-z][^{}[\]]*$/);
}

/** A call the way a client makes it over HTTP: a query by GET, a mutation by POST. */
function call(server: TestServer, path: string, input: unknown, cookie?: string): Promise<RawResponse> {
  const procedures = appRouter._def.procedures as unknown as Record<string, { _def: { type: string } }>;
  const headers: Record<string, string> = cookie ? { cookie } : {};
  return procedures[path]?._def.type === 'query'
    ? rawQuery(server.url, path, input, headers)
    : rawMutation(server.url, path, input, headers);
}

describe('text the database cannot store', () => {
  let server: TestServer;
  let db: pg.Client;
  let admin: Person;
  let ann: Person;
  let roomId: number;
  let messageId: string;

  beforeAll(async () => {
    server = await startTestServer({ env: chattyLimits });
    db = await connectDatabase(server.databaseUrl);
    admin = await signUpAdmin(server, db);
    [ann] = await people(server, 'Ann');
    roomId = (await ann.client.chat.publicRoom.query()).id;
    messageId = (await say(ann.client, roomId, 'hello')).id;
  });

  afterAll(async () => {
    await db?.end();
    await server?.close();
  });

  it('a NUL byte in any text anyone can type is refused with a sentence, never a server error', async () => {
    const account = { username: 'nul_tester', email: 'nul@example.com', password: 'correct horse battery' };
    const login = { login: ann.username, password: ann.account.password };
    const cases: [path: string, input: unknown, cookie?: string][] = [
      ['auth.register', { ...account, displayName: `Ann${nul}` }],
      ['auth.register', { ...account, password: `correct horse${nul}` }],
      ['auth.login', { login: `${ann.username}${nul}`, password: 'x' }],
      ['auth.login', { login: ann.username, password: `pw${nul}` }],
      [
        'auth.changePassword',
        { currentPassword: `a${nul}`, newPassword: 'another good one' },
        ann.account.cookie,
      ],
      [
        'auth.changePassword',
        { currentPassword: 'whatever', newPassword: `new${nul}password` },
        ann.account.cookie,
      ],
      ['auth.createToken', { ...login, name: `laptop${nul}` }],
      ['auth.tokens.revoke', { id: `1${nul}` }, ann.account.cookie],
      ['users.search', { query: `an${nul}n` }, ann.account.cookie],
      ['users.search', { query: 'ann', cursor: `abc${nul}` }, ann.account.cookie],
      // A cursor is opaque, but what it decodes to reaches the database too.
      ['users.search', { query: 'ann', cursor: encodedCursor([1, `ann${nul}`, 1]) }, ann.account.cookie],
      ['users.updateProfile', { displayName: `Ann${nul}` }, ann.account.cookie],
      ['users.updateProfile', { bio: `I like${nul}tea` }, ann.account.cookie],
      ['chat.send', { roomId, clientId: newClientId(), body: `hi${nul}there` }, ann.account.cookie],
      ['chat.edit', { messageId, body: `edited${nul}` }, ann.account.cookie],
      ['chat.report', { messageId, reason: `spam${nul}` }, admin.account.cookie],
      ['admin.users.list', { query: `an${nul}` }, admin.account.cookie],
      ['admin.users.ban', { userId: ann.id, reason: `rude${nul}` }, admin.account.cookie],
      [
        'admin.users.mute',
        { userId: ann.id, reason: `loud${nul}`, until: '2099-01-01T00:00:00Z' },
        admin.account.cookie,
      ],
      ['admin.messages.delete', { messageId, reason: `off topic${nul}` }, admin.account.cookie],
    ];
    for (const [path, input, cookie] of cases) {
      expectReadableBadRequest(await call(server, path, input, cookie), `${path} ${JSON.stringify(input)}`);
    }
    // Nothing half-happened: Ann is neither banned nor muted, and her message is as she wrote it.
    const { rows } = await db.query('select banned_until, muted_until from users where id = $1', [ann.id]);
    expect(rows[0]).toEqual({ banned_until: null, muted_until: null });
  });

  it('the refusal names the field and says what is wrong with it', async () => {
    const response = await call(server, 'users.updateProfile', { bio: `tea${nul}` }, ann.account.cookie);
    expect(response.error?.message).toMatch(/^bio: .*control character/i);
    expect(response.error?.data.fieldErrors?.bio?.[0]).toMatch(/control character/i);
  });

  it('a message keeps its line breaks and tabs', async () => {
    const body = 'first line\n\tindented second line\r\nthird';
    expect((await say(ann.client, roomId, body)).body).toBe(body);
    await ann.client.users.updateProfile.mutate({ bio: 'line one\nline two' });
  });

  it('a query that fails in the database is logged without any value that was bound to it', async () => {
    const secret = 'refuse-me: the launch code is 0000';
    await db.query(
      `alter table messages add constraint refuse_me check (body not like 'refuse-me%') not valid`,
    );
    const logged: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string | Uint8Array) => {
      logged.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    try {
      const response = await call(
        server,
        'chat.send',
        { roomId, clientId: newClientId(), body: secret },
        ann.account.cookie,
      );
      expect(response.status).toBe(500);
    } finally {
      process.stderr.write = write;
      await db.query('alter table messages drop constraint refuse_me');
    }
    const log = logged.join('');
    // The operator learns which call failed and why...
    expect(log).toContain('chat.send');
    expect(log).toContain('refuse_me');
    // ...and nothing of what Ann wrote, nor who she is.
    expect(log).not.toContain('launch code');
    expect(log).not.toContain(ann.username);
  });
});

describe('batches', () => {
  let server: TestServer;
  let db: pg.Client;
  let ann: Person;
  let roomId: number;

  beforeAll(async () => {
    server = await startTestServer({ env: chattyLimits });
    db = await connectDatabase(server.databaseUrl);
    [ann] = await people(server, 'Ann');
    roomId = (await ann.client.chat.publicRoom.query()).id;
  });

  afterAll(async () => {
    await db?.end();
    await server?.close();
  });

  const storedWithPrefix = async (prefix: string) =>
    Number(
      (await db.query('select count(*) from messages where client_id like $1', [`${prefix}%`])).rows[0].count,
    );

  /** `count` calls to one procedure in one batched HTTP request, as httpBatchLink sends them. */
  function batch(path: string, inputs: unknown[], method: 'GET' | 'POST', cookie?: string) {
    const paths = inputs.map(() => path).join(',');
    const encoded = JSON.stringify(Object.fromEntries(inputs.map((input, i) => [i, input])));
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      ...(cookie ? { cookie } : {}),
    };
    return method === 'GET'
      ? fetch(`${server.url}/trpc/${paths}?batch=1&input=${encodeURIComponent(encoded)}`, { headers })
      : fetch(`${server.url}/trpc/${paths}?batch=1`, { method, headers, body: encoded });
  }

  it('one GET asking for 150 histories is refused whole, with a sentence', async () => {
    const response = await batch('chat.history', Array(150).fill({ roomId }), 'GET');
    expect(response.status).toBe(400);
    const body = JSON.stringify(await response.json());
    expect(body).toContain('BAD_REQUEST');
    expect(body).toMatch(/more calls than the server answers at once/);
  });

  it('a refused batch runs none of its calls', async () => {
    const prefix = `batch_${newClientId()}`;
    const sends = Array.from({ length: 60 }, (_, i) => ({
      roomId,
      clientId: `${prefix}_${i}`,
      body: `#${i}`,
    }));
    const response = await batch('chat.send', sends, 'POST', ann.account.cookie);
    expect(response.status).toBe(400);
    expect(await storedWithPrefix(prefix)).toBe(0);
  });

  it('a batch the size the web app sends is answered in full', async () => {
    const response = await batch('chat.history', Array(10).fill({ roomId }), 'GET');
    expect(response.status).toBe(200);
    expect(await response.json()).toHaveLength(10);
  });

  it('one socket frame of 500 calls is refused whole: every call is told why, none runs', async () => {
    const socket = await openFrameSocket(server.url, { headers: { cookie: ann.account.cookie } });
    // Short ids and bodies: 500 calls in one frame still fit under WS_MAX_PAYLOAD_BYTES, as in the issue (47 KB).
    const prefix = `f${newClientId().slice(-6)}`;
    socket.send(
      Array.from({ length: 500 }, (_, i) =>
        callFrame(i + 1, 'mutation', 'chat.send', { roomId, clientId: `${prefix}_${i}`, body: `#${i}` }),
      ),
    );
    const replies = await socket.repliesUntil(500);
    expect(replies).toHaveLength(500);
    for (const reply of replies) {
      expect(reply.error?.data?.code).toBe('BAD_REQUEST');
      expect(reply.error?.message).toMatch(/more calls than the server answers at once/);
    }
    expect(await storedWithPrefix(prefix)).toBe(0);
    socket.socket.close();
  });

  it("a socket frame over the size limit closes that socket (1009), as the client's error, not the server's", async () => {
    const logged = vi.spyOn(server.deps.log, 'error');
    try {
      const socket = await openFrameSocket(server.url, { headers: { cookie: ann.account.cookie } });
      socket.socket.send('x'.repeat(100_000));
      expect(await socket.closed).toBe(1009);
      expect(logged).not.toHaveBeenCalled();
      expect((await say(ann.client, roomId, 'still here')).body).toBe('still here');
    } finally {
      logged.mockRestore();
    }
  });
});

describe('call budgets', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({
      env: { ...chattyLimits, WS_CALLS_PER_MINUTE: '100', RATE_QUERIES_PER_MINUTE: '30' },
    });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('a socket that floods auth.me is refused past its budget, then closed with 4429', async () => {
    const [ann, ben] = await people(server, 'Ann', 'Ben');
    const flood = await openFrameSocket(server.url, { headers: { cookie: ann.account.cookie } });
    let id = 0;
    for (let frame = 0; frame < 40 && flood.socket.readyState === flood.socket.OPEN; frame++) {
      flood.send(Array.from({ length: 50 }, () => callFrame(++id, 'query', 'auth.me')));
      await pause(5);
    }
    expect(await flood.closed).toBe(socketCloseCodes.tooManyConnections);
    const answered = flood.replies.filter((reply) => reply.result);
    const refused = flood.replies.filter((reply) => reply.error?.data?.code === 'TOO_MANY_REQUESTS');
    // The budget, plus the little that refills while the flood is answered.
    expect(answered.length).toBeLessThan(120);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]?.error?.data?.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    // Everyone else is served as before, Ann too on a socket of her own.
    expect((await ben.client.auth.me.query())?.id).toBe(ben.id);
    const fresh = await openFrameSocket(server.url, { headers: { cookie: ann.account.cookie } });
    fresh.send(callFrame(1, 'query', 'auth.me'));
    expect((await fresh.repliesUntil(1))[0]?.result?.data).toMatchObject({ id: ann.id });
    fresh.socket.close();
  });

  it('over HTTP each person has a budget of queries, with Retry-After when it runs out', async () => {
    const [cat, dan] = await people(server, 'Cat', 'Dan');
    const answers = [];
    for (let i = 0; i < 31; i++)
      answers.push(await rawQuery(server.url, 'auth.me', undefined, { cookie: cat.account.cookie }));
    expect(answers.slice(0, 30).every((a) => a.status === 200)).toBe(true);
    const last = answers[30];
    expect(last?.error?.data.code).toBe('TOO_MANY_REQUESTS');
    expect(Number(last?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Dan's budget is his own.
    expect((await rawQuery(server.url, 'auth.me', undefined, { cookie: dan.account.cookie })).status).toBe(
      200,
    );
  });

  it('signed-out visitors share a budget per address', async () => {
    const statuses = [];
    for (let i = 0; i < 31; i++) statuses.push((await rawQuery(server.url, 'chat.publicRoom')).status);
    expect(statuses.slice(0, 30).every((status) => status === 200)).toBe(true);
    expect(statuses[30]).toBe(429);
  });
});

describe('sockets at the door', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({
      env: {
        ...chattyLimits,
        WS_MAX_ANONYMOUS_PER_IP: '3',
        WS_MAX_CONNECTIONS_PER_USER: '2',
        WS_CONNECTION_PARAMS_TIMEOUT_MS: '1000',
      },
    });
  });

  afterAll(async () => {
    await server?.close();
  });

  const closeAll = async (sockets: FrameSocket[]) => {
    for (const s of sockets) s.socket.close();
    await Promise.all(sockets.map((s) => s.closed));
  };

  it('sockets that never send their connectionParams count against the address, and the next is closed with 4429', async () => {
    const silent = await Promise.all(
      [1, 2, 3].map(() => openFrameSocket(server.url, { connectionParams: true })),
    );
    const extra = await openFrameSocket(server.url, { connectionParams: true });
    expect(await extra.closed).toBe(socketCloseCodes.tooManyConnections);
    const plain = await openFrameSocket(server.url);
    expect(await plain.closed).toBe(socketCloseCodes.tooManyConnections);
    await closeAll(silent);
  });

  it('a socket that never sends its connectionParams is closed after a short wait', async () => {
    const silent = await openFrameSocket(server.url, { connectionParams: true });
    expect(await silent.closed).toBe(socketCloseCodes.paramsTimeout);
  });

  it('a signed-out socket over the cap is closed with 4429, not a bare close', async () => {
    const open = await Promise.all([1, 2, 3].map(() => openFrameSocket(server.url)));
    const extra = await openFrameSocket(server.url);
    expect(await extra.closed).toBe(socketCloseCodes.tooManyConnections);
    await closeAll(open);
  });

  it('a socket over the per-person cap is closed with 4429', async () => {
    const [ann] = await people(server, 'Ann');
    const headers = { cookie: ann.account.cookie };
    const open = await Promise.all([1, 2].map(() => openFrameSocket(server.url, { headers })));
    for (const [i, s] of open.entries()) s.send(callFrame(i, 'query', 'auth.me'));
    await Promise.all(open.map((s) => s.repliesUntil(1)));
    const extra = await openFrameSocket(server.url, { headers });
    expect(await extra.closed).toBe(socketCloseCodes.tooManyConnections);
    await closeAll(open);
  });

  it('a socket that signs in with its connectionParams frees its signed-out place', async () => {
    const [ann] = await people(server, 'Ann');
    const token = await ann.client.auth.createToken.mutate({
      login: ann.username,
      password: ann.account.password,
      name: 'script',
    });
    // Three scripts still saying nothing fill the address's signed-out places...
    const scripts = await Promise.all(
      [1, 2, 3].map(() => openFrameSocket(server.url, { connectionParams: true })),
    );
    const turnedAway = await openFrameSocket(server.url);
    expect(await turnedAway.closed).toBe(socketCloseCodes.tooManyConnections);
    // ...until two of them sign in: they count as Ann's now, and two visitors fit again.
    for (const s of scripts.slice(0, 2)) s.send({ method: 'connectionParams', data: { token: token.token } });
    for (const [i, s] of scripts.slice(0, 2).entries()) s.send(callFrame(i, 'query', 'auth.me'));
    const signedIn = await Promise.all(scripts.slice(0, 2).map((s) => s.repliesUntil(1)));
    expect(signedIn.map((replies) => (replies[0]?.result?.data as { id?: number } | null)?.id)).toEqual([
      ann.id,
      ann.id,
    ]);
    const visitors = await Promise.all([1, 2].map(() => openFrameSocket(server.url)));
    for (const [i, s] of visitors.entries()) s.send(callFrame(i, 'query', 'auth.me'));
    const answers = await Promise.all(visitors.map((s) => s.repliesUntil(1)));
    expect(answers.map((replies) => replies[0]?.result?.data)).toEqual([null, null]);
    await closeAll([...scripts, ...visitors]);
  });

  it('a wrong token in connectionParams is told UNAUTHORIZED, and the socket closes with 4401', async () => {
    const script = await openFrameSocket(server.url, { connectionParams: true });
    script.send({ method: 'connectionParams', data: { token: 'parley_not.a-token' } });
    expect(await script.closed).toBe(socketCloseCodes.sessionEnded);
    expect(script.replies[0]?.error?.data?.code).toBe('UNAUTHORIZED');
  });
});
