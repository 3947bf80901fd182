import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rejection } from './helpers/errors.ts';
import { type HeaderMap, rawMutation, rawQuery, sessionCookieOf } from './helpers/http.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';
import { serverSuite } from './helpers/server-suite.ts';
import { logIn, registerUser } from './helpers/users.ts';

const suite = serverSuite({ env: { RATE_REGISTER_PER_HOUR: '1000' } });

interface SessionRow {
  id: string;
  secret_hash: Buffer;
  last_verified_at: Date;
  expires_at: Date;
}

function parts(sessionToken: string): { id: string; secret: string } {
  const [id = '', secret = ''] = sessionToken.split('.');
  return { id, secret };
}

async function sessionRow(sessionToken: string): Promise<SessionRow | undefined> {
  const { rows } = await suite.db.query<SessionRow>('select * from sessions where id = $1', [
    parts(sessionToken).id,
  ]);
  return rows[0];
}

/** Moves a session back in time, as if its owner had last been seen `idle` ago and it ends in `left`. */
async function age(sessionToken: string, idle: string, left: string): Promise<SessionRow> {
  const { rows } = await suite.db.query<SessionRow>(
    `update sessions set last_verified_at = now() - $2::interval, expires_at = now() + $3::interval
     where id = $1 returning *`,
    [parts(sessionToken).id, idle, left],
  );
  return rows[0]!;
}

const days = (n: number) => n * 24 * 60 * 60 * 1000;

describe('how a session is kept', () => {
  it('stores only a SHA-256 hash of the secret, never the token or the secret itself', async () => {
    const { sessionToken } = await registerUser(suite.server);
    const { id, secret } = parts(sessionToken);
    expect(id).toBeTruthy();
    expect(secret).toBeTruthy();

    const row = await sessionRow(sessionToken);

    expect(row?.secret_hash).toEqual(createHash('sha256').update(secret).digest());
    const stored = Object.values(row ?? {}).flatMap((value) =>
      Buffer.isBuffer(value)
        ? [value.toString('utf8'), value.toString('hex'), value.toString('base64')]
        : [String(value)],
    );
    for (const value of stored) {
      expect(value).not.toContain(secret);
      expect(value).not.toContain(sessionToken);
    }
  });

  it('refuses a cookie with a real session id but a made-up secret, and the real session lives on', async () => {
    const account = await registerUser(suite.server);
    const { id, secret } = parts(account.sessionToken);
    const forged = `${id}.${secret.replace(/.$/, (last) => (last === 'a' ? 'b' : 'a'))}`;

    const forger = suite.server.client({ cookie: `parley_session=${forged}` });
    expect(await forger.auth.me.query()).toBeNull();
    const error = await rejection(forger.auth.tokens.list.query());
    expect(error.data?.code).toBe('UNAUTHORIZED');

    expect(await suite.server.client({ cookie: account.cookie }).auth.me.query()).toEqual(account.me);
  });

  it('ends an expired session: the cookie signs nobody in, is cleared, and the row is removed', async () => {
    const account = await registerUser(suite.server);
    await suite.db.query(`update sessions set expires_at = now() - interval '1 minute' where id = $1`, [
      parts(account.sessionToken).id,
    ]);

    const response = await rawQuery(suite.server.url, 'auth.me', undefined, { cookie: account.cookie });

    expect(response.data).toBeNull();
    expect(sessionCookieOf(response.headers)).toMatchObject({ value: '', attributes: { 'max-age': '0' } });
    expect(await sessionRow(account.sessionToken)).toBeUndefined();
  });

  it('slides forward when I come back after more than an hour, and sends the cookie again', async () => {
    const account = await registerUser(suite.server);
    const before = await age(account.sessionToken, '2 hours', '1 day');

    const response = await rawQuery(suite.server.url, 'auth.me', undefined, { cookie: account.cookie });

    expect(response.data).toEqual(account.me);
    const after = await sessionRow(account.sessionToken);
    expect(after?.last_verified_at.getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect(after?.expires_at.getTime()).toBeGreaterThan(before.expires_at.getTime() + days(28));
    const cookie = sessionCookieOf(response.headers);
    expect(cookie?.value).toBe(account.sessionToken);
    expect(cookie?.attributes).toMatchObject({ httponly: true, samesite: 'Lax', path: '/' });
    expect(Date.parse(String(cookie?.attributes.expires))).toBeGreaterThan(Date.now() + days(29));
  });

  it('does not write anything when I come back within the hour', async () => {
    const account = await registerUser(suite.server);
    const before = await age(account.sessionToken, '30 minutes', '1 day');

    const response = await rawQuery(suite.server.url, 'auth.me', undefined, { cookie: account.cookie });

    expect(response.data).toEqual(account.me);
    expect(sessionCookieOf(response.headers)).toBeNull();
    const after = await sessionRow(account.sessionToken);
    expect(after?.last_verified_at).toEqual(before.last_verified_at);
    expect(after?.expires_at).toEqual(before.expires_at);
  });
});

describe('changing my password', () => {
  it('needs my current password, and keeps the old one when that is wrong', async () => {
    const account = await registerUser(suite.server);

    const error = await rejection(
      suite.server.client({ cookie: account.cookie }).auth.changePassword.mutate({
        currentPassword: 'not my password',
        newPassword: 'a brand new password',
      }),
    );

    expect(error.data?.code).toBe('BAD_REQUEST');
    expect(error.data?.fieldErrors?.currentPassword?.length).toBeGreaterThan(0);
    const me = await suite.server
      .client()
      .auth.login.mutate({ login: account.username, password: account.password });
    expect(me.id).toBe(account.me.id);
  });

  it('signs out my other devices, keeps this one, and only the new password works from then on', async () => {
    const account = await registerUser(suite.server);
    const phone = await logIn(suite.server, account.username, account.password);
    const tablet = await logIn(suite.server, account.email, account.password);
    const newPassword = 'a brand new password';

    await suite.server.client({ cookie: account.cookie }).auth.changePassword.mutate({
      currentPassword: account.password,
      newPassword,
    });

    expect(await suite.server.client({ cookie: account.cookie }).auth.me.query()).toEqual(account.me);
    expect(await suite.server.client({ cookie: phone.cookie }).auth.me.query()).toBeNull();
    expect(await suite.server.client({ cookie: tablet.cookie }).auth.me.query()).toBeNull();
    const { rows } = await suite.db.query('select id from sessions where user_id = $1', [account.me.id]);
    expect(rows).toEqual([{ id: parts(account.sessionToken).id }]);

    const visitor = suite.server.client();
    const old = await rejection(
      visitor.auth.login.mutate({ login: account.username, password: account.password }),
    );
    expect(old.data?.code).toBe('UNAUTHORIZED');
    const me = await visitor.auth.login.mutate({ login: account.username, password: newPassword });
    expect(me.id).toBe(account.me.id);
  });
});

describe('requests from other sites (CSRF)', () => {
  /** Tries to log the user out with their own cookie plus `headers`; tells what happened to the session. */
  async function logoutWith(target: TestServer, headers: HeaderMap) {
    const account = await registerUser(target);
    const response = await rawMutation(target.url, 'auth.logout', undefined, {
      cookie: account.cookie,
      ...headers,
    });
    const stillSignedIn = (await target.client({ cookie: account.cookie }).auth.me.query()) !== null;
    return { status: response.status, code: response.error?.data.code, stillSignedIn };
  }

  it('refuses a change sent from a foreign origin, even with my valid cookie', async () => {
    expect(await logoutWith(suite.server, { origin: 'https://evil.example' })).toEqual({
      status: 403,
      code: 'FORBIDDEN',
      stillSignedIn: true,
    });
  });

  it('refuses a change the browser marks as cross-site', async () => {
    expect(
      await logoutWith(suite.server, { origin: suite.server.url, 'sec-fetch-site': 'cross-site' }),
    ).toEqual({
      status: 403,
      code: 'FORBIDDEN',
      stillSignedIn: true,
    });
  });

  it('refuses a login sent from a foreign origin', async () => {
    const account = await registerUser(suite.server);
    const response = await rawMutation(
      suite.server.url,
      'auth.login',
      { login: account.username, password: account.password },
      { origin: 'https://evil.example' },
    );

    expect(response.status).toBe(403);
    expect(response.error?.data.code).toBe('FORBIDDEN');
    expect(sessionCookieOf(response.headers)).toBeNull();
  });

  it("accepts a change from the app's own origin", async () => {
    expect(
      await logoutWith(suite.server, { origin: suite.server.url, 'sec-fetch-site': 'same-origin' }),
    ).toEqual({
      status: 200,
      code: undefined,
      stillSignedIn: false,
    });
  });

  it('accepts a change with no Origin at all, as a script sends it', async () => {
    expect(await logoutWith(suite.server, {})).toEqual({
      status: 200,
      code: undefined,
      stillSignedIn: false,
    });
  });

  describe('with ALLOWED_ORIGINS set', () => {
    let fronted: TestServer;

    beforeAll(async () => {
      fronted = await startTestServer({ env: { ALLOWED_ORIGINS: 'https://app.example' } });
    });

    afterAll(async () => {
      await fronted?.close();
    });

    it('accepts a change from an allowed origin', async () => {
      expect(await logoutWith(fronted, { origin: 'https://app.example' })).toEqual({
        status: 200,
        code: undefined,
        stillSignedIn: false,
      });
    });

    it('still refuses any other origin', async () => {
      expect(await logoutWith(fronted, { origin: 'https://evil.example' })).toMatchObject({
        status: 403,
        stillSignedIn: true,
      });
    });
  });
});
