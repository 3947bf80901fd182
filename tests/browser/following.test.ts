import type { Locator, Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { browserSuite, type Visitor } from '../helpers/browser-suite.ts';
import { chattyLimits, type Room, say, sayEach } from '../helpers/chat.ts';
import { makeFriends, type Person, signUp } from '../helpers/people.ts';

// Whether the log follows Ben's new messages, as Ann sees it: it does while she is at the bottom, however fast
// they come. Ann reads in a tall window, where a short conversation fits without scrolling; Ben writes over the API.
// Needs the built client (`npm run build`; `npm test` builds first), PostgreSQL, Redis and /usr/bin/chromium.

const suite = browserSuite({ env: chattyLimits, timeoutMs: 15_000 });
const tallWindow = { viewport: { width: 1280, height: 1300 } };

interface Chat {
  ann: Visitor;
  ben: Person;
  room: Room;
}

/** Ann in a tall browser window and her friend Ben, with their private room. */
async function annAndBen(): Promise<Chat> {
  const ann = await suite.signUpInBrowser('Ann Archer', tallWindow);
  const ben = await signUp(suite.server, { displayName: 'Ben Baker' });
  await makeFriends(ben, ann);
  const room = await ben.client.chat.openPrivate.mutate({ userId: ann.id });
  return { ann, ben, room };
}

const message = (page: Page, text: string | RegExp) =>
  page.getByRole('log').getByRole('listitem').filter({ hasText: text });
/** "Jump to latest", or the count of new messages in its place. */
const jumpDown = (page: Page) => page.getByRole('button', { name: /^(Jump to latest|\d+ new messages?)$/ });
const numbered = (label: string, count: number) =>
  Array.from({ length: count }, (_, i) => `${label} ${i + 1}`);

/** Whether the message is on screen inside the scrolling log, not above or below it. */
function onScreen(item: Locator): Promise<boolean> {
  return item.evaluate((element) => {
    const box = element.getBoundingClientRect();
    const log = element.closest('.timeline')?.getBoundingClientRect();
    return Boolean(log && box.top >= log.top - 1 && box.bottom <= log.bottom + 1);
  });
}

describe('following new messages', () => {
  test('at the bottom of a short conversation, Ann sees the newest of a burst of messages', async () => {
    const { ann, ben, room } = await annAndBen();
    await say(ben.client, room.id, 'Morning!');
    await ann.page.goto(`/chat/${room.id}`);
    await message(ann.page, 'Morning!').waitFor();

    // Long ones, one after another: two reaching Ann's browser between frames grow the log by more than the
    // slack that still counts as the bottom.
    const long = 'and the rest of the minutes from Tuesday, which ran long: '.repeat(8);
    await sayEach(
      ben.client,
      room.id,
      numbered('Pasted line', 30).map((line) => `${line} ${long}`),
    );
    const lines = message(ann.page, 'Pasted line');
    await expect.poll(() => lines.count()).toBe(30);

    await expect.poll(() => onScreen(lines.last())).toBe(true);
    await expect(jumpDown(ann.page).count()).resolves.toBe(0);
  });
});
