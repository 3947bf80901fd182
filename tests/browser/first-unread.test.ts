import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  browserUser,
  expectSignedInAs,
  launchBrowser,
  newVisitor,
  registerThroughForm,
  saveScreenshot,
} from '../helpers/browser.ts';
import { chattyLimits, sayEach } from '../helpers/chat.ts';
import { cookieHeader, sessionCookieName } from '../helpers/http.ts';
import { type Client, makeFriends, type Person, signUp } from '../helpers/people.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

// Needs the built client (`npm run build`; `npm test` builds first), PostgreSQL, Redis and /usr/bin/chromium.

let server: TestServer;
let browser: Browser;
let context: BrowserContext;

beforeAll(async () => {
  [server, browser] = await Promise.all([
    startTestServer({ serveClient: true, env: chattyLimits }),
    launchBrowser(),
  ]);
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.close();
});

async function annInABrowser(): Promise<{ page: Page; id: number; client: Client }> {
  context = await newVisitor(browser, server.url);
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const ann = browserUser('Ann Archer');
  await registerThroughForm(page, ann);
  await expectSignedInAs(page, ann);
  const session = (await context.cookies()).find((cookie) => cookie.name === sessionCookieName);
  const client = server.client({ cookie: cookieHeader(session!.value) });
  return { page, id: (await client.auth.me.query())!.id, client };
}

const numbered = (label: string, count: number) =>
  Array.from({ length: count }, (_, i) => `${label} ${i + 1}`);

describe('coming back to a busy conversation', () => {
  test('Ann lands at the first message she has not read, below a divider, and can jump back to it', async () => {
    const ann = await annInABrowser();
    const ben: Person = await signUp(server, { displayName: 'Ben Baker' });
    await makeFriends(ben, ann);
    const room = await ben.client.chat.openPrivate.mutate({ userId: ann.id });
    await sayEach(ben.client, room.id, numbered('Earlier note', 30));
    // Ann read those, then went to the public room while Ben went on writing.
    const { items } = await ann.client.chat.history.query({ roomId: room.id, limit: 1 });
    await ann.client.chat.markRead.mutate({ roomId: room.id, seq: items[0]!.seq });
    await ann.page.goto('/');
    await sayEach(ben.client, room.id, numbered('Catching up', 40));
    const sidebar = ann.page.getByRole('navigation', { name: 'Conversations' });
    await sidebar.getByText('40', { exact: true }).waitFor();

    await sidebar.getByRole('link', { name: /Ben Baker/ }).click();

    const log = ann.page.getByRole('log', { name: 'Messages in Ben Baker' });
    const divider = log.getByText('New messages', { exact: true });
    await divider.waitFor();
    await expect(divider.isVisible()).resolves.toBe(true);
    await expect(log.getByText('Catching up 1', { exact: true }).isVisible()).resolves.toBe(true);
    // The divider sits right between the last message read and the first new one.
    const order = await log.locator('li').allTextContents();
    const at = order.findIndex((text) => text.includes('New messages'));
    expect(order[at - 1]).toContain('Earlier note 30');
    expect(order[at + 1]).toContain('Catching up 1');
    await saveScreenshot(ann.page, '27-first-unread.png');

    // Reading further back, the way to the first unread is offered, and taken.
    await log.getByText('Earlier note 6', { exact: true }).scrollIntoViewIfNeeded();
    await ann.page.getByRole('button', { name: 'Jump to first unread' }).click();
    await ann.page.getByRole('button', { name: 'Jump to first unread' }).waitFor({ state: 'hidden' });
    await expect(divider.isVisible()).resolves.toBe(true);

    // Down to the newest: everything is loaded, the way back to the newest is no longer needed.
    // (It counts what loaded below meanwhile: "Jump to latest" or "N new messages".)
    await ann.page.locator('button.jump-latest').click();
    await log.getByText('Catching up 40', { exact: true }).waitFor();
  });
});
