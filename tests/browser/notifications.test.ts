/**
 * Desktop notifications, as Ann lives them: she turns them on in her account, puts Parley in the background, and a
 * friend's direct message shows on her desktop with who wrote and what; a click takes her to the conversation. Her
 * own messages, the conversation she is reading and a conversation she muted stay quiet.
 *
 * The browser is granted the 'notifications' permission, and an init script records every `new Notification(…)`
 * the page makes (observing the browser's API; the server and the app are the real ones). Whether the tab has the
 * focus follows which of two pages is in front, as when a person switches windows.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  browserUser,
  expectSignedInAs,
  launchBrowser,
  newVisitor,
  registerThroughForm,
  saveScreenshot,
  waitForPath,
} from '../helpers/browser.ts';
import { newClientId } from '../helpers/chat.ts';
import { cookieHeader, sessionCookieName } from '../helpers/http.ts';
import { type Client, makeFriends, type Person, signUp } from '../helpers/people.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { roomyLimits } from '../helpers/users.ts';

// Needs the built client (`npm run build`; `npm test` builds first), PostgreSQL, Redis and /usr/bin/chromium.

let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
/** Another window Ann switches to. */
let elsewhere: Page;
let ann: { id: number; client: Client };
let ben: Person;
let cat: Person;
let roomWithBen: number;

interface Shown {
  title: string;
  body: string;
}

declare global {
  interface Window {
    recordedNotifications: { shown: (Shown & { notification: Notification })[]; asked: number };
  }
}

/** Runs in the page before the app: keeps every notification made and counts the permission questions. */
function recordNotifications() {
  const Real = window.Notification;
  const record: Window['recordedNotifications'] = { shown: [], asked: 0 };
  class Recorded extends Real {
    constructor(title: string, options?: NotificationOptions) {
      super(title, options);
      record.shown.push({ title, body: options?.body ?? '', notification: this });
    }
    static override get permission() {
      return Real.permission;
    }
    static override requestPermission() {
      record.asked += 1;
      return Real.requestPermission();
    }
  }
  window.Notification = Recorded;
  window.recordedNotifications = record;
}

const shown = () =>
  page.evaluate(() => window.recordedNotifications.shown.map(({ title, body }) => ({ title, body })));

/** Waits until the desktop has shown `count` notifications in all, and returns them. */
async function untilShown(count: number): Promise<Shown[]> {
  await page.waitForFunction((n) => window.recordedNotifications.shown.length >= n, count);
  return shown();
}

/** Ann switches to another window (Parley's tab stays open, without the focus), or back to Parley. */
async function annLooksAway() {
  // Chromium tells every page it has the focus unless told to follow which window is in front (again after a
  // navigation, which may give the page a new renderer).
  await (await context.newCDPSession(page)).send('Emulation.setFocusEmulationEnabled', { enabled: false });
  await elsewhere.bringToFront();
  expect(await page.evaluate(() => document.hasFocus())).toBe(false);
}
async function annLooksBack() {
  await page.bringToFront();
  expect(await page.evaluate(() => document.hasFocus())).toBe(true);
}

const conversationWithBen = () => page.getByRole('region', { name: 'Ben Baker' });

const say = (from: { client: Client }, roomId: number, body: string) =>
  from.client.chat.send.mutate({ roomId, clientId: newClientId(), body });

/** Someone who signs up in the web app, in `context`, with an API client on the same session. */
async function signUpInBrowser(context: BrowserContext, name: string) {
  const page = await context.newPage();
  const who = browserUser(name);
  await registerThroughForm(page, who);
  await expectSignedInAs(page, who);
  const session = (await context.cookies()).find((cookie) => cookie.name === sessionCookieName);
  const client = server.client({ cookie: cookieHeader(session!.value) });
  return { page, id: (await client.auth.me.query())!.id, client };
}

beforeAll(async () => {
  [server, browser] = await Promise.all([
    startTestServer({ serveClient: true, env: roomyLimits }),
    launchBrowser(),
  ]);
  context = await newVisitor(browser, server.url, { permissions: ['notifications'] });
  context.setDefaultTimeout(10_000);
  await context.addInitScript(recordNotifications);
  const signedUp = await signUpInBrowser(context, 'Ann Archer');
  page = signedUp.page;
  ann = { id: signedUp.id, client: signedUp.client };
  elsewhere = await context.newPage();
  await page.bringToFront();
  [ben, cat] = await Promise.all([
    signUp(server, { displayName: 'Ben Baker' }),
    signUp(server, { displayName: 'Cat Cooper' }),
  ]);
  await makeFriends(ben, ann);
  await makeFriends(cat, ann);
  roomWithBen = (await ben.client.chat.openPrivate.mutate({ userId: ann.id })).id;
  await cat.client.chat.openPrivate.mutate({ userId: ann.id });
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await server?.close();
});

describe('notifications while Parley is in the background', () => {
  test('Ann turns them on in her account; the browser is never asked on load', async () => {
    await page.goto('/account/notifications');
    const desktop = page.getByRole('checkbox', { name: 'Desktop notifications' });
    const sound = page.getByRole('checkbox', { name: 'Play a sound' });
    expect(await desktop.isChecked()).toBe(false);
    expect(await page.evaluate(() => window.recordedNotifications.asked)).toBe(0);

    await desktop.check();
    await sound.check();

    expect(await desktop.isChecked()).toBe(true);
    expect(await sound.isChecked()).toBe(true);
    await saveScreenshot(page, '25-notification-settings.png');
  });

  test('a direct message from Ben shows who wrote and what; her own message does not', async () => {
    await page
      .getByRole('link', { name: /Public room/ })
      .first()
      .click();
    await waitForPath(page, '/');
    await annLooksAway();

    await say(ann, roomWithBen, 'A note I sent from my phone');
    await say(ben, roomWithBen, 'Are you there?');

    expect(await untilShown(1)).toEqual([{ title: 'Ben Baker', body: 'Are you there?' }]);
  });

  test('clicking the notification opens the conversation', async () => {
    await page.evaluate(() =>
      window.recordedNotifications.shown[0]?.notification.onclick?.(new Event('click')),
    );
    await annLooksBack();

    await waitForPath(page, `/chat/${roomWithBen}`);
    await page.getByRole('heading', { name: 'Ben Baker', exact: true }).waitFor();
    await conversationWithBen().getByText('Are you there?').waitFor();
  });

  test('the conversation Ann is reading stays quiet; once she looks away it notifies again', async () => {
    await say(ben, roomWithBen, 'Seen this?');
    await conversationWithBen().getByText('Seen this?').waitFor();
    await annLooksAway();
    await say(ben, roomWithBen, 'And this?');

    const bodies = (await untilShown(2)).map((n) => n.body);
    expect(bodies).toEqual(['Are you there?', 'And this?']);
  });

  test('while Ann reads the conversation in another tab, this one stays quiet', async () => {
    const otherTab = await context.newPage();
    await otherTab.goto(`/chat/${roomWithBen}`);
    await otherTab.bringToFront();
    await otherTab.getByRole('textbox', { name: 'Message Ben Baker' }).waitFor();
    await say(ben, roomWithBen, 'Reading it in the other tab');
    await otherTab
      .getByRole('region', { name: 'Ben Baker' })
      .getByText('Reading it in the other tab')
      .waitFor();
    await otherTab.close();

    await annLooksAway();
    await say(ben, roomWithBen, 'Back to one tab');

    const bodies = (await untilShown(3)).map((n) => n.body);
    expect(bodies).toEqual(['Are you there?', 'And this?', 'Back to one tab']);
  });

  test('a conversation Ann muted stays quiet, and its mute shows in the sidebar', async () => {
    await annLooksBack();
    const mute = page.getByRole('button', { name: 'Mute conversation' });
    await mute.click();
    await page.waitForFunction(
      () =>
        document.querySelector('[aria-label="Mute conversation"]')?.getAttribute('aria-pressed') === 'true',
    );
    const sidebar = page.getByRole('navigation', { name: 'Conversations' });
    await sidebar.getByRole('link', { name: /Ben Baker.*, muted/ }).waitFor();
    await saveScreenshot(page, '26-muted-conversation.png');
    // On a phone the toggle stays in the header, in view.
    await page.setViewportSize({ width: 390, height: 844 });
    const box = await mute.boundingBox();
    expect(box && box.x + box.width).toBeLessThanOrEqual(390);
    await page.setViewportSize({ width: 1280, height: 800 });

    await annLooksAway();
    await say(ben, roomWithBen, 'Muted words');
    await say(cat, (await cat.client.chat.openPrivate.mutate({ userId: ann.id })).id, 'Hello from Cat');

    const latest = await untilShown(4);
    expect(latest.map((n) => n.body)).toEqual([
      'Are you there?',
      'And this?',
      'Back to one tab',
      'Hello from Cat',
    ]);
    expect(latest.at(-1)?.title).toBe('Cat Cooper');
    // Muted is not unread-free: the tab's title counts Ben's message along with Cat's.
    await page.waitForFunction(() => document.title === '(2) Ben Baker · Parley');
  });

  test('in the public room only a mention of Ann notifies, saying so and showing her name', async () => {
    const publicRoom = await cat.client.chat.publicRoom.query();
    const me = await ann.client.auth.me.query();
    await say(cat, publicRoom.id, 'Anyone for lunch?');
    await say(cat, publicRoom.id, `@${me?.username} lunch?`);

    const latest = await untilShown(5);
    expect(latest.slice(4)).toEqual([
      { title: `Cat Cooper mentioned you in ${publicRoom.name}`, body: '@Ann Archer lunch?' },
    ]);
  });
});

describe('the offer to turn notifications on', () => {
  test('comes after a first direct message, never on load, and "Not now" puts it away for good', async () => {
    const danContext = await newVisitor(browser, server.url);
    danContext.setDefaultTimeout(10_000);
    await danContext.addInitScript(recordNotifications);
    try {
      const { page: dan, ...danApi } = await signUpInBrowser(danContext, 'Dan Dale');
      await makeFriends(ben, danApi);
      const offer = dan.getByRole('complementary', { name: /desktop notification/ });
      expect(await offer.count()).toBe(0);

      const room = await ben.client.chat.openPrivate.mutate({ userId: danApi.id });
      await say(ben, room.id, 'Welcome, Dan');
      await offer.waitFor();
      await offer.getByRole('button', { name: 'Not now' }).click();
      await offer.waitFor({ state: 'detached' });

      await dan.reload();
      await say(ben, room.id, 'Still there?');
      await dan.getByRole('navigation', { name: 'Conversations' }).getByText('Still there?').waitFor();
      expect(await offer.count()).toBe(0);
      expect(await dan.evaluate(() => window.recordedNotifications.asked)).toBe(0);
    } finally {
      await danContext.close();
    }
  });
});
