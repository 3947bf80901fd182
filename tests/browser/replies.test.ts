import type { Locator, Page } from 'playwright-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { browserUser, expectSignedInAs, registerThroughForm, saveScreenshot } from '../helpers/browser.ts';
import { browserSuite } from '../helpers/browser-suite.ts';
import { chattyLimits, type Message, publicRoomId, say } from '../helpers/chat.ts';
import { type Person, signUp } from '../helpers/people.ts';

// Replies in the public room, as Ada sees them: a quote above each reply that takes her to the original (loading
// older messages on the way), Reply in a message's menu or R on it, a reply bar she can leave with Escape, and a
// quote that says so when its original is deleted. Needs the built client (`npm run build`).

const suite = browserSuite({ env: chattyLimits, browsersLast: 'file' });
let page: Page;
let ben: Person;
let roomId: number;
let question: Message;

beforeAll(async () => {
  ben = await signUp(suite.server, { displayName: 'Ben Okafor' });
  roomId = await publicRoomId(ben.client);
  question = await say(ben.client, roomId, 'Who is bringing the **projector** to Friday’s demo?');
  // Far more than a page of chatter since: the original is two pages back.
  for (let n = 1; n <= 110; n++) await say(ben.client, roomId, `Status update ${n}`);
  await ben.client.chat.send.mutate({
    roomId,
    clientId: 'reply-to-the-question',
    body: 'Still nobody for the projector?',
    replyToId: question.id,
  });
  page = await suite.newPage();
});

const messageLog = () => page.getByRole('log');
const message = (text: string) => messageLog().getByRole('listitem').filter({ hasText: text });
const composer = () => page.getByRole('textbox', { name: /^Message / });
const replyBar = () => page.locator('.reply-bar');

/** Whether the message is on screen inside the scrolling log, not above or below it. */
async function onScreen(item: Locator): Promise<boolean> {
  return item.evaluate((element) => {
    const box = element.getBoundingClientRect();
    const log = element.closest('.timeline')?.getBoundingClientRect();
    return Boolean(log && box.top >= log.top - 1 && box.bottom <= log.bottom + 1);
  });
}

describe('replies in the public room', () => {
  test("a reply's quote names the original's author and words, and takes Ada back to it", async () => {
    const ada = browserUser('Ada Lovelace');
    await registerThroughForm(page, ada);
    await expectSignedInAs(page, ada);
    const reply = message('Still nobody for the projector?');
    const quote = reply.getByRole('button', { name: /^Reply to Ben Okafor: Who is bringing the projector/ });
    await quote.waitFor();
    const original = message('Who is bringing the').filter({ hasNotText: 'Still nobody' });
    expect(await original.count()).toBe(0);

    await quote.click();

    await original.waitFor();
    await expect.poll(() => onScreen(original)).toBe(true);
    expect(await original.evaluate((element) => element === document.activeElement)).toBe(true);

    // The log now shows the original in its context; one click takes Ada back to the newest messages.
    await page.getByRole('button', { name: 'Jump to latest' }).click();
    await message('Status update 110').waitFor();
  });

  test('Ada replies from the menu; her reply shows the quote, and the server stored it as a reply', async () => {
    const update = message('Status update 110');
    await update.hover();
    await update.getByRole('button', { name: /^Actions for / }).click();
    await page.getByRole('menuitem', { name: 'Reply' }).click();

    await replyBar().getByText('Status update 110').waitFor();
    expect(await composer().evaluate((element) => element === document.activeElement)).toBe(true);
    await composer().fill('On it, I will bring it.');
    await composer().press('Enter');

    const mine = message('On it, I will bring it.');
    await mine.getByRole('button', { name: /^Reply to Ben Okafor: Status update 110/ }).waitFor();
    expect(await replyBar().count()).toBe(0);
    // The log shows her reply at once, while it is still on its way; the server has it a moment later.
    const newest = async () => (await ben.client.chat.history.query({ roomId, limit: 1 })).items[0];
    await expect.poll(async () => (await newest())?.body).toBe('On it, I will bring it.');
    expect(await newest()).toMatchObject({ replyTo: { excerpt: 'Status update 110' } });
  });

  test('R on a message starts a reply and Escape leaves it, keeping what she typed', async () => {
    const update = message('Status update 109');
    await update.focus();
    await page.keyboard.press('r');
    await replyBar().getByText('Status update 109').waitFor();
    await composer().fill('half a thought');

    await page.keyboard.press('Escape');

    await replyBar().waitFor({ state: 'detached' });
    expect(await composer().inputValue()).toBe('half a thought');
    await composer().fill('');
  });

  test('when Ben deletes the original, the quote Ada has on screen says so', async () => {
    await ben.client.chat.send.mutate({
      roomId,
      clientId: 'second-reply-to-it',
      body: 'Thanks Ada!',
      replyToId: question.id,
    });
    const thanks = message('Thanks Ada!');
    await thanks.getByRole('button', { name: /^Reply to Ben Okafor: Who is bringing/ }).waitFor();
    await page
      .getByRole('button', { name: 'Jump to latest' })
      .click({ timeout: 2_000 })
      .catch(() => {});
    await thanks.focus();
    await page.keyboard.press('r');
    await composer().fill('Any time!');
    await saveScreenshot(page, '28-replies.png');
    await composer().press('Escape');
    await composer().fill('');

    await ben.client.chat.delete.mutate({ messageId: question.id });

    await thanks
      .getByRole('button', { name: /^Reply to Ben Okafor: Original message was deleted/ })
      .waitFor();
  });
});
