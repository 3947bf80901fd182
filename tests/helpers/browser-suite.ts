import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import {
  type BrowserUser,
  browserUser,
  expectSignedInAs,
  launchBrowser,
  newVisitor,
  registerThroughForm,
} from './browser.ts';
import { cookieHeader, sessionCookieName } from './http.ts';
import type { Client } from './people.ts';
import { startTestServer, type TestServer } from './server.ts';

/** Someone who signed up through the form, in a browser of their own, with an API client on the same session. */
export interface Visitor extends BrowserUser {
  id: number;
  page: Page;
  client: Client;
}

export interface BrowserSuiteOptions {
  /** The server's environment (limits for the story told). */
  env: Record<string, string>;
  /** When the browsers the tests open are closed: after each test (the default), or after the file. */
  browsersLast?: 'test' | 'file';
  /** How long a locator waits (ms). */
  timeoutMs?: number;
}

export interface BrowserSuite {
  readonly server: TestServer;
  readonly browser: Browser;
  /** A browser of its own (a context and a page) at the server; an uncaught exception in it fails the test. */
  newPage(options?: BrowserContextOptions): Promise<Page>;
  /** A typed API client on the page's own session (its cookie). */
  clientOf(page: Page): Promise<Client>;
  /** Someone new, signed up through the form in a browser of their own. */
  signUpInBrowser(name: string, options?: BrowserContextOptions): Promise<Visitor>;
}

/**
 * One browser test file's world: a server that serves the built client (`npm run build` first), Debian's
 * Chromium, and the browsers the tests open, closed when the test (or the file) ends. Every page is watched for
 * uncaught exceptions: there should be none.
 */
export function browserSuite(options: BrowserSuiteOptions): BrowserSuite {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const pageErrors: Error[] = [];

  beforeAll(async () => {
    [server, browser] = await Promise.all([
      startTestServer({ serveClient: true, env: options.env }),
      launchBrowser(),
    ]);
  });
  afterEach(async () => {
    if ((options.browsersLast ?? 'test') === 'test') {
      await Promise.all(contexts.splice(0).map((context) => context.close()));
    }
    expect(pageErrors.splice(0)).toEqual([]);
  });
  afterAll(async () => {
    await Promise.all(contexts.map((context) => context.close()));
    await browser?.close();
    await server?.close();
  });

  const started = <T>(value: T | undefined, what: string): T => {
    if (!value) throw new Error(`The ${what} is not started: use it inside a test or a hook.`);
    return value;
  };
  const suite: BrowserSuite = {
    get server() {
      return started(server, 'server');
    },
    get browser() {
      return started(browser, 'browser');
    },
    async newPage(contextOptions = {}) {
      const context = await newVisitor(suite.browser, suite.server.url, contextOptions);
      context.setDefaultTimeout(options.timeoutMs ?? 10_000);
      contexts.push(context);
      const page = await context.newPage();
      page.on('pageerror', (error) => pageErrors.push(error));
      return page;
    },
    async clientOf(page) {
      const session = (await page.context().cookies()).find((cookie) => cookie.name === sessionCookieName);
      if (!session) throw new Error('This browser has no session cookie: nobody signed in there');
      return suite.server.client({ cookie: cookieHeader(session.value) });
    },
    async signUpInBrowser(name, contextOptions) {
      const page = await suite.newPage(contextOptions);
      const who = browserUser(name);
      await registerThroughForm(page, who);
      await expectSignedInAs(page, who);
      const client = await suite.clientOf(page);
      const me = await client.auth.me.query();
      if (!me) throw new Error(`${name} is not signed in after signing up`);
      return { ...who, id: me.id, page, client };
    },
  };
  return suite;
}
