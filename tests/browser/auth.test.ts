import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import {
  accessibleDescription,
  expectSignedInAs,
  launchBrowser,
  newVisitor,
  browserUser as person,
  registerThroughForm,
  waitForPath,
} from '../helpers/browser.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

// Needs the built client (`npm run build`; `npm test` builds first), PostgreSQL, Redis and /usr/bin/chromium.

let server: TestServer;
let browser: Browser;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  [server, browser] = await Promise.all([startTestServer({ serveClient: true }), launchBrowser()]);
});

afterEach(async () => {
  await Promise.all(contexts.splice(0).map((context) => context.close()));
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function openTab(context?: BrowserContext): Promise<Page> {
  let owner = context;
  if (!owner) {
    owner = await newVisitor(browser, server.url);
    owner.setDefaultTimeout(10_000);
    contexts.push(owner);
  }
  return owner.newPage();
}

async function logIn(page: Page, login: string, password: string): Promise<void> {
  await page.getByLabel('Username or email').fill(login);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
}

async function logOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Log out' }).click();
  await waitForPath(page, '/login');
}

describe('accounts in the browser', () => {
  test('a newcomer registers, logs out, and logs back in with their username, then their email', async () => {
    const ada = person('Ada Lovelace');
    const page = await openTab();

    // A visitor may read the public room signed out; joining is one link away.
    await page.goto('/');
    await page.getByRole('banner').getByRole('link', { name: 'Create account' }).click();
    await waitForPath(page, '/register');
    await registerThroughForm(page, ada);
    await expectSignedInAs(page, ada);

    await logOut(page);
    await logIn(page, ada.username, ada.password);
    await expectSignedInAs(page, ada);

    await logOut(page);
    await logIn(page, ada.email.toUpperCase(), ada.password);
    await expectSignedInAs(page, ada);

    // Signed in survives a reload: the session cookie, not page state, decides.
    await page.reload();
    await expectSignedInAs(page, ada);
  });

  test('mistakes are shown next to the field they concern', async () => {
    const grace = person('Grace Hopper');
    await server.client().auth.register.mutate(grace);
    const page = await openTab();

    await page.goto('/login');
    await logIn(page, grace.username, 'not her password');
    const password = page.getByLabel('Password');
    await page.getByText('Wrong username, email or password.').waitFor();
    expect(await password.getAttribute('aria-invalid')).toBe('true');
    expect(await accessibleDescription(password)).toContain('Wrong username, email or password.');
    expect(new URL(page.url()).pathname).toBe('/login');

    // The shared schemas check before anything is sent; the server's own answers land in the same place.
    await page.goto('/register');
    const registrations: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('auth.register')) registrations.push(request.url());
    });
    await page.getByLabel('Password').fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByText('Password must be at least 8 characters.').waitFor();
    expect(registrations).toEqual([]);
    expect(await accessibleDescription(page.getByLabel('Password'))).toContain(
      'Password must be at least 8 characters.',
    );
    expect(await accessibleDescription(page.getByLabel('Email'))).toContain('Enter a valid email address.');

    await registerThroughForm(page, { ...person('Grace Two'), username: grace.username });
    const username = page.getByLabel('Username', { exact: true });
    await page.getByText('That username is taken.').waitFor();
    expect(await username.getAttribute('aria-invalid')).toBe('true');
    expect(await accessibleDescription(username)).toContain('That username is taken.');
  });

  test('logging out in one tab signs the other tab out at once', async () => {
    const linus = person('Linus Torvalds');
    const first = await openTab();
    await registerThroughForm(first, linus);
    await expectSignedInAs(first, linus);

    const second = await openTab(first.context());
    await second.goto('/');
    await expectSignedInAs(second, linus);
    // "Online" means the tab's live session channel is up, so it will hear about the logout.
    await second.getByRole('banner').getByText('Online').waitFor();

    await logOut(first);
    await waitForPath(second, '/login');
    await second.getByText('You were signed out (logged out in another tab).').waitFor();

    await second.reload();
    await second.getByRole('heading', { name: 'Welcome back' }).waitFor();
    expect(new URL(second.url()).pathname).toBe('/login');
  });

  test('a signed-in person creates a personal API token, sees it once, and revokes it', async () => {
    const margaret = person('Margaret Hamilton');
    const page = await openTab();
    await registerThroughForm(page, margaret);
    await expectSignedInAs(page, margaret);

    await page.getByRole('link', { name: 'Account settings' }).first().click();
    await waitForPath(page, '/account');
    // Passwords and tokens live under the Security tab.
    await page.getByRole('tab', { name: 'Security' }).click();
    await waitForPath(page, '/account/security');
    await page.getByLabel('Token name').fill('backup script');
    await page.getByLabel('Your password').fill(margaret.password);
    await page.getByRole('button', { name: 'Create token' }).click();

    const token = await page.getByLabel('New token').inputValue();
    const me = await server.client({ token }).auth.me.query();
    expect(me?.username).toBe(margaret.username);

    const list = page.getByRole('list', { name: 'Your tokens' });
    await list.getByText('backup script').waitFor();
    await page.getByRole('button', { name: 'I have copied it' }).click();
    expect(await page.getByLabel('New token').count()).toBe(0);

    await page.getByRole('button', { name: 'Revoke backup script' }).click();
    await page.getByRole('button', { name: 'Yes, revoke backup script' }).click();
    await page.getByText('No tokens yet.').waitFor();
    await expect(server.client({ token }).auth.me.query()).rejects.toThrow();
  });

  test('changing the password revokes API tokens, says so, and the token list empties', async () => {
    const grace = person('Grace Hopper');
    const page = await openTab();
    await registerThroughForm(page, grace);
    await expectSignedInAs(page, grace);
    const { token } = await server
      .client()
      .auth.createToken.mutate({ login: grace.username, password: grace.password, name: 'compiler bot' });
    await server.client({ token }).auth.me.query();

    await page.goto('/account/security');
    const list = page.getByRole('list', { name: 'Your tokens' });
    await list.getByText('compiler bot').waitFor();
    await list.getByText(/last used/).waitFor();
    await page.getByText('revokes your API tokens').waitFor();
    await page.getByLabel('Current password').fill(grace.password);
    await page.getByLabel('New password').fill('a brand new password');
    await page.getByRole('button', { name: 'Change password' }).click();

    await page.getByText('Password changed. 1 API token was revoked.').waitFor();
    await page.getByText('No tokens yet.').waitFor();
    await expect(server.client({ token }).auth.me.query()).rejects.toThrow();
  });

  test('an unknown address shows a Not Found page', async () => {
    const page = await openTab();
    await page.goto('/no/such/page');
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
  });
});
