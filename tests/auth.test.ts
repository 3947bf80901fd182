import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rejection } from './helpers/errors.ts';
import { cookieHeader, rawMutation, rawQuery, sessionCookieOf } from './helpers/http.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';
import { serverSuite } from './helpers/server-suite.ts';
import { logIn, registerUser, roomyLimits, uniqueUsername } from './helpers/users.ts';

const suite = serverSuite({ env: roomyLimits });

const password = 'correct horse battery';

async function usersNamed(username: string): Promise<number> {
  const { rows } = await suite.db.query('select id from users where lower(username) = lower($1)', [username]);
  return rows.length;
}

describe('registering', () => {
  it('answers with my profile and signs me in with an HttpOnly, SameSite=Lax session cookie', async () => {
    const username = uniqueUsername('Ada');
    const email = `${username.toLowerCase()}@example.com`;

    const response = await rawMutation(suite.server.url, 'auth.register', { username, email, password });

    expect(response.status).toBe(200);
    expect(response.data).toEqual({
      id: expect.anything(),
      username,
      displayName: username,
      email,
      role: 'user',
      avatarUrl: null,
    });
    const cookie = sessionCookieOf(response.headers);
    expect(cookie?.value).toBeTruthy();
    expect(cookie?.attributes).toMatchObject({ httponly: true, samesite: 'Lax', path: '/' });
    // Secure only in production: the test server speaks plain HTTP.
    expect(cookie?.attributes).not.toHaveProperty('secure');
    const expires = Date.parse(String(cookie?.attributes.expires));
    expect(expires).toBeGreaterThan(Date.now() + 29 * 24 * 3600 * 1000);

    const me = await suite.server.client({ cookie: cookieHeader(cookie?.value ?? '') }).auth.me.query();
    expect(me).toEqual(response.data);
  });

  it('shows the display name I chose instead of my username', async () => {
    const account = await registerUser(suite.server, { displayName: 'Ada Lovelace' });
    expect(account.me).toMatchObject({ username: account.username, displayName: 'Ada Lovelace' });
  });

  it('stores my email in lower case, however I typed it', async () => {
    const username = uniqueUsername('grace');
    const typed = `Grace.${username}@Example.COM`;

    const me = await suite.server.client().auth.register.mutate({ username, email: typed, password });

    expect(me.email).toBe(typed.toLowerCase());
    const { rows } = await suite.db.query('select email from users where id = $1', [me.id]);
    expect(rows).toEqual([{ email: typed.toLowerCase() }]);
  });

  it.each([
    ['too short', 'ab'],
    ['too long', `a${'b'.repeat(30)}`],
    ['with a space', 'ada lovelace'],
    ['with a slash', 'ada/lovelace'],
    ['with a non-ASCII letter', 'émile'],
    ['with an @', 'ada@home'],
  ])('refuses a username %s, saying so next to the username field', async (_, username) => {
    const error = await rejection(
      suite.server
        .client()
        .auth.register.mutate({ username, email: `${uniqueUsername()}@example.com`, password }),
    );

    expect(error.data?.code).toBe('BAD_REQUEST');
    expect(error.data?.httpStatus).toBe(400);
    expect(error.data?.fieldErrors?.username?.length).toBeGreaterThan(0);
    expect(await usersNamed(username)).toBe(0);
  });

  it('accepts usernames of 3 and of 30 letters, digits, _ . and -', async () => {
    const shortest = `a${randomBytes(1).toString('hex')}`;
    const longest = `A.b-C_${randomBytes(12).toString('hex')}`;
    expect([shortest.length, longest.length]).toEqual([3, 30]);

    for (const username of [shortest, longest]) {
      const me = await suite.server.client().auth.register.mutate({
        username,
        email: `${username}@example.com`,
        password,
      });
      expect(me.username).toBe(username);
    }
  });

  it('refuses an email address that is not one', async () => {
    const error = await rejection(
      suite.server
        .client()
        .auth.register.mutate({ username: uniqueUsername(), email: 'not-an-email', password }),
    );

    expect(error.data?.code).toBe('BAD_REQUEST');
    expect(error.data?.fieldErrors?.email?.length).toBeGreaterThan(0);
  });

  it('wants a password of at least 8 characters', async () => {
    const username = uniqueUsername();
    const email = `${username}@example.com`;

    const error = await rejection(
      suite.server.client().auth.register.mutate({ username, email, password: '1234567' }),
    );
    expect(error.data?.code).toBe('BAD_REQUEST');
    expect(error.data?.fieldErrors?.password?.length).toBeGreaterThan(0);
    expect(Object.keys(error.data?.fieldErrors ?? {})).toEqual(['password']);
    const blank = await rejection(
      suite.server.client().auth.register.mutate({ username, email, password: ' '.repeat(8) }),
    );
    expect(blank.message).toBe('password: Password must be more than spaces.');

    const me = await suite.server.client().auth.register.mutate({ username, email, password: '12345678' });
    expect(me.username).toBe(username);
  });

  it('tells me a username is taken, whatever its case', async () => {
    const first = await registerUser(suite.server, { username: uniqueUsername('Linus') });

    const error = await rejection(
      suite.server.client().auth.register.mutate({
        username: first.username.toUpperCase(),
        email: `${uniqueUsername()}@example.com`,
        password,
      }),
    );

    expect(error.data?.code).toBe('CONFLICT');
    expect(error.data?.fieldErrors?.username?.length).toBeGreaterThan(0);
    expect(await usersNamed(first.username)).toBe(1);
  });

  it('tells me an email is already registered, whatever its case', async () => {
    const first = await registerUser(suite.server);

    const error = await rejection(
      suite.server.client().auth.register.mutate({
        username: uniqueUsername(),
        email: first.email.toUpperCase(),
        password,
      }),
    );

    expect(error.data?.code).toBe('CONFLICT');
    expect(error.data?.fieldErrors?.email?.length).toBeGreaterThan(0);
    expect(error.data?.fieldErrors).not.toHaveProperty('username');
  });

  it('tells me at once when both my username and my email are taken', async () => {
    const first = await registerUser(suite.server);

    const error = await rejection(
      suite.server.client().auth.register.mutate({ username: first.username, email: first.email, password }),
    );

    expect(error.data?.code).toBe('CONFLICT');
    expect(error.data?.fieldErrors?.username).toEqual(['That username is taken.']);
    expect(error.data?.fieldErrors?.email).toEqual(['That email is already registered.']);
  });

  it('lets exactly one of two people who pick the same name at the same moment have it', async () => {
    const username = uniqueUsername('twin');
    const attempts = await Promise.allSettled(
      ['one', 'two'].map((who) =>
        suite.server
          .client()
          .auth.register.mutate({ username, email: `${who}.${username}@example.com`, password }),
      ),
    );

    const succeeded = attempts.filter((a) => a.status === 'fulfilled');
    const failed = attempts.filter((a) => a.status === 'rejected');
    expect(succeeded).toHaveLength(1);
    expect(failed).toHaveLength(1);
    const error = await rejection(Promise.reject(failed[0]?.reason));
    expect(error.data?.code).toBe('CONFLICT');
    expect(error.data?.fieldErrors).toEqual({ username: [expect.any(String)] });
    expect(await usersNamed(username)).toBe(1);
  });

  it('lets exactly one of two people who give the same email at the same moment have it', async () => {
    const email = `${uniqueUsername('shared')}@example.com`;
    const attempts = await Promise.allSettled(
      [uniqueUsername('one'), uniqueUsername('two')].map((username) =>
        suite.server.client().auth.register.mutate({ username, email, password }),
      ),
    );

    const failed = attempts.filter((a) => a.status === 'rejected');
    expect(failed).toHaveLength(1);
    const error = await rejection(Promise.reject(failed[0]?.reason));
    expect(error.data?.code).toBe('CONFLICT');
    expect(error.data?.fieldErrors).toEqual({ email: [expect.any(String)] });
    const { rows } = await suite.db.query('select id from users where email = $1', [email]);
    expect(rows).toHaveLength(1);
  });
});

describe('logging in', () => {
  it('works with my username in any case, and the new cookie signs me in', async () => {
    const account = await registerUser(suite.server, { username: uniqueUsername('Barbara') });

    const response = await rawMutation(suite.server.url, 'auth.login', {
      login: account.username.toUpperCase(),
      password: account.password,
    });

    expect(response.status).toBe(200);
    expect(response.data).toEqual(account.me);
    const cookie = sessionCookieOf(response.headers);
    expect(cookie?.attributes).toMatchObject({ httponly: true, samesite: 'Lax', path: '/' });
    expect(cookie?.value).not.toBe(account.sessionToken);
    const me = await suite.server.client({ cookie: cookieHeader(cookie?.value ?? '') }).auth.me.query();
    expect(me?.id).toBe(account.me.id);
  });

  it('works with my email in any case', async () => {
    const account = await registerUser(suite.server);

    const me = await suite.server.client().auth.login.mutate({
      login: account.email.toUpperCase(),
      password: account.password,
    });

    expect(me).toEqual(account.me);
  });

  it('gives the same answer for a wrong password as for an unknown user, so nobody learns who has an account', async () => {
    const account = await registerUser(suite.server);
    const attempt = async (login: string, pass: string) => {
      const response = await rawMutation(suite.server.url, 'auth.login', { login, password: pass });
      expect(sessionCookieOf(response.headers)).toBeNull();
      return { status: response.status, message: response.error?.message, data: response.error?.data };
    };

    const wrongPassword = await attempt(account.username, 'not my password');
    const unknownName = await attempt(uniqueUsername('nobody'), 'not my password');
    const unknownEmail = await attempt(`${uniqueUsername('nobody')}@example.com`, 'not my password');

    expect(wrongPassword.status).toBe(401);
    expect(wrongPassword.data?.code).toBe('UNAUTHORIZED');
    expect(wrongPassword.message).toBeTruthy();
    expect(unknownName).toEqual(wrongPassword);
    expect(unknownEmail).toEqual(wrongPassword);
  });
});

describe('who am I', () => {
  it('answers null to a visitor who is not signed in', async () => {
    expect(await suite.server.client().auth.me.query()).toBeNull();
  });

  it('answers null, and clears the cookie, for a session cookie the server does not know', async () => {
    const response = await rawQuery(suite.server.url, 'auth.me', undefined, {
      cookie: cookieHeader('nosuchsession.nosuchsecret'),
    });

    expect(response.status).toBe(200);
    expect(response.data).toBeNull();
    expect(sessionCookieOf(response.headers)).toMatchObject({ value: '', attributes: { 'max-age': '0' } });
  });
});

describe('logging out', () => {
  it('ends my session: the cookie is cleared, stops working, and its row is gone', async () => {
    const account = await registerUser(suite.server);
    const sessionId = account.sessionToken.split('.')[0];
    const before = await suite.db.query('select id from sessions where id = $1', [sessionId]);
    expect(before.rows).toHaveLength(1);

    const response = await rawMutation(suite.server.url, 'auth.logout', undefined, {
      cookie: account.cookie,
    });

    expect(response.status).toBe(200);
    expect(sessionCookieOf(response.headers)).toMatchObject({
      value: '',
      attributes: { 'max-age': '0', path: '/', httponly: true },
    });
    expect(await suite.server.client({ cookie: account.cookie }).auth.me.query()).toBeNull();
    const after = await suite.db.query('select id from sessions where id = $1', [sessionId]);
    expect(after.rows).toHaveLength(0);
  });

  it('leaves my other sessions signed in', async () => {
    const account = await registerUser(suite.server);
    const laptop = await logIn(suite.server, account.username, account.password);

    await suite.server.client({ cookie: account.cookie }).auth.logout.mutate();

    expect(await suite.server.client({ cookie: account.cookie }).auth.me.query()).toBeNull();
    expect(await suite.server.client({ cookie: laptop.cookie }).auth.me.query()).toEqual(account.me);
  });
});

describe('guessing passwords', () => {
  let guarded: TestServer;

  beforeAll(async () => {
    guarded = await startTestServer({ env: { RATE_LOGIN_PER_MINUTE: '3' } });
  });

  afterAll(async () => {
    await guarded?.close();
  });

  it('after three wrong passwords for one name, the next try must wait, even with the right password', async () => {
    const victim = await registerUser(guarded);
    const attacker = guarded.client();

    for (const guess of ['password1', 'password2', 'password3']) {
      const error = await rejection(attacker.auth.login.mutate({ login: victim.username, password: guess }));
      expect(error.data?.code).toBe('UNAUTHORIZED');
    }
    const limited = await rejection(
      attacker.auth.login.mutate({ login: victim.username, password: 'password4' }),
    );
    expect(limited.data?.code).toBe('TOO_MANY_REQUESTS');
    expect(limited.data?.retryAfterSeconds).toBeGreaterThan(0);
    expect(limited.data?.retryAfterSeconds).toBeLessThanOrEqual(60);

    // Changing the case of the name is the same name; the right password is no way around the wait either.
    const response = await rawMutation(guarded.url, 'auth.login', {
      login: victim.username.toUpperCase(),
      password: victim.password,
    });
    expect(response.status).toBe(429);
    expect(response.error?.data.code).toBe('TOO_MANY_REQUESTS');
    const retryAfter = Number(response.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBe(response.error?.data.retryAfterSeconds);
    expect(sessionCookieOf(response.headers)).toBeNull();
  });

  it('does not lock out someone else who logs in from the same address', async () => {
    const other = await registerUser(guarded);

    const me = await guarded.client().auth.login.mutate({ login: other.username, password: other.password });

    expect(me.username).toBe(other.username);
  });
});
