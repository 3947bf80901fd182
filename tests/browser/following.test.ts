import type { Locator, Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { browserSuite, type Visitor } from '../helpers/browser-suite.ts';
import { chattyLimits, newClientId, type Room, say, sayEach } from '../helpers/chat.ts';
import { makeFriends, type Person, signUp } from '../helpers/people.ts';

// Whether the log follows Ben's new messages, as Ann sees it: it does while she is at the bottom, however fast
// they come and however she got there (a jump to a reply's original or a mention that left her at the bottom);
// once she is not, "Jump to latest" or a count of new messages shows. Ann reads in a tall window, where a short
// conversation fits without scrolling; Ben writes over the API.
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

/** Ben goes on writing, as fast as he can: far more lines than Ann's window holds, "Status update 40" last. */
async function benWritesALot({ ann, ben, room }: Chat): Promise<Locator> {
  await sayEach(ben.client, room.id, numbered('Status update', 40));
  const newest = message(ann.page, 'Status update 40');
  await newest.waitFor({ state: 'attached' });
  return newest;
}

/** Ben's question and, after some lines, his reply to it. Two lines fit on Ann's screen; forty do not. */
async function aThread({ ben, room }: Chat, lines: number) {
  const question = await say(ben.client, room.id, 'Who is bringing the projector to Friday’s demo?');
  await sayEach(ben.client, room.id, numbered('Agenda item', lines));
  await ben.client.chat.send.mutate({
    roomId: room.id,
    clientId: newClientId(),
    body: 'Still nobody for the projector?',
    replyToId: question.id,
  });
}

/** Ann clicks the quote above Ben's reply and lands on his question, focused. */
async function annFollowsTheQuote({ ann }: Chat): Promise<Locator> {
  const quote = message(ann.page, 'Still nobody for the projector?').getByRole('button', {
    name: /^Reply to Ben Baker: Who is bringing the projector/,
  });
  await quote.click();
  const original = message(ann.page, 'Who is bringing the projector').filter({ hasNotText: 'Still nobody' });
  await expect.poll(() => original.evaluate((element) => element === document.activeElement)).toBe(true);
  return original;
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

describe('the log after a jump within the open conversation', () => {
  test('a quote to a message on screen leaves Ann at the bottom: Ben’s next messages scroll into view', async () => {
    const chat = await annAndBen();
    await aThread(chat, 2);
    await chat.ann.page.goto(`/chat/${chat.room.id}`);
    const original = await annFollowsTheQuote(chat);

    const newest = await benWritesALot(chat);

    await expect.poll(() => onScreen(newest)).toBe(true);
    // The log did overflow: the question Ann jumped to has scrolled away above.
    expect(await onScreen(original)).toBe(false);
  });

  test('a mention opened from the bell while Ann reads that conversation: the log still follows', async () => {
    const chat = await annAndBen();
    const { ann, ben, room } = chat;
    await say(ben.client, room.id, 'Morning!');
    await say(ben.client, room.id, `@${ann.username} could you bring the projector on Friday?`);
    await say(ben.client, room.id, 'No rush.');
    await ann.page.goto(`/chat/${room.id}`);
    const mention = message(ann.page, 'could you bring the projector');
    await mention.waitFor();

    // Reading the conversation read the mention's notice too; it stays in the bell's list.
    await ann.page.getByRole('button', { name: /^Notifications/ }).click();
    await ann.page.getByRole('link', { name: /Ben Baker mentioned you/ }).click();
    await expect.poll(() => mention.getAttribute('class')).toMatch(/message-focused/);
    const newest = await benWritesALot(chat);

    await expect.poll(() => onScreen(newest)).toBe(true);
  });

  test('a quote to a message further up leaves the bottom: new messages are counted, and one click shows them', async () => {
    const chat = await annAndBen();
    await aThread(chat, 40);
    await chat.ann.page.goto(`/chat/${chat.room.id}`);
    await annFollowsTheQuote(chat);

    const newest = await benWritesALot(chat);

    const jumpToLatest = jumpDown(chat.ann.page);
    await jumpToLatest.waitFor();
    expect(await onScreen(newest)).toBe(false);
    await jumpToLatest.click();
    await expect.poll(() => onScreen(newest)).toBe(true);
    await jumpToLatest.waitFor({ state: 'hidden' });
  });

  test('the same quote clicked again, after Ann went back down, takes her to the original again', async () => {
    const chat = await annAndBen();
    await aThread(chat, 40);
    await chat.ann.page.goto(`/chat/${chat.room.id}`);
    const original = await annFollowsTheQuote(chat);
    await chat.ann.page.locator('.timeline').evaluate((log) => log.scrollTo(0, log.scrollHeight));
    await expect.poll(() => onScreen(original)).toBe(false);

    await annFollowsTheQuote(chat);

    await expect.poll(() => onScreen(original)).toBe(true);
  });
});

describe('opened at an old message', () => {
  test('Ann loads the newer messages below; until the newest are on screen, "Jump to latest" is offered', async () => {
    const { ann, ben, room } = await annAndBen();
    const [, , , , old] = await sayEach(ben.client, room.id, numbered('Trip note', 80));
    // As a search hit's link opens it: the messages around that one, which fit on her screen; not the newest.
    await ann.page.goto(`/chat/${room.id}?message=${old?.seq}`);
    const landed = message(ann.page, /Trip note 5\b/);
    await expect.poll(() => landed.getAttribute('class')).toMatch(/message-focused/);

    // With everything on screen, the button still takes a click: "Jump to latest" floats below it, not over it.
    await ann.page.getByRole('button', { name: 'Load newer messages' }).click({ timeout: 3_000 });
    const newest = message(ann.page, 'Trip note 80');
    await newest.waitFor({ state: 'attached' });

    // Eighty messages do not fit: the newest are out of sight below, and the way down is offered.
    await jumpDown(ann.page).waitFor();
    expect(await onScreen(newest)).toBe(false);
    await jumpDown(ann.page).click();
    await expect.poll(() => onScreen(newest)).toBe(true);
  });
});
