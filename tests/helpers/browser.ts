import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  type Locator,
  type Page,
} from 'playwright-core';

/** Debian's chromium; `npx playwright install` downloads browsers, which this machine cannot do. */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags for a quiet, headless Chromium in a container: no sandbox (root), no GPU, no calls home. */
export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** A fresh Chromium; `chromium.launch` gives it a new temporary profile, removed on close. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: chromiumPath, args: chromiumArgs });
}

/** A browser profile of its own (cookies, storage) pointed at a Parley server; a desktop unless `options` say. */
export function newVisitor(
  browser: Browser,
  baseURL: string,
  options: BrowserContextOptions = {},
): Promise<BrowserContext> {
  return browser.newContext({
    baseURL,
    colorScheme: 'light',
    viewport: { width: 1280, height: 800 },
    ...options,
  });
}

/** A phone: 390 × 844, a touch screen and no mouse, so no hover either. */
export const phone: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  isMobile: true,
  hasTouch: true,
};

/** The text of `element` (its lines, as laid out) that lies under `cover`, if any: none should. */
export async function textUnder(element: Locator, cover: Locator): Promise<string[]> {
  return cover.evaluate(
    (covering, around) => {
      const box = covering.getBoundingClientRect();
      const hidden: string[] = [];
      const walker = document.createTreeWalker(around as Node, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const range = document.createRange();
        range.selectNodeContents(node);
        for (const line of range.getClientRects()) {
          const overlaps =
            line.width > 1 &&
            line.left < box.right &&
            line.right > box.left &&
            line.top < box.bottom &&
            line.bottom > box.top;
          if (overlaps) hidden.push(node.textContent ?? '');
        }
      }
      return hidden;
    },
    await element.elementHandle(),
  );
}

/** The text of the elements an input's `aria-describedby` points at: its hint and its error. */
export async function accessibleDescription(locator: Locator): Promise<string> {
  const ids = (await locator.getAttribute('aria-describedby'))?.split(/\s+/).filter(Boolean) ?? [];
  const page = locator.page();
  const texts = await Promise.all(ids.map((id) => page.locator(`[id="${id}"]`).textContent()));
  return texts.map((text) => text?.trim() ?? '').join(' ');
}

/** Waits for the page to reach a path (client-side navigation included). */
export async function waitForPath(page: Page, pathname: string): Promise<void> {
  await page.waitForURL((url) => url.pathname === pathname);
}

/** Someone who will sign up through the web app's own form. */
export interface BrowserUser {
  username: string;
  email: string;
  displayName: string;
  password: string;
}

/** A new person called `name`, with a unique username made from their first name. */
export function browserUser(name: string): BrowserUser {
  const username = `${name.split(' ')[0]!.toLowerCase()}_${randomBytes(3).toString('hex')}`;
  return { username, email: `${username}@example.com`, displayName: name, password: 'correct horse battery' };
}

export async function registerThroughForm(page: Page, who: BrowserUser): Promise<void> {
  await page.goto('/register');
  await page.getByLabel('Username', { exact: true }).fill(who.username);
  await page.getByLabel('Email').fill(who.email);
  await page.getByLabel('Display name').fill(who.displayName);
  await page.getByLabel('Password').fill(who.password);
  await page.getByRole('button', { name: 'Create account' }).click();
}

/** The header names the signed-in person: display name and @username. */
export async function expectSignedInAs(page: Page, who: BrowserUser): Promise<void> {
  await waitForPath(page, '/');
  const header = page.getByRole('banner');
  await header.getByText(who.displayName, { exact: true }).waitFor();
  await header.getByText(`@${who.username}`, { exact: true }).waitFor();
}

/**
 * Where the browser tests' pictures go: `docs/screenshots/` (the README's tour) when UPDATE_SCREENSHOTS=1, else
 * `test-results/screenshots/`, so an ordinary test run leaves the checkout as it found it.
 */
export const screenshotDir = fileURLToPath(
  new URL(
    process.env.UPDATE_SCREENSHOTS === '1' ? '../../docs/screenshots/' : '../../test-results/screenshots/',
    import.meta.url,
  ),
);

/** A picture of the page, with the pointer parked over empty space (no hover highlight) and no focus ring. */
export async function saveScreenshot(page: Page, name: string): Promise<void> {
  await mkdir(screenshotDir, { recursive: true });
  const viewport = page.viewportSize();
  if (viewport) await page.mouse.move(viewport.width - 10, viewport.height - 10);
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.screenshot({ path: `${screenshotDir}${name}` });
}

/** A `chat.send` call in a frame a page sends on its socket (tRPC may put several calls in one frame). */
interface SocketCall {
  method?: string;
  params?: { path?: string; input?: { clientId?: string; body?: string } };
}

/** The `chat.send` calls a socket frame carries, if any. */
export function sendsIn(frame: string | Buffer): SocketCall[] {
  const calls = [JSON.parse(String(frame))].flat() as SocketCall[];
  return calls.filter((call) => call.method === 'mutation' && call.params?.path === 'chat.send');
}

/** Whether a frame the page sends on its socket carries a `chat.send`. */
export const isSendFrame = (frame: string | Buffer): boolean => sendsIn(frame).length > 0;
