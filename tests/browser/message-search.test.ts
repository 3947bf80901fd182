import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { saveScreenshot } from '../helpers/browser.ts';
import { browserSuite } from '../helpers/browser-suite.ts';
import { chattyLimits, publicRoomId, sayEach } from '../helpers/chat.ts';
import { makeFriends, signUp } from '../helpers/people.ts';

// Needs the built client (`npm run build`; `npm test` builds first), PostgreSQL, Redis and /usr/bin/chromium.

const suite = browserSuite({
  env: { ...chattyLimits, RATE_SEARCHES_PER_MINUTE: '1000' },
  timeoutMs: 15_000,
  browsersLast: 'file',
});
/** Ann's browser, which the later tests open again. */
let annPage: Page;

/** Ann in a browser; her friend Ben, over the API, wrote her 60 messages, an address early among them. */
async function annWithALongConversation(): Promise<{ page: Page; roomId: number; target: string }> {
  const ann = await suite.signUpInBrowser('Ann Archer');
  annPage = ann.page;

  const ben = await signUp(suite.server, { displayName: 'Ben Baker' });
  await makeFriends(ben, ann);
  const room = await ben.client.chat.openPrivate.mutate({ userId: ann.id });
  const target = 'The cabin is at <b>14 Zephyrine Lane</b>, key under the blue pot';
  const bodies = Array.from({ length: 60 }, (_, i) => `Message number ${i + 1} about the trip`);
  bodies.splice(5, 0, target);
  await sayEach(ben.client, room.id, bodies);
  await sayEach(ben.client, await publicRoomId(ben.client), ['Has anyone been to Zephyrine Lane?']);
  return { page: ann.page, roomId: room.id, target };
}

describe('finding an old message', () => {
  test('Ann searches, sees the words that matched, and lands on the message in its conversation', async () => {
    const { page, roomId, target } = await annWithALongConversation();

    await page.getByRole('link', { name: 'Search messages' }).click();
    await page.getByRole('searchbox', { name: 'Words to find' }).fill('zephyr');
    await page.getByRole('searchbox', { name: 'Words to find' }).press('Enter');

    const results = page.getByRole('list', { name: 'Messages matching zephyr' });
    await results.getByRole('listitem').nth(1).waitFor();
    const hit = results.getByRole('listitem').filter({ hasText: 'key under the blue pot' });
    // The markup Ben typed is shown as he typed it; only the matched word is marked.
    await expect(hit.textContent()).resolves.toContain('<b>14 Zephyrine Lane</b>');
    await expect(hit.locator('mark').allTextContents()).resolves.toEqual(['Zephyrine']);
    await expect(hit.textContent()).resolves.toContain('in Ben Baker');
    await saveScreenshot(page, '23-message-search.png');

    await hit.getByRole('link').click();

    await page.waitForURL((url) => url.pathname === `/chat/${roomId}` && url.searchParams.has('message'));
    const log = page.getByRole('log', { name: 'Messages in Ben Baker' });
    const landed = log.getByRole('listitem').filter({ hasText: target });
    await expect(landed.getAttribute('class')).resolves.toContain('message-focused');
    await expect(landed.isVisible()).resolves.toBe(true);
    // The newest messages are not loaded yet: the way back to them is offered.
    await expect(log.getByText('Message number 60 about', { exact: false }).count()).resolves.toBe(0);
    await saveScreenshot(page, '24-search-jump.png');

    await page.getByRole('button', { name: 'Jump to latest' }).click();

    await log.getByText('Message number 60 about the trip').waitFor();
    await page.getByRole('button', { name: 'Jump to latest' }).waitFor({ state: 'hidden' });
  });

  test('on a phone the search and its results fit the screen', async () => {
    const phoneContext = await suite.browser.newContext({
      baseURL: suite.server.url,
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
      storageState: await annPage.context().storageState(),
    });
    try {
      const page = await phoneContext.newPage();
      await page.goto('/search?q=zephyr');
      await page
        .getByRole('list', { name: 'Messages matching zephyr' })
        .getByRole('listitem')
        .first()
        .waitFor();
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await expect(page.getByRole('button', { name: 'Search', exact: true }).isVisible()).resolves.toBe(true);

      // On a phone the header keeps one search field: typing there offers the message search too.
      await page.goto('/');
      await page.getByRole('searchbox', { name: 'Search people' }).fill('zephyr');
      await page.getByRole('link', { name: 'Search messages for “zephyr”' }).click();
      await page
        .getByRole('list', { name: 'Messages matching zephyr' })
        .getByRole('listitem')
        .first()
        .waitFor();
    } finally {
      await phoneContext.close();
    }
  });

  test('a search too short to run says why, next to the field', async () => {
    const page = await annPage.context().newPage();
    await page.goto('/search');
    await page.getByRole('searchbox', { name: 'Words to find' }).fill('a');
    await page.getByRole('button', { name: 'Search' }).click();

    await page.getByText('Type at least 2 characters to search for.').waitFor();
    await expect(
      page.getByRole('searchbox', { name: 'Words to find' }).getAttribute('aria-invalid'),
    ).resolves.toBe('true');
  });
});
