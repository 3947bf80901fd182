import { randomUUID } from 'node:crypto';
import type { Browser, BrowserContext, Locator, Page, Route } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import {
  type BrowserUser,
  browserUser,
  expectSignedInAs,
  isSendFrame,
  launchBrowser,
  newVisitor,
  phone,
  registerThroughForm,
  saveScreenshot,
  waitForPath,
} from '../helpers/browser.ts';
import { cookieHeader, sessionCookieName } from '../helpers/http.ts';
import { type Client, makeFriends, signUp } from '../helpers/people.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { roomyLimits } from '../helpers/users.ts';

// The whole app, as two people use it side by side in two browsers: sign up, log in, find each other, become
// friends, chat privately and in the public room; edits, deletions, typing and a lost network on the way.
// Needs the built client (`npm run build`; `npm test` builds first), PostgreSQL, Redis and /usr/bin/chromium.

let server: TestServer;
let browser: Browser;
const contexts: BrowserContext[] = [];
/** Uncaught exceptions in any page: there should be none. */
const pageErrors: Error[] = [];

beforeAll(async () => {
  [server, browser] = await Promise.all([
    startTestServer({ serveClient: true, env: roomyLimits }),
    launchBrowser(),
  ]);
});

afterEach(() => {
  expect(pageErrors.splice(0)).toEqual([]);
});

afterAll(async () => {
  await Promise.all(contexts.map((context) => context.close()));
  await browser?.close();
  await server?.close();
});

interface Person extends BrowserUser {
  page: Page;
}

async function newBrowser(
  options: { width?: number; height?: number; dark?: boolean; touch?: boolean } = {},
): Promise<Page> {
  const context = await newVisitor(browser, server.url, options.touch ? phone : {});
  context.setDefaultTimeout(10_000);
  contexts.push(context);
  const page = await context.newPage();
  await relaySockets(page);
  page.on('pageerror', (error) => pageErrors.push(error));
  if (options.width) await page.setViewportSize({ width: options.width, height: options.height ?? 800 });
  // Reduced motion: the drawer is photographed open, not halfway through sliding in.
  if (options.dark) await page.emulateMedia({ colorScheme: 'dark', reducedMotion: 'reduce' });
  return page;
}

/** A typed API client on the browser's own session, for checking what the server stored. */
async function apiOf(page: Page): Promise<Client> {
  const session = (await page.context().cookies()).find((cookie) => cookie.name === sessionCookieName);
  return server.client({ cookie: cookieHeader(session!.value) });
}

const messageLog = (page: Page) => page.getByRole('log');
const message = (page: Page, text: string) =>
  messageLog(page).getByRole('listitem').filter({ hasText: text });
const composer = (page: Page) => page.getByRole('textbox', { name: /^Message / });
const actionsButton = (item: Locator) => item.getByRole('button', { name: /^Actions for / });

/** Whether the open message menu lies wholly inside the message log's scrolling area, cut off nowhere. */
async function menuFits(page: Page): Promise<boolean> {
  const [menu, log] = await Promise.all([
    page.getByRole('menu').boundingBox(),
    page.locator('.timeline').boundingBox(),
  ]);
  return Boolean(menu && log && menu.y >= log.y && menu.y + menu.height <= log.y + log.height);
}

/** The tab's title counts everything unread for the person on `page`: messages in all their rooms, notifications. */
async function titleCountsUnread(page: Page, name: string): Promise<boolean> {
  const api = await apiOf(page);
  const [rooms, notifications] = await Promise.all([
    api.chat.rooms.query(),
    api.notifications.unreadCount.query(),
  ]);
  const unread = rooms.reduce((sum, room) => sum + room.unread, 0) + notifications.count;
  return (await page.title()) === `${unread > 0 ? `(${unread}) ` : ''}${name} · Parley`;
}

async function send(page: Page, text: string): Promise<void> {
  await composer(page).fill(text);
  await composer(page).press('Enter');
}

/** Per page: while set, the frames that send a message wait here instead of reaching the server. */
const heldSends = new WeakMap<Page, { holding: boolean; frames: (() => void)[] }>();

/** The page's sockets go through a relay that can hold back sends (see `holdSends`). */
async function relaySockets(page: Page): Promise<void> {
  const gate = { holding: false, frames: [] as (() => void)[] };
  heldSends.set(page, gate);
  await page.routeWebSocket(/\/trpc/, (socket) => {
    const server = socket.connectToServer();
    socket.onMessage((frame) => {
      if (gate.holding && isSendFrame(frame)) gate.frames.push(() => server.send(frame));
      else server.send(frame);
    });
  });
}

/** Holds every `chat.send` (sent over the page's socket) until `release`; the message stays pending meanwhile. */
async function holdSends(page: Page): Promise<{ release: () => Promise<void> }> {
  const gate = heldSends.get(page)!;
  gate.holding = true;
  return {
    async release() {
      gate.holding = false;
      for (const send of gate.frames.splice(0)) send();
    },
  };
}

const sidebarRoom = (page: Page, name: string | RegExp): Locator =>
  page.getByRole('navigation', { name: 'Conversations' }).getByRole('link', { name });

describe('Parley, end to end in two browsers', () => {
  const ada: Person = { ...browserUser('Ada Lovelace'), page: undefined! };
  const grace: Person = { ...browserUser('Grace Hopper'), page: undefined! };
  let privatePath = '';

  test('both register through the form, and log in again', async () => {
    ada.page = await newBrowser();
    grace.page = await newBrowser();

    await ada.page.goto('/register');
    await ada.page.getByLabel('Username', { exact: true }).fill(ada.username);
    await ada.page.getByLabel('Email').fill(ada.email);
    await ada.page.getByLabel('Display name').fill(ada.displayName);
    await ada.page.getByLabel('Password').fill(ada.password);
    await saveScreenshot(ada.page, '01-register.png');
    await ada.page.getByRole('button', { name: 'Create account' }).click();
    await expectSignedInAs(ada.page, ada);

    await registerThroughForm(grace.page, grace);
    await expectSignedInAs(grace.page, grace);

    // Grace logs out and back in.
    await grace.page.getByRole('button', { name: 'Log out' }).click();
    await waitForPath(grace.page, '/login');
    await grace.page.getByLabel('Username or email').fill(grace.username);
    await grace.page.getByLabel('Password').fill(grace.password);
    await saveScreenshot(grace.page, '02-login.png');
    await grace.page.getByRole('button', { name: 'Log in' }).click();
    await expectSignedInAs(grace.page, grace);
  });

  test('Ada finds Grace in the search and asks; Grace accepts; Ada opens their chat from her Friends tab', async () => {
    await ada.page.getByRole('searchbox', { name: 'Search people' }).fill(grace.username);
    const found = ada.page.getByRole('list', { name: 'People found' }).getByRole('listitem');
    await found.filter({ hasText: grace.displayName }).getByRole('button', { name: 'Add friend' }).click();
    await found
      .filter({ hasText: grace.displayName })
      .getByRole('button', { name: 'Cancel request' })
      .waitFor();
    await ada.page.keyboard.press('Escape');

    await grace.page.getByRole('link', { name: 'Account settings' }).first().click();
    await grace.page.getByRole('tab', { name: /^Requests/ }).click();
    await waitForPath(grace.page, '/account/requests');
    const waiting = grace.page.getByRole('listitem').filter({ hasText: ada.displayName });
    await waiting.getByRole('button', { name: 'Accept' }).click();

    await ada.page.getByRole('link', { name: 'Account settings' }).first().click();
    await ada.page.getByRole('tab', { name: /^Friends/ }).click();
    await waitForPath(ada.page, '/account/friends');
    const friend = ada.page
      .getByRole('list', { name: /^Friends/ })
      .getByRole('listitem')
      .filter({
        hasText: grace.displayName,
      });
    await friend.getByRole('button', { name: 'Message' }).click();
    await ada.page.waitForURL(/\/chat\/\d+$/);
    privatePath = new URL(ada.page.url()).pathname;
    await ada.page.getByRole('heading', { name: grace.displayName, level: 1 }).waitFor();
    // The new conversation is in Ada's sidebar, with Grace's presence; Grace's shows it with its first message.
    await sidebarRoom(ada.page, new RegExp(`^${grace.displayName}.*, online$`)).waitFor();
  });

  test('a private exchange both ways: pending then sent, live on the other side, unread badge, typing', async () => {
    // Grace is elsewhere (her account page); Ada's message waits on the wire, shown as sending.
    const held = await holdSends(ada.page);
    await send(ada.page, 'Hello Grace! Did you find the **bug**?');
    const first = message(ada.page, 'Hello Grace! Did you find the bug?');
    await first.getByText('Sending…').waitFor();
    expect(await composer(ada.page).inputValue()).toBe('');
    await held.release();
    await first.getByText('Sending…').waitFor({ state: 'detached' });
    await first.locator('strong', { hasText: 'bug' }).waitFor();

    // Grace's sidebar counts it without a reload; opening the room reads it.
    const room = sidebarRoom(grace.page, new RegExp(`^${ada.displayName}.*1 unread`));
    await room.waitFor();
    await room.click();
    await waitForPath(grace.page, privatePath);
    await message(grace.page, 'Hello Grace! Did you find the bug?').waitFor();
    const graceApi = await apiOf(grace.page);
    await expect
      .poll(async () => (await graceApi.chat.rooms.query()).find((r) => r.kind === 'private')?.unread)
      .toBe(0);
    await sidebarRoom(grace.page, new RegExp(`^${ada.displayName}.*, online$`)).waitFor();

    // Ada sees Grace typing, then her reply, without reloading.
    await composer(grace.page).pressSequentially('It was a moth', { delay: 20 });
    await ada.page.getByText(`${grace.displayName} is typing…`).waitFor();
    await composer(grace.page).press('Enter');
    await message(ada.page, 'It was a moth').waitFor();
    await ada.page.getByText(`${grace.displayName} is typing…`).waitFor({ state: 'detached' });
    // A quick message: its typing signal, which the server holds a moment to send with others, comes after it.
    await composer(grace.page).pressSequentially('Yes', { delay: 30 });
    await composer(grace.page).press('Enter');
    await message(ada.page, 'Yes').waitFor();
    await ada.page.waitForTimeout(700);
    expect(await ada.page.getByText(`${grace.displayName} is typing…`).count()).toBe(0);
    await send(ada.page, 'A real one? Tape it into the log book.');
    await message(grace.page, 'Tape it into the log book').waitFor();
    await send(grace.page, 'Already done.\nFirst actual case of bug being found.');
    await message(ada.page, 'First actual case of bug being found.').waitFor();

    // Each message appears once, on both sides.
    for (const page of [ada.page, grace.page]) {
      expect(await message(page, 'It was a moth').count()).toBe(1);
      expect(await message(page, 'Hello Grace!').count()).toBe(1);
    }
    await saveScreenshot(ada.page, '06-private-chat.png');
  });

  test('an edit and a deletion reach the other side live', async () => {
    const mine = message(ada.page, 'Tape it into the log book');
    await mine.hover();
    await actionsButton(mine).click();
    await ada.page.getByRole('menuitem', { name: 'Edit' }).click();
    // While editing, the words are in the text box (the list item no longer shows them as text).
    const editor = ada.page.getByRole('textbox', { name: 'Edit message' });
    await editor.fill('A real one? Tape it into the *log book*, please.');
    await editor.press('Enter');
    await mine.getByText('(edited)').waitFor();

    const theirs = message(grace.page, 'Tape it into the log book, please.');
    await theirs.getByText('(edited)').waitFor();
    await theirs.locator('em', { hasText: 'log book' }).waitFor();

    // Escape leaves an edit without saving it.
    await send(ada.page, 'Oops, wrong window');
    const oops = message(ada.page, 'Oops, wrong window');
    await oops.getByText('Sending…').waitFor({ state: 'detached' });
    await message(grace.page, 'Oops, wrong window').waitFor();
    // Every message's menu button has a name of its own; the newest message's menu opens upwards, in sight.
    const names = await messageLog(ada.page)
      .getByRole('button', { name: /^Actions for / })
      .evaluateAll((buttons) => buttons.map((button) => button.getAttribute('aria-label')));
    expect(new Set(names).size).toBe(names.length);
    expect(names.at(-1)).toMatch(
      new RegExp(`^Actions for ${ada.displayName}'s message at .+: Oops, wrong window$`),
    );
    await oops.hover();
    await actionsButton(oops).click();
    expect(await menuFits(ada.page)).toBe(true);
    await ada.page.getByRole('menuitem', { name: 'Edit' }).click();
    await ada.page.getByRole('textbox', { name: 'Edit message' }).fill('Never mind');
    await ada.page.getByRole('textbox', { name: 'Edit message' }).press('Escape');
    await oops.waitFor();
    expect(await message(ada.page, 'Never mind').count()).toBe(0);

    // The keyboard reaches the menu too: Enter opens it, the arrow keys move, Enter chooses.
    await actionsButton(oops).focus();
    await ada.page.keyboard.press('Enter');
    expect(await menuFits(ada.page)).toBe(true);
    await ada.page.keyboard.press('ArrowDown');
    await ada.page.keyboard.press('Enter');
    await oops
      .getByRole('group', { name: 'Delete this message?' })
      .getByRole('button', { name: 'Delete' })
      .click();
    await ada.page.getByText('This message was deleted').waitFor();
    await grace.page.getByText('This message was deleted').waitFor();
    expect(await message(grace.page, 'Oops, wrong window').count()).toBe(0);
    await saveScreenshot(grace.page, '08-edit-and-delete.png');
  });

  test('reloading a /chat/:roomId address shows the conversation and its history', async () => {
    await grace.page.reload();
    await grace.page.getByRole('heading', { name: ada.displayName, level: 1 }).waitFor();
    await message(grace.page, 'Hello Grace! Did you find the bug?').waitFor();
    await message(grace.page, 'Tape it into the log book, please.').getByText('(edited)').waitFor();
    await grace.page.getByText('This message was deleted').waitFor();
    // Messages keep their order.
    const texts = await messageLog(grace.page).getByRole('listitem').allInnerTexts();
    const order = [
      'Hello Grace!',
      'It was a moth',
      'log book, please',
      'First actual case',
      'This message was deleted',
    ];
    const positions = order.map((text) => texts.findIndex((item) => item.includes(text)));
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    expect(positions.every((position) => position >= 0)).toBe(true);
  });

  test('the public room: an exchange, who is online, and a visitor who is not signed in', async () => {
    await ada.page.goto('/');
    await grace.page
      .getByRole('link', { name: /^Public room/ })
      .first()
      .click();
    await waitForPath(grace.page, '/');
    for (const page of [ada.page, grace.page]) {
      await page.getByRole('heading', { name: 'Public room', level: 1 }).waitFor();
      await page.getByText('2 online').waitFor();
    }
    await send(ada.page, 'Hello everyone! Parley is open for business.');
    await message(grace.page, 'Parley is open for business.').waitFor();
    await send(grace.page, 'Welcome, Ada! Try `code`, *emphasis* and links like https://example.com');
    await send(grace.page, 'Images are not loaded: ![a moth](https://example.com/moth.png)');
    const reply = message(ada.page, 'Try code, emphasis and links');
    await reply.locator('code', { hasText: 'code' }).waitFor();
    const link = reply.getByRole('link', { name: 'https://example.com' });
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
    expect(await link.getAttribute('target')).toBe('_blank');
    await message(ada.page, 'Images are not loaded').getByRole('link', { name: 'a moth' }).waitFor();
    // The sidebar previews the newest message as plain text, Markdown and all left out.
    await sidebarRoom(ada.page, /^Public room/)
      .getByText(`${grace.displayName}: Images are not loaded: a moth`, { exact: true })
      .waitFor();
    expect(await messageLog(ada.page).locator('img').count()).toBe(0);
    await saveScreenshot(ada.page, '07-public-room.png');

    // Near the 4000-character limit a counter appears; past it, the message cannot be sent.
    await composer(ada.page).fill('x'.repeat(3990));
    await ada.page.getByText('10 characters left').waitFor();
    await composer(ada.page).fill('x'.repeat(4010));
    await ada.page.getByText('10 over the limit').waitFor();
    expect(await ada.page.getByRole('button', { name: 'Send message' }).isDisabled()).toBe(true);
    await composer(ada.page).fill('');

    // Someone who is not signed in reads along, and is asked to sign in to write.
    const visitor = await newBrowser();
    await visitor.goto('/');
    await message(visitor, 'Parley is open for business.').waitFor();
    await visitor.getByText('Sign in to chat.').waitFor();
    expect(await composer(visitor).count()).toBe(0);
    await send(ada.page, 'Live for visitors too.');
    await message(visitor, 'Live for visitors too.').waitFor();
    await saveScreenshot(visitor, '09-public-room-signed-out.png');
    // Every other page still needs signing in.
    await visitor.goto(privatePath);
    await waitForPath(visitor, '/login');
  });

  test('a message sent while offline waits, says so, and goes once when the network is back', async () => {
    const context = ada.page.context();
    await context.setOffline(true);
    await ada.page.getByText('You are offline. Reconnecting…').waitFor();
    await send(ada.page, 'Sent from a tunnel');
    const pending = message(ada.page, 'Sent from a tunnel');
    await pending.getByText('Sending…').waitFor();
    await context.setOffline(false);
    await ada.page.getByText('Back online').waitFor();
    await pending.getByText('Sending…').waitFor({ state: 'detached' });
    await message(grace.page, 'Sent from a tunnel').waitFor();

    const publicRoom = await (await apiOf(ada.page)).chat.publicRoom.query();
    const { items } = await (await apiOf(grace.page)).chat.history.query({ roomId: publicRoom.id });
    expect(items.filter((item) => item.body === 'Sent from a tunnel')).toHaveLength(1);
    expect(await message(ada.page, 'Sent from a tunnel').count()).toBe(1);
  });

  test('a message the server refuses is marked failed with Retry; after an unfriend the history stays readable', async () => {
    await ada.page.goto(privatePath);
    await message(ada.page, 'It was a moth').waitFor();
    const graceApi = await apiOf(grace.page);
    const adaApi = await apiOf(ada.page);
    const adaId = (await adaApi.auth.me.query())!.id;

    // Grace unfriends Ada (from another device) while Ada's message is on its way.
    const held = await holdSends(ada.page);
    await send(ada.page, 'Are you still there?');
    const refused = message(ada.page, 'Are you still there?');
    await refused.getByText('Sending…').waitFor();
    await graceApi.friends.remove.mutate({ userId: adaId });
    await held.release();
    await refused.getByText('Not sent: You can only message people who are your friends.').waitFor();

    // The composer gives way to a note saying why; the history stays, and so does the conversation, under
    // "Former friends", with Grace's name. Retry waits until it can work.
    await ada.page
      .getByText(`You and ${grace.displayName} are no longer friends, so sending is off here.`, {
        exact: false,
      })
      .waitFor();
    expect(await composer(ada.page).count()).toBe(0);
    expect(await refused.getByRole('button', { name: 'Retry' }).count()).toBe(0);
    await message(ada.page, 'It was a moth').waitFor();
    await ada.page.getByRole('heading', { level: 1, name: grace.displayName }).waitFor();
    const former = ada.page.getByRole('list', { name: 'Former friends' });
    await former.getByRole('link', { name: new RegExp(`^${grace.displayName}`) }).waitFor();
    expect(
      await ada.page.getByRole('list', { name: 'Direct messages' }).getByText(grace.displayName).count(),
    ).toBe(0);
    await saveScreenshot(ada.page, '12-no-longer-friends.png');

    // Friends again: the composer is back, and Retry sends the same message, once.
    const request = await adaApi.friends.sendRequest.mutate({ userId: (await graceApi.auth.me.query())!.id });
    if (request.status === 'pending') await graceApi.friends.accept.mutate({ requestId: request.requestId });
    await composer(ada.page).waitFor();
    await grace.page.goto(privatePath);
    await message(grace.page, 'It was a moth').waitFor();
    await refused.getByRole('button', { name: 'Retry' }).click();
    await refused.getByText('Not sent', { exact: false }).waitFor({ state: 'detached' });
    await message(grace.page, 'Are you still there?').waitFor();
    expect(await message(ada.page, 'Are you still there?').count()).toBe(1);
  });
});

describe('a long conversation', () => {
  test('older messages load as you scroll up, and what you were reading stays where it was', async () => {
    const page = await newBrowser();
    const who = browserUser('Katherine Johnson');
    await registerThroughForm(page, who);
    await expectSignedInAs(page, who);
    const me = { id: (await (await apiOf(page)).auth.me.query())!.id, client: await apiOf(page) };
    const dorothy = await signUp(server, { displayName: 'Dorothy Vaughan' });
    await makeFriends(dorothy, me);
    const room = await dorothy.client.chat.openPrivate.mutate({ userId: me.id });
    for (let line = 1; line <= 120; line++) {
      await dorothy.client.chat.send.mutate({
        roomId: room.id,
        clientId: `line-${line}-of-120`,
        body: `Line ${line}`,
      });
    }

    // The tab counts what is waiting, wherever it is.
    await sidebarRoom(page, /^Dorothy Vaughan.*, 120 unread$/).waitFor();
    await expect.poll(() => titleCountsUnread(page, 'Public room')).toBe(true);
    expect(Number((await page.title()).match(/^\((\d+)\)/)?.[1])).toBeGreaterThanOrEqual(120);

    // The newest page (a screen and more) shows at the bottom; the oldest lines are not loaded yet.
    await page.goto(`/chat/${room.id}`);
    await message(page, 'Line 120').waitFor();
    expect(await message(page, 'Line 71').count()).toBe(1);
    expect(await message(page, 'Line 70').count()).toBe(0);
    // Reading it takes its 120 off the tab's count.
    await expect
      .poll(async () => (await me.client.chat.rooms.query()).find((r) => r.id === room.id)?.unread)
      .toBe(0);
    await expect.poll(() => titleCountsUnread(page, dorothy.displayName)).toBe(true);

    // Scrolling to the top asks for the page before. Hold it to see where "Line 72" sits, then let it in.
    // (Not "Line 71": with "Line 70" above it, it joins that group and loses its name line.)
    const held: Route[] = [];
    await page.route('**/trpc/*chat.history*', (route) => void held.push(route));
    await page.locator('.timeline').evaluate((timeline) => {
      timeline.scrollTop = 0;
    });
    await expect.poll(() => held.length).toBe(1);
    const before = await message(page, 'Line 72').boundingBox();
    await Promise.all(held.map((route) => route.continue()));
    await page.unroute('**/trpc/*chat.history*');
    await message(page, 'Line 21').waitFor({ state: 'attached' });
    const after = await message(page, 'Line 72').boundingBox();
    expect(Math.abs((after?.y ?? 0) - (before?.y ?? 0))).toBeLessThan(2);

    // Up again, to the beginning of the conversation.
    await page.locator('.timeline').evaluate((timeline) => {
      timeline.scrollTop = 0;
    });
    await message(page, 'Line 1').first().waitFor({ state: 'attached' });
    await page
      .getByRole('heading', { name: 'This is the beginning of your chat with Dorothy Vaughan' })
      .waitFor();
    // Every line once: none lost between the pages, none twice.
    expect(
      await messageLog(page)
        .getByText(/^Line \d+$/)
        .count(),
    ).toBe(120);
  });
});

describe('a dropped connection', () => {
  test('the banner says so and then that it is back; what was said meanwhile arrives once, in order', async () => {
    const page = await newBrowser();
    // The page's WebSockets go through here, so the test can drop them and hold new ones back for a while,
    // as a network that went away would.
    let networkBack: Promise<void> = Promise.resolve();
    const open = new Set<() => Promise<void>>();
    await page.routeWebSocket(/\/trpc$/, async (socket) => {
      await networkBack;
      const server = socket.connectToServer();
      const cut = () => Promise.all([socket.close(), server.close()]).then(() => {});
      open.add(cut);
      socket.onClose(() => open.delete(cut));
    });
    const speaker = await signUp(server, { displayName: 'Radio Operator' });
    const roomId = (await speaker.client.chat.publicRoom.query()).id;
    const say = (body: string) =>
      speaker.client.chat.send.mutate({ roomId, clientId: `radio-${randomUUID()}`, body });

    // A signed-out visitor reads the public room, live over its socket. On a busy machine the first message can
    // show from the history read before the socket has connected, and a socket cut while its subscription is
    // still being set up is a first connect, not a lost one (no banner): the second message, sent once the
    // history has shown, can only arrive live.
    await page.goto('/');
    await say('Before the storm');
    await message(page, 'Before the storm').waitFor();
    await say('The calm before');
    await message(page, 'The calm before').waitFor();
    await expect.poll(() => open.size, { timeout: 10_000 }).toBeGreaterThan(0);

    let restore = () => {};
    networkBack = new Promise((resolve) => {
      restore = resolve;
    });
    await Promise.all([...open].map((cut) => cut()));
    await page.getByText('Connection lost. Reconnecting…').waitFor();
    await say('During the storm, one');
    await say('During the storm, two');
    restore();
    await page.getByText('Back online').waitFor();
    await message(page, 'During the storm, two').waitFor();
    await page.getByText('Back online').waitFor({ state: 'detached' });

    const texts = await messageLog(page).getByRole('listitem').allInnerTexts();
    const seen = (text: string) => texts.filter((item) => item.includes(text)).length;
    const said = ['Before the storm', 'The calm before', 'During the storm, one', 'During the storm, two'];
    expect(said.map(seen)).toEqual([1, 1, 1, 1]);
    const one = texts.findIndex((item) => item.includes('During the storm, one'));
    expect(one).toBeLessThan(texts.findIndex((item) => item.includes('During the storm, two')));
  });
});

describe('an address with no conversation behind it', () => {
  test('says so plainly, with a way back to the conversations and nothing to type into', async () => {
    const page = await newBrowser();
    const who = browserUser('Lost Wanderer');
    await registerThroughForm(page, who);
    await expectSignedInAs(page, who);
    const warnings: string[] = [];
    page.on('console', (entry) => {
      if (entry.type() === 'warning') warnings.push(entry.text());
    });

    for (const address of ['/chat/999999', '/chat/not-a-room']) {
      await page.goto(address);
      await page.getByRole('heading', { name: 'Conversation not found', level: 1 }).waitFor();
      await page.getByText('There is no conversation at this address.').waitFor();
      expect(await composer(page).count()).toBe(0);
      expect(await page.getByRole('button', { name: 'Try again' }).count()).toBe(0);
      expect(await page.getByText('Direct message', { exact: true }).count()).toBe(0);
      expect(await page.title()).toMatch(/Conversation not found · Parley$/);
    }
    await page.getByRole('link', { name: 'See your conversations' }).click();
    await waitForPath(page, '/chat');
    await page.getByRole('heading', { name: 'Messages', level: 1 }).waitFor();
    expect(warnings).toEqual([]);
  });
});

describe('Parley on a phone, in the dark', () => {
  test('the sidebar is a drawer, and the conversation fills the screen', async () => {
    const page = await newBrowser({ touch: true, dark: true });
    const who = browserUser('Margaret Hamilton');
    await registerThroughForm(page, who);
    await expectSignedInAs(page, who);
    await page.getByRole('heading', { name: 'Public room', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'Welcome to the public room' }).waitFor();
    await send(page, 'Hello from my phone, in dark mode.');
    await message(page, 'Hello from my phone').getByText('Sending…').waitFor({ state: 'detached' });
    await send(
      page,
      'A second line, long enough to wrap on a phone: the menu button must never hide its words.',
    );
    const long = message(page, 'must never hide its words');
    await long.getByText('Sending…').waitFor({ state: 'detached' });
    await saveScreenshot(page, '10-phone-dark.png');

    // No hover on a touch screen, and no "…" button on every message: a tap on the message opens its actions.
    for (const text of ['Hello from my phone', 'must never hide its words']) {
      const item = message(page, text);
      expect(
        await actionsButton(item).evaluate((button) => getComputedStyle(button.parentElement!).opacity),
      ).toBe('0');
    }
    // The newest message is right above the composer: its menu opens upwards.
    await long.getByText('must never hide its words').tap();
    await page.getByRole('menuitem', { name: 'Edit' }).waitFor();
    expect(await menuFits(page)).toBe(true);
    await page.keyboard.press('Escape');

    await page.getByRole('button', { name: 'Show conversations' }).click();
    await sidebarRoom(page, /^Public room/).waitFor();
    await saveScreenshot(page, '11-phone-drawer.png');
    await page.keyboard.press('Escape');
  });
});
