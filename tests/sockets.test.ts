import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { rawMutation } from './helpers/http.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';
import {
  closed,
  eventually,
  pause,
  type SocketClient,
  socketClient,
  socketUrl,
  upgrade,
  watchSession,
} from './helpers/sockets.ts';
import { type Account, logIn, registerUser, roomyLimits } from './helpers/users.ts';

/** The server closes a socket with this code when the session or token it runs on has ended. */
const sessionEndedCode = 4401;

let server: TestServer;
const sockets: SocketClient[] = [];

beforeAll(async () => {
  server = await startTestServer({ env: roomyLimits });
});

afterEach(async () => {
  await Promise.all(sockets.splice(0).map((socket) => socket.close()));
});

afterAll(async () => {
  await server?.close();
});

function openSocket(target: TestServer, options: Parameters<typeof socketClient>[1]): SocketClient {
  const socket = socketClient(target.url, options);
  sockets.push(socket);
  return socket;
}

async function tokenFor(account: Account): Promise<string> {
  const { token } = await server.client().auth.createToken.mutate({
    login: account.username,
    password: account.password,
    name: 'socket test',
  });
  return token;
}

describe('a socket signed in', () => {
  it('with the session cookie reaches my session feed', async () => {
    const account = await registerUser(server);

    const tab = watchSession(server.client({ cookie: account.cookie }));

    expect(await tab.next()).toEqual({ type: 'active' });
  });

  it('with a token in the Authorization header of the upgrade reaches my session feed', async () => {
    const token = await tokenFor(await registerUser(server));
    const { client } = openSocket(server, { headers: { authorization: `Bearer ${token}` } });

    expect(await watchSession(client).next()).toEqual({ type: 'active' });
  });

  it('with a token in connectionParams only reaches my session feed', async () => {
    const token = await tokenFor(await registerUser(server));
    const { client } = openSocket(server, { connectionParams: { token } });

    expect(await watchSession(client).next()).toEqual({ type: 'active' });
  });
});

describe('a socket that is not signed in', () => {
  it('may connect, but the session feed answers UNAUTHORIZED', async () => {
    const visitor = watchSession(server.client());

    const error = await visitor.error();

    expect(error.data?.code).toBe('UNAUTHORIZED');
    expect(visitor.events).toEqual([]);
  });

  it('with a wrong token in the header is refused at the upgrade with 401', async () => {
    const refused = await upgrade(socketUrl(server.url), { authorization: 'Bearer parley_nosuch.token' });
    expect(refused.status).toBe(401);

    const token = await tokenFor(await registerUser(server));
    const accepted = await upgrade(socketUrl(server.url), { authorization: `Bearer ${token}` });
    expect(accepted.status).toBe(101);
    accepted.socket?.close();
  });

  it('with a wrong token in connectionParams gets UNAUTHORIZED, then the server closes it', async () => {
    const opened = await upgrade(`${socketUrl(server.url)}?connectionParams=1`);
    const socket = opened.socket!;
    const messages: unknown[] = [];
    socket.on('message', (data) => messages.push(JSON.parse(String(data))));
    const closing = closed(socket);

    socket.send(JSON.stringify({ method: 'connectionParams', data: { token: 'parley_nosuch.token' } }));

    await closing;
    expect(messages).toContainEqual(
      expect.objectContaining({
        error: expect.objectContaining({ data: expect.objectContaining({ code: 'UNAUTHORIZED' }) }),
      }),
    );
  });

  it('from a foreign origin is refused at the upgrade with 403', async () => {
    const account = await registerUser(server);

    const foreign = await upgrade(socketUrl(server.url), {
      origin: 'https://evil.example',
      cookie: account.cookie,
    });
    expect(foreign.status).toBe(403);

    const own = await upgrade(socketUrl(server.url), { origin: server.url, cookie: account.cookie });
    expect(own.status).toBe(101);
    own.socket?.close();
  });
});

describe('when a session ends', () => {
  it('logging out in one tab ends the feed of another tab on that session and closes its socket', async () => {
    const account = await registerUser(server);
    const otherTab = openSocket(server, { headers: { cookie: account.cookie } });
    const feed = watchSession(otherTab.client);
    expect(await feed.next()).toEqual({ type: 'active' });

    await rawMutation(server.url, 'auth.logout', undefined, { cookie: account.cookie });

    expect(await feed.next()).toEqual({ type: 'ended', reason: 'logout' });
    await feed.ended();
    expect(await eventually(() => otherTab.closes[0], 'the socket to close')).toBe(sessionEndedCode);
    expect(feed.events).toHaveLength(2);
  });

  it('tells an SDK user, through onSocketClose, that the socket closed because the session ended', async () => {
    const account = await registerUser(server);
    const closes: (number | undefined)[] = [];
    const { client } = server.connect({ cookie: account.cookie, onSocketClose: (code) => closes.push(code) });
    const feed = watchSession(client);
    expect(await feed.next()).toEqual({ type: 'active' });

    await rawMutation(server.url, 'auth.logout', undefined, { cookie: account.cookie });

    expect(await feed.next()).toEqual({ type: 'ended', reason: 'logout' });
    expect(await eventually(() => closes[0], 'the socket to close')).toBe(sessionEndedCode);
  });

  it('a socket on another session of the same person stays open', async () => {
    const account = await registerUser(server);
    const laptop = await logIn(server, account.username, account.password);
    const phoneTab = openSocket(server, { headers: { cookie: account.cookie } });
    const laptopTab = openSocket(server, { headers: { cookie: laptop.cookie } });
    const phoneFeed = watchSession(phoneTab.client);
    const laptopFeed = watchSession(laptopTab.client);
    expect(await phoneFeed.next()).toEqual({ type: 'active' });
    expect(await laptopFeed.next()).toEqual({ type: 'active' });

    await server.client({ cookie: account.cookie }).auth.logout.mutate();
    await eventually(() => phoneTab.closes[0], 'the logged-out socket to close');
    await pause(300);

    expect(laptopTab.closes).toEqual([]);
    expect(laptopFeed.events).toEqual([{ type: 'active' }]);
    expect(await watchSession(laptopTab.client).next()).toEqual({ type: 'active' });
  });

  it('revoking a token closes the socket that runs on it', async () => {
    const account = await registerUser(server);
    const { id, token } = await server.client().auth.createToken.mutate({
      login: account.username,
      password: account.password,
      name: 'revoked soon',
    });
    const script = openSocket(server, { connectionParams: { token } });
    const feed = watchSession(script.client);
    expect(await feed.next()).toEqual({ type: 'active' });

    await server.client({ cookie: account.cookie }).auth.tokens.revoke.mutate({ id });

    expect(await feed.next()).toEqual({ type: 'ended', reason: 'token-revoked' });
    expect(await eventually(() => script.closes[0], 'the socket to close')).toBe(sessionEndedCode);
  });

  it("an SDK script's subscription fails with the reason when its token is revoked, and no reconnect follows", async () => {
    const account = await registerUser(server);
    const { id, token } = await server.client().auth.createToken.mutate({
      login: account.username,
      password: account.password,
      name: 'a script',
    });
    const closes: (number | undefined)[] = [];
    const { client } = server.connect({ token, onSocketClose: (code) => closes.push(code) });
    const room = await client.chat.publicRoom.query();
    const errors: string[] = [];
    let started = false;
    client.chat.onRoomEvent.subscribe(
      { roomId: room.id },
      { onStarted: () => (started = true), onError: (error) => errors.push(error.message) },
    );
    await eventually(() => started, 'the stream to start');

    await server.client({ cookie: account.cookie }).auth.tokens.revoke.mutate({ id });

    // Said by the SDK on the 4401, or by the server if the socket dropped first and the link came back with the
    // dead token (which the server then closes with 4401 too).
    expect(await eventually(() => errors[0], 'the subscription to fail')).toMatch(
      /token is no longer valid|API token is not valid/,
    );
    await eventually(() => closes.at(-1), 'the socket to close');
    const closed = closes.length;
    // Stock tRPC would reconnect at once with the dead token, be refused, and again, for ever.
    await pause(1_500);
    expect(closes).toHaveLength(closed);
    expect(closes.at(-1)).toBe(sessionEndedCode);
    expect(errors).toHaveLength(1);
  });
});

describe('two instances sharing a database and Redis', () => {
  let first: TestServer;
  let second: TestServer;

  beforeAll(async () => {
    const redisPrefix = `parley-test:${randomBytes(4).toString('hex')}:`;
    first = await startTestServer({ env: roomyLimits, redisPrefix });
    second = await startTestServer({ env: roomyLimits, databaseUrl: first.databaseUrl, redisPrefix });
  });

  afterAll(async () => {
    await second?.close();
    await first?.close();
  });

  it('logging out on one instance closes the socket of that session on the other', async () => {
    const account = await registerUser(first);
    const tab = openSocket(second, { headers: { cookie: account.cookie } });
    const feed = watchSession(tab.client);
    expect(await feed.next()).toEqual({ type: 'active' });

    await rawMutation(first.url, 'auth.logout', undefined, { cookie: account.cookie });

    expect(await feed.next()).toEqual({ type: 'ended', reason: 'logout' });
    expect(await eventually(() => tab.closes[0], 'the socket to close')).toBe(sessionEndedCode);
  });
});
