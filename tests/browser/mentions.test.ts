import type { Page } from 'playwright-core';
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
const composer = (page: Page) => page.getByRole('textbox', { name: /^Message / });

describe('mentioning someone in the browser', () => {
  test('Ada picks Grace from the @ list by keyboard; Grace sees the @ badge and the bell, and lands on the message', async () => {
    const [ada, grace] = [await signUpInBrowser('Ada Lovelace'), await signUpInBrowser('Grace Hopper')];
    await makeFriends(ada, grace);
    const privateRoom = await grace.client.chat.openPrivate.mutate({ userId: ada.id });
    const publicRoom = await ada.client.chat.publicRoom.query();
    await grace.page.goto(`/chat/${privateRoom.id}`);
    await ada.page.goto('/');

    // Typing "@gr" offers Grace (a friend comes first); the textarea points at the list and its active option.
    const input = composer(ada.page);
    await input.click();
    await input.pressSequentially('Thanks @gr');
    const list = ada.page.getByRole('listbox', { name: 'People to mention' });
    const option = list.getByRole('option', { name: new RegExp(`Grace Hopper @${grace.username}`) });
    await option.waitFor();
    expect(await input.getAttribute('aria-controls')).toBe(await list.getAttribute('id'));
    expect(await input.getAttribute('aria-activedescendant')).toBe(await option.getAttribute('id'));
    // Escape closes the list, typing on opens it again, Tab picks.
    await input.press('Escape');
    await list.waitFor({ state: 'detached' });
    await input.pressSequentially('a');
    await option.waitFor();
    await input.press('Tab');
    await list.waitFor({ state: 'detached' });
    expect(await input.inputValue()).toBe(`Thanks @${grace.username} `);
    await input.pressSequentially('for the compiler!');
    await input.press('Enter');

    // Ada sees Grace's name where the @username was; it links to her profile.
    const onAda = message(ada.page, 'for the compiler');
    await onAda.getByRole('link', { name: '@Grace Hopper' }).waitFor();

    // Grace, in another conversation: the public room gets an "@" badge, her bell counts one.
    const publicLink = grace.page.getByRole('link', { name: /a mention of you/ });
    await publicLink.waitFor();
    const bell = grace.page.getByRole('button', { name: 'Notifications, 1 unread' });
    await bell.click();
    const entry = grace.page.getByRole('link', { name: /Ada Lovelace mentioned you in the public room/ });
    await entry.click();
    await expect.poll(() => new URL(grace.page.url()).pathname).toBe(`/chat/${publicRoom.id}`);
    const onGrace = message(grace.page, 'for the compiler');
    await expect.poll(() => onGrace.getAttribute('class')).toMatch(/message-mentions-me/);
    await onGrace.getByText('(mentions you)').waitFor({ state: 'attached' });

    // Grace answers: her list starts with her friend Ada, and the picture for the tour shows both sides.
    await say(ada.client, publicRoom.id, 'It found its first **bug** today.');
    await say(ada.client, publicRoom.id, 'A real moth, taped into the log book.');
    await message(grace.page, 'taped into the log book').waitFor();
    const reply = composer(grace.page);
    await reply.click();
    await reply.pressSequentially('@');
    await grace.page
      .getByRole('listbox', { name: 'People to mention' })
      .getByRole('option', { name: /Ada Lovelace/ })
      .first()
      .waitFor();
    await grace.page.evaluate(() => {
      // saveScreenshot blurs the focused element, which would close the list: keep it for the picture.
      document.activeElement?.addEventListener('blur', (event) => event.stopImmediatePropagation(), true);
    });
    await saveScreenshot(grace.page, '30-mentions.png');
  });

  test('editing a message offers the same @ list, and the saved edit mentions the person picked', async () => {
    const [ada, grace] = [await signUpInBrowser('Ada Lovelace'), await signUpInBrowser('Grace Hopper')];
    await makeFriends(ada, grace);
    const room = await ada.client.chat.openPrivate.mutate({ userId: grace.id });
    await say(ada.client, room.id, 'Thanks for the compiler!');
    await ada.page.goto(`/chat/${room.id}`);

    const sent = message(ada.page, 'Thanks for the compiler');
    await sent.hover();
    await sent.getByRole('button', { name: /^Actions for / }).click();
    await ada.page.getByRole('menuitem', { name: 'Edit' }).click();
    const editor = ada.page.getByRole('textbox', { name: 'Edit message' });
    await editor.press('End');
    await editor.pressSequentially(' @gr');
    const option = ada.page
      .getByRole('listbox', { name: 'People to mention' })
      .getByRole('option', { name: new RegExp(`Grace Hopper @${grace.username}`) });
    await option.waitFor();
    // Enter picks from the open list (it does not save yet); the next Enter saves.
    await editor.press('Enter');
    expect(await editor.inputValue()).toBe(`Thanks for the compiler! @${grace.username} `);
    await editor.press('Enter');

    const edited = message(ada.page, 'Thanks for the compiler');
    await edited.getByText('(edited)').waitFor();
    await edited.getByRole('link', { name: '@Grace Hopper' }).waitFor();
    const [stored] = (await grace.client.chat.history.query({ roomId: room.id })).items;
    expect(stored?.mentions.map((person) => person.id)).toEqual([grace.id]);
  });
});
