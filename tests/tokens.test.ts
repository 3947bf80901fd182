import { createHash } from 'node:crypto';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { createParleyClient } from '../src/sdk/index.ts';
import { rejection } from './helpers/errors.ts';
import { rawQuery } from './helpers/http.ts';
import { serverSuite } from './helpers/server-suite.ts';
import { eventually, socketClient } from './helpers/sockets.ts';
import { type Account, registerUser, roomyLimits } from './helpers/users.ts';

const suite = serverSuite({ env: roomyLimits });

function createToken(account: Account, name = 'backup script') {
  return suite.server
    .client()
    .auth.createToken.mutate({ login: account.username, password: account.password, name });
}

describe('personal API tokens', () => {
  it('are given for my login and password, and shown once with their name and creation time', async () => {
    const account = await registerUser(suite.server);
    const startedAt = Date.now();

    const created = await createToken(account, 'nightly export');

    expect(created).toEqual({
      token: expect.stringMatching(/^parley_/),
      id: expect.any(String),
      name: 'nightly export',
      createdAt: expect.any(String),
    });
    expect(new Date(created.createdAt).toISOString()).toBe(created.createdAt);
    expect(Date.parse(created.createdAt)).toBeGreaterThanOrEqual(startedAt - 1000);
  });

  it('let a Node script call the API as me with the typed client', async () => {
    const account = await registerUser(suite.server);
    const { token } = await createToken(account);

    const script = createParleyClient({ url: suite.server.url, token });
    const me = await script.auth.me.query();

    expectTypeOf(me).toEqualTypeOf<typeof account.me | null>();
    expect(me).toEqual(account.me);
  });

  it('are listed without their secret, with when they were last used', async () => {
    const account = await registerUser(suite.server);
    const created = await createToken(account, 'listed');
    await createParleyClient({ url: suite.server.url, token: created.token }).auth.me.query();

    const list = await suite.server.client({ cookie: account.cookie }).auth.tokens.list.query();

    expect(list).toEqual([
      { id: created.id, name: 'listed', createdAt: created.createdAt, lastUsedAt: expect.any(String) },
    ]);
    const secret = created.token.split('.')[1] ?? '';
    expect(secret).not.toBe('');
    expect(JSON.stringify(list)).not.toContain(secret);
  });

  it('are stored as a hash of their secret only', async () => {
    const account = await registerUser(suite.server);
    const { id, token } = await createToken(account);
    const secret = token.split('.')[1] ?? '';

    const { rows } = await suite.db.query<Record<string, unknown>>('select * from api_tokens where id = $1', [
      id,
    ]);

    expect(rows).toHaveLength(1);
    expect(rows[0]?.secret_hash).toEqual(createHash('sha256').update(secret).digest());
    for (const value of Object.values(rows[0] ?? {})) {
      if (!Buffer.isBuffer(value)) expect(String(value)).not.toContain(secret);
    }
  });

  it('stop working once revoked', async () => {
    const account = await registerUser(suite.server);
    const { id, token } = await createToken(account);
    const script = createParleyClient({ url: suite.server.url, token });
    expect(await script.auth.me.query()).toEqual(account.me);

    await suite.server.client({ cookie: account.cookie }).auth.tokens.revoke.mutate({ id });

    const error = await rejection(script.auth.me.query());
    expect(error.data?.code).toBe('UNAUTHORIZED');
    expect(await suite.server.client({ cookie: account.cookie }).auth.tokens.list.query()).toEqual([]);
  });

  it("cannot be revoked by someone else: another user's token id is not found, and it keeps working", async () => {
    const owner = await registerUser(suite.server);
    const stranger = await registerUser(suite.server);
    const { id, token } = await createToken(owner);

    const error = await rejection(
      suite.server.client({ cookie: stranger.cookie }).auth.tokens.revoke.mutate({ id }),
    );

    expect(error.data?.code).toBe('NOT_FOUND');
    expect(await createParleyClient({ url: suite.server.url, token }).auth.me.query()).toEqual(owner.me);
  });

  it('are not given for a wrong password', async () => {
    const account = await registerUser(suite.server);

    const error = await rejection(
      suite.server
        .client()
        .auth.createToken.mutate({ login: account.username, password: 'wrong', name: 'x' }),
    );

    expect(error.data?.code).toBe('UNAUTHORIZED');
    expect(await suite.server.client({ cookie: account.cookie }).auth.tokens.list.query()).toEqual([]);
  });

  it('that are made up are refused with UNAUTHORIZED, not treated as signed out', async () => {
    for (const garbage of ['garbage', 'parley_nosuchid.nosuchsecret']) {
      const error = await rejection(
        createParleyClient({ url: suite.server.url, token: garbage }).auth.me.query(),
      );
      expect(error.data?.code).toBe('UNAUTHORIZED');

      const response = await rawQuery(suite.server.url, 'auth.me', undefined, {
        authorization: `Bearer ${garbage}`,
      });
      expect(response.status).toBe(401);
    }
  });
});

describe('changing my password', () => {
  const newPassword = 'a brand new password';

  it('revokes every API token, including one someone else made with my old password, and their open sockets close', async () => {
    const account = await registerUser(suite.server);
    const mine = await createToken(account, 'backup script');
    const intruders = await createToken(account, 'innocent-looking name');
    const socket = socketClient(suite.server.url, { connectionParams: { token: intruders.token } });
    expect(await socket.client.auth.me.query()).toEqual(account.me);

    const result = await suite.server.client({ cookie: account.cookie }).auth.changePassword.mutate({
      currentPassword: account.password,
      newPassword,
    });

    expect(result).toEqual({ endedSessions: 0, revokedTokens: 2 });
    for (const { token } of [mine, intruders]) {
      const error = await rejection(createParleyClient({ url: suite.server.url, token }).auth.me.query());
      expect(error.data?.code).toBe('UNAUTHORIZED');
    }
    expect(await suite.server.client({ cookie: account.cookie }).auth.tokens.list.query()).toEqual([]);
    await eventually(() => socket.closes.at(0), 'the token socket to close');
    expect(socket.closes[0]).toBe(4401);
    await socket.close();
  });

  it('keeps my tokens when I ask to, and says so', async () => {
    const account = await registerUser(suite.server);
    const { token, id } = await createToken(account, 'deploy bot');

    const result = await suite.server.client({ cookie: account.cookie }).auth.changePassword.mutate({
      currentPassword: account.password,
      newPassword,
      keepApiTokens: true,
    });

    expect(result).toEqual({ endedSessions: 0, revokedTokens: 0 });
    expect(await createParleyClient({ url: suite.server.url, token }).auth.me.query()).toEqual(account.me);
    const list = await suite.server.client({ cookie: account.cookie }).auth.tokens.list.query();
    expect(list.map((listed) => listed.id)).toEqual([id]);
  });
});
