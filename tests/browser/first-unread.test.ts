import { describe, expect, test } from 'vitest';
import { saveScreenshot } from '../helpers/browser.ts';
import { browserSuite } from '../helpers/browser-suite.ts';
import { chattyLimits, sayEach } from '../helpers/chat.ts';
import { makeFriends, type Person, signUp } from '../helpers/people.ts';

// Needs the built client (`npm run build`; `npm test` builds first), PostgreSQL, Redis and /usr/bin/chromium.

const suite = browserSuite({ env: chattyLimits, timeoutMs: 15_000 });

const annInABrowser = () => suite.signUpInBrowser('Ann Archer');

const numbered = (label: string, count: number) =>
  Array.from({ length: count }, (_, i) => `${label} ${i + 1}`);

describe('coming back to a busy conversation', () => {
  test('Ann lands at the first message she has not read, below a divider, and can jump back to it', async () => {
    const ann = await annInABrowser();
    const ben: Person = await signUp(suite.server, { displayName: 'Ben Baker' });
    await makeFriends(ben, ann);
    const room = await ben.client.chat.openPrivate.mutate({ userId: ann.id });
    await sayEach(ben.client, room.id, numbered('Earlier note', 30));
    // Ann read those, then went to the public room while Ben went on writing.
    const { items } = await ann.client.chat.history.query({ roomId: room.id, limit: 1 });
    await ann.client.chat.markRead.mutate({ roomId: room.id, seq: items[0]!.seq });
    await ann.page.goto('/');
    await sayEach(ben.client, room.id, numbered('Catching up', 40));
    const sidebar = ann.page.getByRole('navigation', { name: 'Conversations' });
    await sidebar.getByText('40', { exact: true }).waitFor();

    await sidebar.getByRole('link', { name: /Ben Baker/ }).click();

    const log = ann.page.getByRole('log', { name: 'Messages in Ben Baker' });
    const divider = log.getByText('New messages', { exact: true });
    await divider.waitFor();
    await expect(divider.isVisible()).resolves.toBe(true);
    await expect(log.getByText('Catching up 1', { exact: true }).isVisible()).resolves.toBe(true);
    // The divider sits right between the last message read and the first new one.
    const order = await log.locator('li').allTextContents();
    const at = order.findIndex((text) => text.includes('New messages'));
    expect(order[at - 1]).toContain('Earlier note 30');
    expect(order[at + 1]).toContain('Catching up 1');
    await saveScreenshot(ann.page, '27-first-unread.png');

    // Reading further back, the way to the first unread is offered, and taken.
    await log.getByText('Earlier note 6', { exact: true }).scrollIntoViewIfNeeded();
    await ann.page.getByRole('button', { name: 'Jump to first unread' }).click();
    await ann.page.getByRole('button', { name: 'Jump to first unread' }).waitFor({ state: 'hidden' });
    await expect(divider.isVisible()).resolves.toBe(true);

    // Down to the newest: everything is loaded, the way back to the newest is no longer needed.
    // (It counts what loaded below meanwhile: "Jump to latest" or "N new messages".)
    await ann.page.locator('button.jump-latest').click();
    await log.getByText('Catching up 40', { exact: true }).waitFor();
  });
});
