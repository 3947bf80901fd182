import type pg from 'pg';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { day, fromNow, hour, signUpAdmin } from '../helpers/admin.ts';
import {
  isSendFrame,
  type newVisitor,
  phone,
  saveScreenshot,
  sendsIn,
  waitForPath,
} from '../helpers/browser.ts';
import { browserSuite } from '../helpers/browser-suite.ts';
import { newClientId } from '../helpers/chat.ts';
import { connectDatabase } from '../helpers/db.ts';
import { sessionCookieName } from '../helpers/http.ts';
import { makeFriends, type Person, signUp } from '../helpers/people.ts';
import { roomyLimits, uniqueUsername } from '../helpers/users.ts';

// The rough edges a newcomer hit on first use (issue 11), each as that person meets it. Needs the built client
// (`npm run build`), PostgreSQL, Redis and /usr/bin/chromium.

const suite = browserSuite({ env: roomyLimits });
let db: pg.Client;

beforeAll(async () => {
  db = await connectDatabase(suite.server.databaseUrl);
});

afterAll(async () => {
  await db?.end();
});

/** A browser already signed in as `person` (their session cookie, as if they had logged in there). */
async function browserOf(person: Person, options: Parameters<typeof newVisitor>[2] = {}): Promise<Page> {
  const page = await suite.newPage(options);
  await page
    .context()
    .addCookies([
      { name: sessionCookieName, value: person.account.sessionToken, url: suite.server.url, httpOnly: true },
    ]);
  return page;
}

async function logIn(page: Page, person: Person): Promise<void> {
  await page.getByLabel('Username or email').fill(person.username);
  await page.getByLabel('Password').fill(person.account.password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

/** Holds the page's messages on their way until `release` is called: they reach the server after what happens meanwhile. */
async function holdSends(page: Page): Promise<{ release: () => void }> {
  let release = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  await page.routeWebSocket(/\/trpc/, (socket) => {
    const server = socket.connectToServer();
    socket.onMessage(async (frame) => {
      if (isSendFrame(frame)) await held;
      server.send(frame);
    });
  });
  return { release: () => release() };
}

/** A moment as the web app's mute notice writes it, for a reader in `timeZone` with an en-US browser. */
const muteEndIn = (timeZone: string, iso: string) =>
  new Intl.DateTimeFormat('en-US', {
    weekday: 'long',
    month: 'long',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    timeZone,
  }).format(new Date(iso));

const focusedText = (page: Page) => page.evaluate(() => document.activeElement?.textContent?.trim() ?? '');
const focusIsInMain = (page: Page) =>
  page.evaluate(() => {
    const main = document.getElementById('main');
    return Boolean(main && document.activeElement && main.contains(document.activeElement));
  });

describe('a newcomer on first use', () => {
  test('"Skip to content" moves keyboard focus to the page itself, signed in or not', async () => {
    const ada = await signUp(suite.server, { displayName: 'Ada Lovelace' });
    for (const page of [await browserOf(ada), await suite.newPage()]) {
      await page.goto('/');
      await page
        .getByRole('textbox', { name: /^Message/ })
        .or(page.getByText('Sign in to chat.'))
        .waitFor();
      // The first Tab stop of every page; the composer took focus on load, so go there by name.
      const skip = page.getByRole('link', { name: 'Skip to content' });
      await skip.focus();
      expect(await focusedText(page)).toBe('Skip to content');
      await page.keyboard.press('Enter');

      expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
      // The next Tab lands inside the page, past the header and the conversation list.
      await page.keyboard.press('Tab');
      expect(await focusIsInMain(page)).toBe(true);
    }
  });

  test('logging in returns to the page asked for, and only to a page of this site', async () => {
    const grace = await signUp(suite.server, { displayName: 'Grace Hopper' });
    const page = await suite.newPage();
    await page.context().clearCookies();

    for (const asked of ['/account/profile', `/u/${grace.username}`]) {
      await page.goto(asked);
      await waitForPath(page, '/login');
      await logIn(page, grace);
      await waitForPath(page, asked);
      await page.getByRole('button', { name: 'Log out' }).click();
      await waitForPath(page, '/login');
    }

    // A link that tries to send the person elsewhere after logging in lands on the home page instead.
    for (const next of [
      'https://evil.example/',
      '//evil.example/',
      '/\\evil.example/',
      'javascript:alert(1)',
    ]) {
      await page.goto(`/login?next=${encodeURIComponent(next)}`);
      await logIn(page, grace);
      await waitForPath(page, '/');
      expect(new URL(page.url()).origin).toBe(suite.server.url);
      await page.getByRole('button', { name: 'Log out' }).click();
      await waitForPath(page, '/login');
    }
  });

  test('every avatar colour keeps its initials readable (WCAG AA, 4.5:1)', async () => {
    const prefix = `tone${uniqueUsername('').slice(-4)}`;
    const people = await Promise.all(
      'abcdefghijkl'
        .split('')
        .map((letter) =>
          signUp(suite.server, { username: `${prefix}_${letter}${letter}`, displayName: `Tone ${letter}` }),
        ),
    );
    const page = await browserOf(people[0]!);
    await page.goto('/');
    await page.getByRole('textbox', { name: /^Message/ }).waitFor();
    await page.getByRole('searchbox', { name: 'Search people' }).fill(prefix);
    const found = page.getByRole('list', { name: 'People found' });
    await found.getByRole('listitem').nth(4).waitFor();

    const colours = await found.locator('span.avatar').evaluateAll((avatars) =>
      avatars.map((avatar) => {
        const style = getComputedStyle(avatar);
        return { text: style.color, background: style.backgroundColor };
      }),
    );
    expect(colours.length).toBeGreaterThanOrEqual(5);
    const failing = colours.filter((pair) => contrast(pair.text, pair.background) < 4.5);
    expect(failing).toEqual([]);
  });
});

describe('when sending is off', () => {
  test('unfriended, the conversation keeps its person, stays reachable, and says why sending is off', async () => {
    const ada = await signUp(suite.server, { displayName: 'Ada Lovelace' });
    const grace = await signUp(suite.server, { displayName: 'Grace Hopper' });
    await makeFriends(ada, grace);
    const room = await ada.client.chat.openPrivate.mutate({ userId: grace.id });
    // Only Ada wrote: nothing in the history names Grace.
    await ada.client.chat.send.mutate({ roomId: room.id, clientId: newClientId(), body: 'Are you there?' });
    const [adaPage, gracePage] = [await browserOf(ada), await browserOf(grace)];
    await adaPage.goto(`/chat/${room.id}`);
    await gracePage.goto('/');
    await adaPage.getByRole('textbox', { name: 'Message Grace Hopper' }).waitFor();
    await directMessages(gracePage)
      .getByRole('link', { name: /^Ada Lovelace/ })
      .waitFor();

    await grace.client.friends.remove.mutate({ userId: ada.id });

    await adaPage.getByText('You and Grace Hopper are no longer friends, so sending is off here.').waitFor();
    expect(await adaPage.getByRole('textbox', { name: /^Message/ }).count()).toBe(0);
    expect(await adaPage.getByRole('heading', { level: 1 }).textContent()).toBe('Grace Hopper');
    await adaPage.getByText('This is the beginning of your chat with Grace Hopper').waitFor();
    await saveScreenshot(adaPage, '16-former-friend.png');

    // Both still find it, set apart, and it opens with its history and its person.
    for (const [page, other] of [
      [adaPage, 'Grace Hopper'],
      [gracePage, 'Ada Lovelace'],
    ] as const) {
      await page
        .getByRole('list', { name: 'Former friends' })
        .getByRole('link', { name: new RegExp(`^${other}`) })
        .click();
      await waitForPath(page, `/chat/${room.id}`);
      await page.getByRole('heading', { level: 1, name: other }).waitFor();
      await page.getByRole('log').getByText('Are you there?').waitFor();
      expect(await directMessages(page).getByText(other).count()).toBe(0);
    }
    await adaPage.getByRole('link', { name: 'View profile' }).click();
    await waitForPath(adaPage, `/u/${grace.username}`);
  });

  test('a muted person sees until when (in their own time) and why, in place of the composer; no useless Retry', async () => {
    const admin = await signUpAdmin(suite.server, db);
    const ada = await signUp(suite.server, { displayName: 'Ada Lovelace' });
    const page = await browserOf(ada, { locale: 'en-US', timezoneId: 'Asia/Kolkata' });
    const sends = await holdSends(page);
    await page.goto('/');
    const composer = page.getByRole('textbox', { name: /^Message/ });
    await composer.waitFor();

    // Muted while the page is open and her message on its way: the notice takes the composer's place at once,
    // and the message is refused.
    await composer.fill('HELLO EVERYONE');
    await composer.press('Enter');
    const until = fromNow(2 * hour);
    await admin.client.admin.users.mute.mutate({ userId: ada.id, reason: 'Shouting in capitals', until });
    const localUntil = muteEndIn('Asia/Kolkata', until);
    const note = page.getByRole('status').filter({ hasText: 'You are muted until' });
    await note.getByText(`You are muted until ${localUntil}.`).waitFor();
    await note.getByText('Reason: Shouting in capitals.').waitFor();
    expect(await composer.count()).toBe(0);
    sends.release();
    const refused = page.getByRole('listitem').filter({ hasText: 'HELLO EVERYONE' });
    await refused.getByText('Not sent: you are muted.').waitFor();
    expect(await refused.getByRole('button', { name: 'Retry' }).count()).toBe(0);
    await refused.getByRole('button', { name: 'Discard' }).waitFor();
    expect(await page.content()).not.toContain(new Date(until).toISOString());
    await saveScreenshot(page, '17-muted.png');

    // A reload knows before she types.
    await page.reload();
    await note.getByText(`You are muted until ${localUntil}.`).waitFor();
    expect(await composer.count()).toBe(0);

    // A short mute ends by itself: the composer comes back without a reload.
    await admin.client.admin.users.mute.mutate({
      userId: ada.id,
      reason: 'Cool down',
      until: fromNow(4_000),
    });
    await page.reload();
    await note.getByText('Reason: Cool down').waitFor();
    await composer.waitFor({ timeout: 20_000 });
  });

  test('a tab that missed the news of a mute gives the end of a refusal in the reader’s own time', async () => {
    const admin = await signUpAdmin(suite.server, db);
    const ada = await signUp(suite.server, { displayName: 'Ada Lovelace' });
    const grace = await signUp(suite.server, { displayName: 'Grace Hopper' });
    const roomId = (await grace.client.chat.publicRoom.query()).id;
    const morning = await grace.client.chat.send.mutate({
      roomId,
      clientId: newClientId(),
      body: 'Morning, all',
    });
    await grace.client.chat.react.mutate({ messageId: morning.id, emoji: '🎉', on: true });
    const page = await browserOf(ada, { locale: 'en-US', timezoneId: 'Asia/Kolkata' });
    // The session news this tab would hear never arrives (a flaky proxy, say): only a refusal tells it.
    await page.routeWebSocket(/\/trpc/, (socket) => {
      const server = socket.connectToServer();
      server.onMessage((frame) => {
        if (!String(frame).includes('{"type":"changed"}')) socket.send(frame);
      });
    });
    await page.goto('/');
    const item = page.getByRole('log').getByRole('listitem').filter({ hasText: 'Morning, all' });
    const party = item.getByRole('group', { name: 'Reactions' }).getByRole('button', { name: /^🎉 1/ });
    await party.waitFor();

    const until = fromNow(2 * hour);
    await admin.client.admin.users.mute.mutate({ userId: ada.id, reason: 'Cool off', until });
    await party.click();

    const localUntil = muteEndIn('Asia/Kolkata', until);
    await item
      .getByRole('alert')
      .getByText(`You are muted until ${localUntil} and cannot send messages.`)
      .waitFor();
    expect(await page.content()).not.toContain(until);
  });

  test('a mute longer than a browser timer reaches (24.8 days) still shows when that much time has passed', async () => {
    const admin = await signUpAdmin(suite.server, db);
    const ada = await signUp(suite.server, { displayName: 'Ada Lovelace' });
    await admin.client.admin.users.mute.mutate({
      userId: ada.id,
      reason: 'A long rest',
      until: fromNow(30 * day),
    });
    const page = await browserOf(ada);
    await page.clock.install();
    await page.goto('/');
    const note = page.getByRole('status').filter({ hasText: 'You are muted until' });
    await note.getByText('Reason: A long rest.').waitFor();

    await page.clock.fastForward(25 * day);
    await page.clock.runFor(1_000);

    await note.getByText('Reason: A long rest.').waitFor();
    expect(await page.getByRole('textbox', { name: /^Message/ }).count()).toBe(0);
  });

  test('muted and unmuted from Admin › Users, every open tab follows at once; what was refused can go after', async () => {
    const admin = await signUpAdmin(suite.server, db);
    const bob = await signUp(suite.server, { displayName: 'Bob Bramble' });
    const adminPage = await browserOf(admin);
    const tab = await browserOf(bob);
    // Bob's next message is held on its way, so that it reaches the server only once he is muted.
    const sends = await holdSends(tab);
    const otherTab = await tab.context().newPage();
    const composer = (page: Page) => page.getByRole('textbox', { name: /^Message/ });
    const muteNote = (page: Page) => page.getByRole('status').filter({ hasText: 'You are muted until' });
    for (const page of [tab, otherTab]) {
      await page.goto('/');
      await composer(page).waitFor();
      await page.evaluate(() => Object.assign(window, { notReloaded: true }));
    }
    await composer(tab).fill('Did I miss anything?');
    await composer(tab).press('Enter');
    const refused = tab.getByRole('log').getByRole('listitem').filter({ hasText: 'Did I miss anything?' });
    await refused.getByText('Sending…').waitFor();

    await adminPage.goto('/admin/users');
    await adminPage.getByRole('searchbox', { name: 'Search users' }).fill(bob.username);
    const row = adminPage.getByRole('row').filter({ hasText: `@${bob.username}` });
    await row.getByRole('button', { name: 'Mute Bob Bramble' }).click();
    const dialog = adminPage.getByRole('dialog', { name: 'Mute Bob Bramble' });
    await dialog.getByLabel('Reason').fill('Cooling off');
    await dialog.getByRole('button', { name: 'Mute', exact: true }).click();
    await row.getByText('Muted').waitFor();

    // Both tabs put the notice in place of the composer, before Bob tries to send anything more.
    for (const page of [tab, otherTab]) {
      await muteNote(page).getByText('Reason: Cooling off.').waitFor();
      expect(await composer(page).count()).toBe(0);
    }
    sends.release();
    await refused.getByText('Not sent: you are muted.').waitFor();
    expect(await refused.getByRole('button', { name: 'Retry' }).count()).toBe(0);

    await row.getByRole('button', { name: 'Unmute Bob Bramble' }).click();

    // The composer comes back in both tabs, neither reloaded.
    for (const page of [tab, otherTab]) {
      await composer(page).waitFor();
      expect(await muteNote(page).count()).toBe(0);
      expect(await page.evaluate(() => 'notReloaded' in window)).toBe(true);
    }
    // The refused message no longer says he is muted, not even after a reload, and Retry sends it.
    const isoDate = /\d{4}-\d\d-\d\dT\d\d:\d\d/;
    for (const reload of [false, true]) {
      if (reload) await tab.reload();
      await refused.getByRole('button', { name: 'Retry' }).waitFor();
      expect(await refused.textContent()).not.toMatch(/muted/i);
      expect(await refused.textContent()).not.toMatch(isoDate);
    }
    await refused.getByRole('button', { name: 'Retry' }).click();
    const roomId = (await bob.client.chat.publicRoom.query()).id;
    const stored = async () => {
      const { items } = await bob.client.chat.history.query({ roomId });
      return items.filter((message) => message.body === 'Did I miss anything?').length;
    };
    await expect.poll(stored).toBe(1);
    await refused.getByText(/Not sent|Sending…/).waitFor({ state: 'detached' });
  });
});

describe('what is written is not lost', () => {
  test('a draft and a message still waiting survive a reload, go once with their clientId, and go at logout', async () => {
    const ada = await signUp(suite.server, { displayName: 'Ada Lovelace' });
    const grace = await signUp(suite.server, { displayName: 'Grace Hopper' });
    const page = await browserOf(ada);
    // The network loses every message sent while `dropping`: it waits in the outbox.
    let dropping = false;
    const dropped: string[] = [];
    await page.routeWebSocket(/\/trpc/, (socket) => {
      const server = socket.connectToServer();
      socket.onMessage((frame) => {
        const sends = sendsIn(frame);
        if (!dropping || sends.length === 0) return server.send(frame);
        dropped.push(...sends.map((call) => call.params?.input?.clientId ?? ''));
      });
    });
    await page.goto('/');
    const composer = page.getByRole('textbox', { name: /^Message/ });
    await composer.waitFor();

    dropping = true;
    await composer.fill('Written before the reload');
    await composer.press('Enter');
    const waiting = page
      .getByRole('log')
      .getByRole('listitem')
      .filter({ hasText: 'Written before the reload' });
    await waiting.getByText('Sending…').waitFor();
    await composer.fill('Half a thought');
    expect(dropped).toHaveLength(1);

    dropping = false;
    await page.reload();
    await expect.poll(() => composer.inputValue()).toBe('Half a thought');
    await waiting.waitFor();
    await waiting.getByText('Sending…').waitFor({ state: 'detached' });
    const publicRoom = await ada.client.chat.publicRoom.query();
    const { items } = await ada.client.chat.history.query({ roomId: publicRoom.id });
    const stored = items.filter((message) => message.body === 'Written before the reload');
    expect(stored.map((message) => message.clientId)).toEqual([dropped[0]]);

    // Logging out leaves nothing of Ada's words in this browser; the next person starts empty.
    await page.getByRole('button', { name: 'Log out' }).click();
    await waitForPath(page, '/login');
    expect(
      await page.evaluate(() => Object.keys(localStorage).filter((key) => key.startsWith('parley:'))),
    ).toEqual([]);
    await logIn(page, grace);
    await waitForPath(page, '/');
    await composer.waitFor();
    expect(await composer.inputValue()).toBe('');
  });
});

describe('layout', () => {
  test('at 640 px (about 200 % zoom) the header keeps "Log out" on one line and the whole name', async () => {
    const alice = await signUp(suite.server, { displayName: 'Alice Liddell' });
    const page = await browserOf(alice, { viewport: { width: 640, height: 800 } });
    await page.goto('/');
    const header = page.getByRole('banner');
    const name = header.getByText('Alice Liddell', { exact: true });
    await name.waitFor();

    const logOut = header.getByRole('button', { name: 'Log out' });
    expect(await lineCount(logOut)).toBe(1);
    expect(await name.evaluate((element) => element.scrollWidth <= element.clientWidth)).toBe(true);
    // The search gives way, but stays wide enough to type in and read its placeholder.
    const search = await header.getByRole('searchbox', { name: 'Search people' }).boundingBox();
    expect(search?.width).toBeGreaterThanOrEqual(140);
    await saveScreenshot(page, '18-header-640.png');
  });
});

describe('keyboard only', () => {
  test('the message list is one Tab stop; arrow keys move between messages and Enter opens their actions', async () => {
    const ada = await signUp(suite.server, { displayName: 'Ada Lovelace' });
    const grace = await signUp(suite.server, { displayName: 'Grace Hopper' });
    await makeFriends(ada, grace);
    const room = await ada.client.chat.openPrivate.mutate({ userId: grace.id });
    for (let n = 1; n <= 12; n++) {
      const author = n % 2 ? ada : grace;
      await author.client.chat.send.mutate({ roomId: room.id, clientId: newClientId(), body: `Note ${n}` });
    }
    const page = await browserOf(ada);
    await page.goto(`/chat/${room.id}`);
    const composer = page.getByRole('textbox', { name: 'Message Grace Hopper' });
    await page.getByRole('log').getByText('Note 12').waitFor();

    // From the page's start to the composer: a handful of stops (skip link target, the log, the jump control,
    // attach images), not one per message.
    await page.getByRole('link', { name: 'Skip to content' }).focus();
    await page.keyboard.press('Enter');
    let stops = 0;
    while (!(await composer.evaluate((element) => element === document.activeElement)) && stops < 40) {
      await page.keyboard.press('Tab');
      stops++;
    }
    expect(stops).toBeLessThanOrEqual(5);

    // Back past *Attach images* into the list: it enters at the newest message; up goes to older ones, End back
    // to the newest.
    await page.keyboard.press('Shift+Tab');
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label')))
      .toBe('Attach images');
    await page.keyboard.press('Shift+Tab');
    expect(await focusedText(page)).toContain('Note 12');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    expect(await focusedText(page)).toContain('Note 10');
    await page.keyboard.press('Home');
    expect(await focusedText(page)).toMatch(/Note 1(?!\d)/);
    await page.keyboard.press('End');
    await page.keyboard.press('ArrowUp');
    expect(await focusedText(page)).toContain('Note 11');

    // Enter opens that message's actions: Ada's own, so she may edit it.
    await page.keyboard.press('Enter');
    await page.getByRole('menuitem', { name: 'Edit' }).waitFor();
    await saveScreenshot(page, '19-keyboard-message-actions.png');
    await page.keyboard.press('Escape');
  });
});

describe('on a phone (390 × 844)', () => {
  test('the admin users table fits the screen: every row shows its actions, and no email is split', async () => {
    const admin = await signUpAdmin(suite.server, db);
    await signUp(suite.server, {
      displayName: 'Bartholomew Longname',
      email: `bartholomew.${uniqueUsername('').slice(-6)}@example.com`,
    });
    const page = await browserOf(admin, phone);
    await page.goto('/admin/users');
    const table = page.getByRole('table', { name: 'People on Parley, newest first' });
    await table.getByText('Bartholomew Longname', { exact: true }).first().waitFor();

    const width = page.viewportSize()!.width;
    const row = table.getByRole('row').filter({ hasText: 'Bartholomew Longname' });
    for (const button of await row.getByRole('button').all()) {
      const box = (await button.boundingBox())!;
      expect(box.x + box.width).toBeLessThanOrEqual(width);
    }
    expect(await table.evaluate((element) => element.scrollWidth <= element.clientWidth + 1)).toBe(true);
    const email = row.getByText(/@example\.com$/);
    expect(await lineCount(email)).toBe(1);
    await saveScreenshot(page, '20-phone-admin-users.png');
  });
});

/** How many lines an element's text is laid out on. */
function lineCount(locator: ReturnType<Page['locator']>): Promise<number> {
  return locator.evaluate((element) => {
    const tops = new Set<number>();
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const rect of range.getClientRects()) if (rect.width > 0) tops.add(Math.round(rect.top));
    }
    return tops.size;
  });
}

const directMessages = (page: Page) => page.getByRole('list', { name: 'Direct messages' });

/** WCAG 2 contrast ratio of two `rgb(…)` colours. */
function contrast(a: string, b: string): number {
  const [lighter, darker] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (lighter + 0.05) / (darker + 0.05);
}

function luminance(rgb: string): number {
  const [r, g, b] = (rgb.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((part) => {
    const channel = Number(part) / 255;
    return channel <= 0.03928 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
