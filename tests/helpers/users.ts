import { randomBytes } from 'node:crypto';
import type { inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '../../src/server/router.ts';
import { cookieHeader, rawMutation, sessionCookieOf } from './http.ts';

export type Me = NonNullable<inferRouterOutputs<AppRouter>['auth']['me']>;

/**
 * Test files register many people from one address; the default limits (20 registrations an hour per IP) are
 * meant for the real world. Rate limits have their own tests with their own server.
 */
export const roomyLimits = {
  RATE_REGISTER_PER_HOUR: '10000',
  RATE_LOGIN_PER_MINUTE: '10000',
  // Tests poll with queries and share one address; the call budgets have tests of their own (limits.test.ts).
  RATE_QUERIES_PER_MINUTE: '100000',
  WS_CALLS_PER_MINUTE: '100000',
};

/** A fresh, valid username: `prefix` plus a random suffix. */
export function uniqueUsername(prefix = 'user'): string {
  return `${prefix.slice(0, 20)}_${randomBytes(4).toString('hex')}`;
}

export interface Account {
  username: string;
  email: string;
  password: string;
  me: Me;
  /** The session token from the `parley_session` cookie. */
  sessionToken: string;
  /** A `Cookie` header carrying that session, as the browser would send it. */
  cookie: string;
}

export interface Registration {
  username?: string;
  email?: string;
  password?: string;
  displayName?: string;
}

/** Registers over HTTP as the web app does, and keeps the session cookie the server set. */
export async function registerUser(server: { url: string }, details: Registration = {}): Promise<Account> {
  const username = details.username ?? uniqueUsername();
  const input = {
    username,
    email: details.email ?? `${username.toLowerCase()}@example.com`,
    password: details.password ?? 'correct horse battery',
    displayName: details.displayName,
  };
  const response = await rawMutation(server.url, 'auth.register', input);
  const sessionToken = sessionCookieOf(response.headers)?.value;
  if (response.error || !sessionToken) {
    throw new Error(`Registering ${username} failed: ${JSON.stringify(response.error)}`);
  }
  return {
    username,
    email: input.email,
    password: input.password,
    me: response.data as Me,
    sessionToken,
    cookie: cookieHeader(sessionToken),
  };
}

export interface SignedIn {
  sessionToken: string;
  cookie: string;
}

/** Logs in over HTTP (a second browser, say) and returns that new session. */
export async function logIn(server: { url: string }, login: string, password: string): Promise<SignedIn> {
  const response = await rawMutation(server.url, 'auth.login', { login, password });
  const sessionToken = sessionCookieOf(response.headers)?.value;
  if (response.error || !sessionToken) {
    throw new Error(`Logging in as ${login} failed: ${JSON.stringify(response.error)}`);
  }
  return { sessionToken, cookie: cookieHeader(sessionToken) };
}
