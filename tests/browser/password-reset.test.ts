import type pg from 'pg';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import {
  type BrowserUser,
  browserUser,
  expectSignedInAs,
  launchBrowser,
  newVisitor,
  phone,
  saveScreenshot,
  waitForPath,
} from '../helpers/browser.ts';
import { connectDatabase } from '../helpers/db.ts';
import { type Mailbox, resetLinkIn, startMailbox } from '../helpers/mailbox.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { registerUser, roomyLimits } from '../helpers/users.ts';

// A forgotten password, in the browser: the link on the sign-in page, the mail (from a real SMTP server in this
// process), the page the link opens, and an admin sending a link from /admin. Needs the built client
// (`npm run build`), PostgreSQL, Redis and /usr/bin/chromium.

let mailbox: Mailbox;
let server: TestServer;
let browser: Browser;
let db: pg.Client;
const contexts: BrowserContext[] = [];
/** Uncaught exceptions in any page: there should be none. */
const pageErrors: Error[] = [];

beforeAll(async () => {
  mailbox = await startMailbox();
  [server, browser] = await Promise.all([
    startTestServer({ serveClient: true, env: { ...roomyLimits, SMTP_URL: mailbox.url } }),
    launchBrowser(),
  ]);
  db = await connectDatabase(server.databaseUrl);
});

afterEach(async () => {
  await Promise.all(contexts.splice(0).map((context) => context.close()));
  expect(pageErrors.splice(0)).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await db?.end();
  await server?.close();
  await mailbox?.close();
});

async function newBrowser(options: Parameters<typeof newVisitor>[2] = {}): Promise<Page> {
  const context = await newVisitor(browser, server.url, options);
  context.setDefaultTimeout(10_000);
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error));
  return page;
}

/** Someone with an account, made over the API: this story starts after they signed up. */
async function existingAccount(name: string): Promise<BrowserUser & { id: number }> {
  const who = browserUser(name);
  const account = await registerUser(server, who);
  return { ...who, id: account.me.id };
}

async function logIn(page: Page, login: string, password: string): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Username or email').fill(login);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

/** Opens the mailed link and chooses a new password there. */
async function chooseNewPassword(page: Page, link: string, who: BrowserUser, password: string) {
  await page.goto(link);
  await page.getByText(`For ${who.displayName} (@${who.username}).`).waitFor();
  await page.getByLabel('New password').fill(password);
  await page.getByRole('button', { name: 'Save and log in' }).click();
}

describe('a forgotten password', () => {
  test('asked for on the sign-in page, the mailed link signs me in with a new password, once', async () => {
    const ann = await existingAccount('Ann Forgetful');
    const page = await newBrowser();

    await page.goto('/login');
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await waitForPath(page, '/forgot-password');
    await page.getByLabel('Username or email').fill(ann.email);
    await page.getByRole('button', { name: 'Send me a link' }).click();
    await page.getByRole('status').getByText('a link is on its way to its email address').waitFor();
    await page.getByText('It works once, for 30 minutes.').waitFor();
    await saveScreenshot(page, '21-forgot-password.png');

    const link = resetLinkIn(await mailbox.mailTo(ann.email));
    await page.goto(link);
    await page.getByText(`For ${ann.displayName} (@${ann.username}).`).waitFor();
    await page.getByLabel('New password').fill('a much better passphrase');
    await saveScreenshot(page, '22-reset-password.png');
    await page.getByRole('button', { name: 'Save and log in' }).click();
    await expectSignedInAs(page, ann);

    // The new password is the one that works from now on.
    await page.getByRole('button', { name: 'Log out' }).click();
    await waitForPath(page, '/login');
    await logIn(page, ann.username, ann.password);
    await page.getByText('Wrong username, email or password.').waitFor();
    await logIn(page, ann.username, 'a much better passphrase');
    await expectSignedInAs(page, ann);

    // The link was for one use.
    const again = await newBrowser();
    await again.goto(link);
    await again.getByRole('alert').getByText('This reset link was already used.').waitFor();
    await again.getByRole('link', { name: 'Ask for a new link' }).click();
    await waitForPath(again, '/forgot-password');
  });

  test('the link is one Tab after the password field, and the pages fit a phone in the dark theme', async () => {
    const page = await newBrowser({ ...phone, colorScheme: 'dark' });
    await page.goto('/login');
    await page.getByLabel('Password').focus();
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement?.textContent?.trim());
    expect(focused).toBe('Forgot your password?');

    await page.keyboard.press('Enter');
    await waitForPath(page, '/forgot-password');
    const fits = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
    expect(await fits()).toBe(true);
    await page.goto('/reset-password#token=reset_abc.def');
    await page.getByRole('alert').waitFor();
    expect(await fits()).toBe(true);
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(background).not.toBe('rgb(255, 255, 255)');
  });

  test('a page opened without the whole link says so and offers a new one', async () => {
    const page = await newBrowser();

    await page.goto('/reset-password#token=reset_abc.def');

    await page.getByRole('alert').getByText('This reset link is not valid.').waitFor();
    await page.getByRole('link', { name: 'Ask for a new link' }).waitFor();
  });

  test('an admin sends Bob a link from /admin, and Bob chooses a new password with it', async () => {
    const admin = await existingAccount('Ada Admin');
    await db.query(`update users set role = 'admin' where id = $1`, [admin.id]); // as the operator does
    const bob = await existingAccount('Bob Locked-Out');
    const adminPage = await newBrowser();
    await logIn(adminPage, admin.username, admin.password);
    await expectSignedInAs(adminPage, admin);

    await adminPage.goto('/admin/users');
    const users = adminPage.getByRole('table', { name: 'People on Parley, newest first' });
    await adminPage.getByRole('searchbox', { name: 'Search users' }).fill(bob.username);
    await expect.poll(() => users.getByRole('row').count()).toBe(2);
    const row = users.getByRole('row').filter({ hasText: `@${bob.username}` });
    await row.getByRole('button', { name: 'Send password reset' }).click();
    await row.getByRole('button', { name: 'Send link' }).click();
    await row.getByText(`Sent a password-reset link to ${bob.email}.`).waitFor();

    const mail = await mailbox.mailTo(bob.email);
    expect(mail.text).toContain('An admin of Parley sent you a link');
    const bobPage = await newBrowser();
    await chooseNewPassword(bobPage, resetLinkIn(mail), bob, 'bobs new passphrase');
    await expectSignedInAs(bobPage, bob);

    await adminPage.getByRole('tab', { name: 'Audit log' }).click();
    await adminPage.getByRole('row').filter({ hasText: 'Sent a password-reset link' }).first().waitFor();
  });
});
