import type pg from 'pg';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  type BrowserUser,
  browserUser,
  expectSignedInAs,
  registerThroughForm,
  saveScreenshot,
  waitForPath,
} from '../helpers/browser.ts';
import { browserSuite } from '../helpers/browser-suite.ts';
import { connectDatabase } from '../helpers/db.ts';
import { type Person as ApiPerson, signUp } from '../helpers/people.ts';
import { roomyLimits } from '../helpers/users.ts';

// Moderation as an admin does it in the browser, next to the person being moderated in another one: the 403 page,
// a report, removing messages (from the report queue and from the message menu), the audit log, a ban that signs
// the other browser out live, and the stats. Needs the built client (`npm run build`), PostgreSQL, Redis and
// /usr/bin/chromium.

const suite = browserSuite({ env: roomyLimits, browsersLast: 'file' });
let db: pg.Client;

beforeAll(async () => {
  db = await connectDatabase(suite.server.databaseUrl);
});

afterAll(async () => {
  await db?.end();
});

interface Person extends BrowserUser {
  page: Page;
}

const sidebar = (page: Page) => page.getByRole('navigation', { name: 'Conversations' });
const message = (page: Page, text: string) =>
  page.getByRole('log').getByRole('listitem').filter({ hasText: text });
const removedByModerator = 'This message was removed by a moderator';

/** Opens a message's menu (it shows on hover) and picks an item. */
async function fromMessageMenu(page: Page, text: string, item: string): Promise<void> {
  const target = message(page, text);
  await target.hover();
  await target.getByRole('button', { name: /^Actions for / }).click();
  await page.getByRole('menuitem', { name: item }).click();
}

/** Marks the page, so a later check can tell it was never reloaded. */
const markPage = (page: Page) => page.evaluate(() => Object.assign(window, { notReloaded: true }));
const stillSamePage = (page: Page) => page.evaluate(() => 'notReloaded' in window);

describe('moderating from the admin page', () => {
  const admin: Person = { ...browserUser('Morgan Moderator'), page: undefined! };
  const bob: Person = { ...browserUser('Bob Bramble'), page: undefined! };
  let carol: ApiPerson;

  test('the operator makes an admin in the database; only the admin sees the Admin link', async () => {
    admin.page = await suite.newPage();
    bob.page = await suite.newPage();
    await registerThroughForm(admin.page, admin);
    await expectSignedInAs(admin.page, admin);
    await registerThroughForm(bob.page, bob);
    await expectSignedInAs(bob.page, bob);

    await db.query(`update users set role = 'admin' where username = $1`, [admin.username]);
    await admin.page.reload();
    await sidebar(admin.page).getByRole('link', { name: 'Admin' }).waitFor();
    expect(await sidebar(bob.page).getByRole('link', { name: 'Admin' }).count()).toBe(0);
  });

  test('anyone else gets the 403 page at /admin; a signed-out visitor is sent to log in', async () => {
    await bob.page.goto('/admin/users');
    await bob.page.getByRole('heading', { name: 'Admins only', level: 1 }).waitFor();
    await bob.page.getByText('Error 403').waitFor();
    expect(await bob.page.getByRole('table').count()).toBe(0);

    const visitor = await suite.newPage();
    await visitor.goto('/admin');
    await waitForPath(visitor, '/login');

    await bob.page.getByRole('link', { name: 'Back to the public room' }).click();
    await waitForPath(bob.page, '/');
    await bob.page.getByRole('heading', { name: 'Public room', level: 1 }).waitFor();
    await markPage(bob.page);
  });

  test('Bob reports a message; the admin deletes it from the report queue, and Bob sees it go live', async () => {
    carol = await signUp(suite.server, { displayName: 'Carol Spammer' });
    const roomId = (await carol.client.chat.publicRoom.query()).id;
    await carol.client.chat.send.mutate({
      roomId,
      clientId: 'watches-1',
      body: 'Cheap **watches** at https://watches.example',
    });

    await fromMessageMenu(bob.page, 'Cheap watches', 'Report');
    const dialog = bob.page.getByRole('dialog', { name: 'Report this message' });
    await dialog.getByRole('button', { name: 'Report' }).click();
    await dialog.getByText('Give a reason.').waitFor();
    await dialog.getByLabel('Reason').fill('Spam: selling watches');
    await dialog.getByRole('button', { name: 'Report' }).click();
    await dialog.waitFor({ state: 'detached' });
    await message(bob.page, 'Cheap watches').getByText('Reported. A moderator will take a look.').waitFor();

    await sidebar(admin.page).getByRole('link', { name: 'Admin' }).click();
    await waitForPath(admin.page, '/admin');
    await admin.page.getByRole('tab', { name: 'Reports' }).click();
    await waitForPath(admin.page, '/admin/reports');
    const report = admin.page.getByRole('article', { name: `Reported by ${bob.displayName}` });
    await report.getByText('Spam: selling watches').waitFor();
    await report.locator('strong', { hasText: 'watches' }).waitFor();
    await saveScreenshot(admin.page, '14-admin-reports.png');

    await report.getByRole('button', { name: 'Delete message' }).click();
    await report
      .getByRole('group', { name: 'Delete Carol Spammer’s message for everyone?' })
      .getByRole('button', { name: 'Delete' })
      .click();
    await admin.page
      .getByRole('status')
      .filter({ hasText: 'Carol Spammer’s message was deleted.' })
      .waitFor();
    await admin.page.getByText('No open reports. All quiet.').waitFor();

    await message(bob.page, removedByModerator).waitFor();
    expect(await message(bob.page, 'Cheap watches').count()).toBe(0);
  });

  test('the admin removes Bob’s message from its menu, with a reason; Bob’s open page shows it removed', async () => {
    await bob.page.getByRole('textbox', { name: /^Message / }).fill('You are all fools');
    await bob.page.getByRole('textbox', { name: /^Message / }).press('Enter');
    await message(bob.page, 'You are all fools').getByText('Sending…').waitFor({ state: 'detached' });

    await sidebar(admin.page)
      .getByRole('link', { name: /^Public room/ })
      .click();
    await fromMessageMenu(admin.page, 'You are all fools', 'Delete as moderator');
    const dialog = admin.page.getByRole('dialog', { name: 'Delete as moderator' });
    await dialog.getByLabel('Reason').fill('Insulting other members');
    await dialog.getByRole('button', { name: 'Delete message' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => message(admin.page, removedByModerator).count()).toBe(2);

    await expect.poll(() => message(bob.page, removedByModerator).count()).toBe(2);
    expect(await message(bob.page, 'You are all fools').count()).toBe(0);
    expect(await stillSamePage(bob.page)).toBe(true);
    // The sidebar's preview no longer quotes it either.
    const room = sidebar(bob.page).getByRole('link', { name: /^Public room/ });
    await expect.poll(() => room.textContent()).not.toContain('fools');
    await saveScreenshot(bob.page, '15-removed-by-moderator.png');
  });

  test('the audit log says who removed what, whose it was, why, and keeps the words', async () => {
    await sidebar(admin.page).getByRole('link', { name: 'Admin' }).click();
    await admin.page.getByRole('tab', { name: 'Audit log' }).click();
    await waitForPath(admin.page, '/admin/audit');
    const log = admin.page.getByRole('table', { name: 'What moderators did, newest first' });
    const removal = log.getByRole('row').filter({ hasText: 'Insulting other members' });
    await removal.getByRole('rowheader', { name: /^Deleted a message/ }).waitFor();
    await removal.getByText('You are all fools').waitFor();
    await removal.getByText(admin.displayName).waitFor();
    await removal.getByText(bob.displayName).waitFor();
    await log
      .getByRole('row')
      .filter({ hasText: 'Upheld a report' })
      .filter({ hasText: 'Spam: selling' })
      .waitFor();
    // Newest first: the removal from the menu came after the report was upheld.
    const rows = await log.getByRole('row').allInnerTexts();
    expect(rows.findIndex((row) => row.includes('Insulting'))).toBeLessThan(
      rows.findIndex((row) => row.includes('Upheld a report')),
    );
  });

  test('the admin bans Bob from the Users tab: his open tab is signed out at once, and logging in says why', async () => {
    await admin.page.getByRole('tab', { name: 'Users' }).click();
    await waitForPath(admin.page, '/admin/users');
    const users = admin.page.getByRole('table', { name: 'People on Parley, newest first' });
    await admin.page.getByRole('searchbox', { name: 'Search users' }).fill(bob.username);
    await expect.poll(() => users.getByRole('row').count()).toBe(2);
    const row = users.getByRole('row').filter({ hasText: `@${bob.username}` });

    await row.getByRole('button', { name: `Ban ${bob.displayName}` }).click();
    const dialog = admin.page.getByRole('dialog', { name: `Ban ${bob.displayName}` });
    await dialog.getByLabel('Reason').fill('Repeated abuse');
    await dialog.getByRole('button', { name: 'Ban', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    await row.getByText('Banned').waitFor();
    await row.getByText('for good').waitFor();
    await row.getByRole('button', { name: `Unban ${bob.displayName}` }).waitFor();

    await waitForPath(bob.page, '/login');
    await bob.page.getByText('You were signed out (your account was suspended).').waitFor();
    await bob.page.getByLabel('Username or email').fill(bob.username);
    await bob.page.getByLabel('Password').fill(bob.password);
    await bob.page.getByRole('button', { name: 'Log in' }).click();
    await bob.page.getByText('This account is banned permanently. Reason: Repeated abuse').waitFor();
  });

  test('muting needs an end time; the table shows who is banned and who is muted', async () => {
    const search = admin.page.getByRole('searchbox', { name: 'Search users' });
    const users = admin.page.getByRole('table', { name: 'People on Parley, newest first' });
    await search.fill(carol.username);
    await expect.poll(() => users.getByRole('row').count()).toBe(2);
    const row = users.getByRole('row').filter({ hasText: `@${carol.username}` });
    await row.getByRole('button', { name: 'Mute Carol Spammer' }).click();
    const dialog = admin.page.getByRole('dialog', { name: 'Mute Carol Spammer' });
    await dialog.getByLabel('Reason').fill('Cooling off after the watches');
    await dialog.getByLabel('Until').fill('');
    await dialog.getByRole('button', { name: 'Mute', exact: true }).click();
    await dialog.getByText('Choose when it ends.').waitFor();
    await dialog.getByLabel('Until').fill('2099-01-31T12:00');
    await dialog.getByRole('button', { name: 'Mute', exact: true }).click();
    await dialog.waitFor({ state: 'detached' });
    await row.getByText('Muted').waitFor();

    // Everyone again, filtered by status, then all.
    await search.fill('');
    await expect.poll(() => users.getByRole('row').count()).toBe(4);
    await admin.page.getByLabel('Status').selectOption('banned');
    await expect.poll(() => users.getByRole('row').count()).toBe(2);
    await users.getByText(`@${bob.username}`).waitFor();
    await admin.page.getByLabel('Status').selectOption('all');
    await expect.poll(() => users.getByRole('row').count()).toBe(4);
    await saveScreenshot(admin.page, '13-admin-users.png');
  });

  test('the last admin cannot give up the role: the server says why, in an alert', async () => {
    const users = admin.page.getByRole('table', { name: 'People on Parley, newest first' });
    const own = users.getByRole('row').filter({ hasText: `@${admin.username}` });
    await own.getByRole('button', { name: 'Remove admin' }).click();
    await own
      .getByRole('group', { name: /^Give up your own admin rights/ })
      .getByRole('button', { name: 'Remove admin' })
      .click();
    await own.getByRole('alert').filter({ hasText: 'This is the last admin' }).waitFor();
  });

  test('a long audit log comes in pages: Load more brings the older entries', async () => {
    const api = await suite.clientOf(admin.page);
    for (let i = 0; i < 50; i++) await api.admin.users.unmute.mutate({ userId: carol.id });
    await admin.page.getByRole('tab', { name: 'Audit log' }).click();
    const log = admin.page.getByRole('table', { name: 'What moderators did, newest first' });
    // The header row, and the first page of fifty.
    await expect.poll(() => log.getByRole('row').count()).toBe(51);
    await admin.page.getByRole('button', { name: 'Load more entries' }).click();
    await log.getByRole('row').filter({ hasText: 'Insulting other members' }).waitFor();
    expect(await admin.page.getByRole('button', { name: 'Load more entries' }).count()).toBe(0);
  });

  test('the stats tab shows the counts and each instance, and keeps them fresh', async () => {
    await admin.page.getByRole('tab', { name: 'Stats' }).click();
    await waitForPath(admin.page, '/admin/stats');
    const card = (label: string) => admin.page.locator('.stat-card').filter({ hasText: label }).locator('dd');
    await expect.poll(() => card('Users').textContent()).toBe('3');
    expect(await card('Open reports').textContent()).toBe('0');
    const instances = admin.page.getByRole('table', { name: 'Server instances' });
    await expect.poll(() => instances.getByRole('row').count()).toBe(2);
    const updated = admin.page.getByText(/· updated /);
    const first = await updated.textContent();
    await expect.poll(() => updated.textContent(), { timeout: 8_000 }).not.toBe(first);
  });
});
