import type { Locator, Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { saveScreenshot } from '../helpers/browser.ts';
import { browserSuite } from '../helpers/browser-suite.ts';
import { say } from '../helpers/chat.ts';
import { makeFriends } from '../helpers/people.ts';
import { roomyLimits } from '../helpers/users.ts';

// Needs the built client (`npm run build`), PostgreSQL, Redis and /usr/bin/chromium.

const suite = browserSuite({ env: roomyLimits });
const { signUpInBrowser } = suite;

const message = (page: Page, text: string) =>
  page.getByRole('log').getByRole('listitem').filter({ hasText: text });
const chip = (item: Locator, emoji: string) =>
  item.getByRole('group', { name: 'Reactions' }).getByRole('button', { name: new RegExp(`^${emoji} \\d+`) });

async function openMenuAndAddReaction(page: Page, item: Locator): Promise<Locator> {
  await item.hover();
  await item.getByRole('button', { name: /^Actions for / }).click();
  await page.getByRole('menuitem', { name: 'Add reaction' }).click();
  return page.getByRole('dialog', { name: 'Add reaction' });
}

describe('reacting to a message in the browser', () => {
  test('a friend adds a reaction from the picker, the other sees it live, joins in, reads who reacted, and takes it back', async () => {
    const [ada, grace] = [await signUpInBrowser('Ada Lovelace'), await signUpInBrowser('Grace Hopper')];
    await makeFriends(ada, grace);
    const room = await ada.client.chat.openPrivate.mutate({ userId: grace.id });
    await say(ada.client, room.id, 'The engine printed its first table!');
    for (const person of [ada, grace]) await person.page.goto(`/chat/${room.id}`);
    const onGrace = message(grace.page, 'first table');
    const onAda = message(ada.page, 'first table');

    const picker = await openMenuAndAddReaction(grace.page, onGrace);
    const search = picker.getByRole('searchbox', { name: 'Search emoji' });
    await expect.poll(() => search.evaluate((input) => input === document.activeElement)).toBe(true);
    await search.fill('party');
    await search.press('Enter');
    await picker.waitFor({ state: 'detached' });
    await chip(onGrace, '🎉').waitFor();
    expect(await chip(onGrace, '🎉').getAttribute('aria-pressed')).toBe('true');

    // Live on Ada's screen; one click adds hers, and the chip shows it is hers.
    await chip(onAda, '🎉').filter({ hasText: '1' }).waitFor();
    expect(await chip(onAda, '🎉').getAttribute('aria-pressed')).toBe('false');
    await chip(onAda, '🎉').click();
    await expect.poll(() => chip(onAda, '🎉').getAttribute('aria-pressed')).toBe('true');
    await chip(onGrace, '🎉').filter({ hasText: '2' }).waitFor();

    // Who reacted: on hover, and on keyboard focus.
    await chip(onAda, '🎉').focus();
    const tip = onAda.getByRole('tooltip');
    await expect.poll(() => tip.filter({ visible: true }).textContent()).toBe('Grace Hopper, You');
    await onGrace.getByRole('button', { name: 'Add reaction' }).click();
    const recent = grace.page
      .getByRole('dialog', { name: 'Add reaction' })
      .getByRole('group', { name: 'Recent' });
    await recent.getByRole('button', { name: /^party/ }).waitFor();
    await grace.page.keyboard.press('Escape');
    await chip(onGrace, '🎉').hover();
    await expect
      .poll(() => onGrace.getByRole('tooltip').filter({ visible: true }).textContent())
      .toBe('You, Ada Lovelace');

    // The keyboard alone: the menu's last item opens the picker, arrow keys pick an emoji.
    await onAda.getByRole('button', { name: /^Actions for / }).focus();
    await ada.page.keyboard.press('Enter');
    await ada.page.keyboard.press('ArrowUp');
    await ada.page.keyboard.press('Enter');
    await ada.page.getByRole('searchbox', { name: 'Search emoji' }).fill('rocket');
    await ada.page.keyboard.press('ArrowDown');
    await ada.page.keyboard.press('Enter');
    await chip(onGrace, '🚀').waitFor();

    // Clicking your own chip takes your reaction back, for everyone.
    await chip(onAda, '🚀').click();
    await chip(onGrace, '🚀').waitFor({ state: 'detached' });
    const stored = await grace.client.chat.history.query({ roomId: room.id, limit: 1 });
    expect(stored.items[0]?.reactions).toEqual([{ emoji: '🎉', count: 2, userIds: [grace.id, ada.id] }]);
    expect(stored.items[0]?.editedAt).toBeNull();
    expect(await onAda.getByText('(edited)').count()).toBe(0);

    // The picker again, for the tour: recent ones first, then all of them.
    await onGrace.getByRole('button', { name: 'Add reaction' }).click();
    await grace.page
      .getByRole('dialog', { name: 'Add reaction' })
      .getByRole('group', { name: 'Recent' })
      .waitFor();
    await saveScreenshot(grace.page, '29-reactions.png');
  });

  test('on a phone the picker fits the screen', async () => {
    const ann = await signUpInBrowser('Ann Phone', { viewport: { width: 390, height: 844 } });
    await say(ann.client, (await ann.client.chat.publicRoom.query()).id, 'Tiny screen');
    await ann.page.goto('/');
    const picker = await openMenuAndAddReaction(ann.page, message(ann.page, 'Tiny screen'));
    const box = await picker.boundingBox();
    expect(box).not.toBeNull();
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width).toBeLessThanOrEqual(390);
    await picker.getByRole('button', { name: /^thumbs up/ }).click();
    await chip(message(ann.page, 'Tiny screen'), '👍').waitFor();
  });
});
