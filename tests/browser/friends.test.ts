import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { saveScreenshot, waitForPath } from '../helpers/browser.ts';
import { browserSuite } from '../helpers/browser-suite.ts';
import { blue, near, pixelAt, red, twoTone } from '../helpers/images.ts';
import { makeFriends, type Person, signUp } from '../helpers/people.ts';
import { roomyLimits, uniqueUsername } from '../helpers/users.ts';

// Needs the built client (`npm run build`; `npm test` builds first), PostgreSQL, Redis and /usr/bin/chromium.

const suite = browserSuite({ env: roomyLimits });
const { signUpInBrowser } = suite;

/** Someone registered over the API only: they never open the app. */
function signUpElsewhere(name: string, prefix: string): Promise<Person> {
  return signUp(suite.server, { displayName: name, username: uniqueUsername(prefix) });
}

async function searchFor(page: Page, text: string) {
  await page.getByRole('searchbox', { name: 'Search people' }).fill(text);
  return page.getByRole('list', { name: 'People found' });
}

const row = (list: ReturnType<Page['getByRole']>, name: string) =>
  list.getByRole('listitem').filter({ hasText: name });

async function openAccountTab(page: Page, tab: 'Friends' | 'Requests') {
  await page.getByRole('link', { name: 'Account settings' }).first().click();
  await page.getByRole('tab', { name: new RegExp(`^${tab}`) }).click();
  await waitForPath(page, `/account/${tab.toLowerCase()}`);
}

describe('people and friends in the browser', () => {
  test('Ada finds Bob in the search and asks; Bob sees it live and accepts from the bell; both see it', async () => {
    const ada = await signUpInBrowser('Ada Lovelace');
    const bob = await signUpInBrowser('Bob Kahn');
    // Two more people called Bob-something, so the search shows a friend and a request waiting for Ada too.
    const bobbie = await signUpElsewhere('Bobbie Draper', 'bobbie');
    const boba = await signUpElsewhere('Boba Fett', 'boba');
    await makeFriends(ada, bobbie);
    await boba.client.friends.sendRequest.mutate({ userId: ada.id });

    const results = await searchFor(ada.page, 'bob');
    const bobRow = row(results, bob.displayName);
    await bobRow.getByRole('button', { name: 'Add friend' }).waitFor();
    await row(results, bobbie.displayName).getByRole('button', { name: 'Message' }).waitFor();
    await row(results, boba.displayName).getByRole('button', { name: 'Accept' }).waitFor();
    await row(results, boba.displayName).getByText('Sent you a request').waitFor();
    await saveScreenshot(ada.page, '03-search.png');

    await bobRow.getByRole('button', { name: 'Add friend' }).click();
    await bobRow.getByRole('button', { name: 'Cancel request' }).waitFor();
    await bobRow.getByText('Request sent').waitFor();

    // Escape closes the results and leaves the keyboard in the search box.
    await ada.page.getByRole('searchbox', { name: 'Search people' }).focus();
    await ada.page.keyboard.press('Escape');
    expect(await results.isVisible()).toBe(false);
    expect(await ada.page.getByRole('searchbox', { name: 'Search people' }).inputValue()).toBe('bob');

    // Ada watches her friends list while Bob answers.
    await openAccountTab(ada.page, 'Friends');
    const adasFriends = ada.page.getByRole('list', { name: /^Friends/ });
    await row(adasFriends, bobbie.displayName).waitFor();
    expect(await row(adasFriends, bob.displayName).count()).toBe(0);

    // Bob's bell counts the request without a reload. Opening it reads what it shows, after a moment; the request
    // stays marked as new while the panel is open.
    const bell = bob.page.getByRole('button', { name: 'Notifications, 1 unread' });
    await bell.click();
    const request = row(
      bob.page.getByRole('list', { name: 'Notifications' }),
      `${ada.displayName} (@${ada.username}) sent you a friend request.`,
    );
    await request.getByRole('button', { name: 'Accept' }).waitFor();
    await saveScreenshot(bob.page, '04-request-bell.png');
    await bob.page.getByRole('button', { name: 'Notifications', exact: true }).waitFor();
    await expect.poll(async () => (await bob.client.notifications.unreadCount.query()).count).toBe(0);
    await request.getByText(', new').waitFor({ state: 'attached' });
    await request.getByRole('button', { name: 'Accept' }).click();
    await request.getByText('Accepted. You are now friends.').waitFor();
    await request.getByRole('button', { name: `Message ${ada.displayName}` }).waitFor();

    // Ada's list and tab count update live, and she hears that Bob said yes.
    await row(adasFriends, bob.displayName).waitFor();
    await ada.page.getByRole('tab', { name: 'Friends 2' }).waitFor();
    // Bobbie's yes and Boba's request came before; Bob's yes makes three.
    await ada.page.getByRole('button', { name: 'Notifications, 3 unread' }).waitFor();
    // Bob has the app open, so he shows as online; Bobbie never opened it.
    await adasFriends.getByRole('link', { name: `${bob.displayName} (online)` }).waitFor();
    await adasFriends.getByRole('link', { name: `${bobbie.displayName} (offline)` }).waitFor();
    await saveScreenshot(ada.page, '05-friends-tab.png');

    await bob.page.keyboard.press('Escape');
    await openAccountTab(bob.page, 'Friends');
    await row(bob.page.getByRole('list', { name: /^Friends/ }), ada.displayName).waitFor();

    // Ada's notice of Bob's yes offers to talk: it opens their conversation.
    await ada.page.getByRole('button', { name: /^Notifications/ }).click();
    const accepted = row(
      ada.page.getByRole('list', { name: 'Notifications' }),
      `${bob.displayName} (@${bob.username}) accepted your friend request.`,
    );
    await accepted.getByRole('button', { name: `Message ${bob.displayName}` }).click();
    await ada.page.waitForURL(/\/chat\/\d+$/);
    await ada.page.getByRole('textbox', { name: /^Message / }).waitFor();
  });

  test('a request can be withdrawn, and declined; each side sees it live', async () => {
    const carol = await signUpInBrowser('Carol Shaw');
    const dave = await signUpInBrowser('Dave Cutler');

    // Carol asks from Dave's profile; Dave watches his requests.
    await carol.page.goto(`/u/${dave.username}`);
    await carol.page.getByRole('heading', { name: dave.displayName, level: 1 }).waitFor();
    await openAccountTab(dave.page, 'Requests');
    const waiting = dave.page.getByRole('region', { name: /^Waiting for you/ });
    await waiting.getByText('No one is waiting for an answer.').waitFor();

    await carol.page.getByRole('button', { name: 'Add friend' }).click();
    await carol.page.getByRole('button', { name: 'Cancel request' }).waitFor();
    await row(waiting, carol.displayName).getByRole('button', { name: 'Accept' }).waitFor();
    await dave.page.getByRole('tab', { name: 'Requests 1' }).waitFor();

    // Carol changes her mind before Dave looked: the request leaves his list, and his bell, live.
    await carol.page.getByRole('button', { name: 'Cancel request' }).click();
    await carol.page.getByRole('button', { name: 'Add friend' }).waitFor();
    await waiting.getByText('No one is waiting for an answer.').waitFor();
    await dave.page.getByRole('button', { name: 'Notifications', exact: true }).click();
    await dave.page.getByText('You are all caught up.').waitFor();
    await dave.page.keyboard.press('Escape');

    // She asks again from the search; Dave declines; her search result offers to ask again.
    const results = await searchFor(carol.page, dave.username);
    await row(results, dave.displayName).getByRole('button', { name: 'Add friend' }).click();
    await row(results, dave.displayName).getByRole('button', { name: 'Cancel request' }).waitFor();
    await row(waiting, carol.displayName).getByRole('button', { name: 'Decline' }).click();
    await waiting.getByText('No one is waiting for an answer.').waitFor();
    // Answered on his Requests page, the request's notification in his bell is read and says how it ended.
    await dave.page.getByRole('button', { name: 'Notifications', exact: true }).click();
    const answered = row(dave.page.getByRole('list', { name: 'Notifications' }), 'sent you a friend request');
    await answered.getByText('Declined.').waitFor();
    await dave.page.keyboard.press('Escape');
    await row(results, dave.displayName).getByRole('button', { name: 'Add friend' }).waitFor();

    // A decline is quiet, as in other chat apps: Carol's bell has nothing new.
    await carol.page.keyboard.press('Escape');
    await carol.page.getByRole('button', { name: 'Notifications', exact: true }).waitFor();
    expect((await carol.client.notifications.unreadCount.query()).count).toBe(0);
  });

  test('a profile shows who someone is, and its buttons follow how you relate, as text and never as HTML', async () => {
    const erin = await signUpInBrowser('Erin Catto');
    const frank = await signUpElsewhere('Frank Herbert', 'frank');
    const bio = 'Writes about <b>sand</b>.\n<img src=x onerror="document.title=1">';
    await frank.client.users.updateProfile.mutate({ bio, showEmail: true });
    await makeFriends(erin, frank);

    // Erin finds Frank with the search, by keyboard: Enter on him opens his profile, empties the search, and
    // leaves the keyboard on his name.
    const page = erin.page;
    await searchFor(page, frank.username);
    await page
      .getByRole('list', { name: 'People found' })
      .getByRole('link', { name: frank.displayName })
      .waitFor();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await waitForPath(page, `/u/${frank.username}`);
    const card = page.getByRole('article', { name: frank.displayName });
    await card.getByRole('heading', { name: frank.displayName, level: 1 }).waitFor();
    expect(await page.getByRole('searchbox', { name: 'Search people' }).inputValue()).toBe('');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('profile-name');
    await card.getByText(`@${frank.username}`).waitFor();
    await card.getByText('Friend', { exact: true }).waitFor();
    expect(await card.locator('.profile-bio').textContent()).toBe(bio);
    expect(await card.locator('.profile-bio b, .profile-bio img').count()).toBe(0);
    await card.getByText('1 friend', { exact: true }).waitFor();
    await card.getByRole('link', { name: frank.account.email }).waitFor();
    await card.getByText('Joined').waitFor();

    await card.getByRole('button', { name: 'Unfriend' }).click();
    await card.getByRole('button', { name: `Yes, unfriend ${frank.displayName}` }).click();
    await card.getByRole('button', { name: 'Add friend' }).waitFor();
    await card.getByText('0 friends', { exact: true }).waitFor();

    await card.getByRole('button', { name: 'Block' }).click();
    await page.keyboard.press('Escape'); // changed her mind…
    await card.getByRole('button', { name: 'Block' }).click();
    await card.getByRole('button', { name: `Yes, block ${frank.displayName}` }).click();
    await card.getByRole('button', { name: 'Unblock' }).waitFor();
    await card.getByText('Blocked', { exact: true }).waitFor();
    expect((await frank.client.users.search.query({ query: erin.username })).items).toEqual([]);

    await card.getByRole('button', { name: 'Unblock' }).click();
    await card.getByRole('button', { name: 'Add friend' }).click();
    await card.getByRole('button', { name: 'Cancel request' }).waitFor();
    // Frank says yes elsewhere; the page follows, and Message opens the conversation.
    const { incoming } = await frank.client.friends.requests.query();
    await frank.client.friends.accept.mutate({ requestId: incoming[0]!.id });
    await card.getByRole('button', { name: 'Message' }).click();
    await page.waitForURL((url) => /^\/chat\/\d+$/.test(url.pathname));

    await page.goto('/u/nobody_by_that_name');
    await page.getByRole('heading', { name: 'No one here' }).waitFor();
  });

  test('the Profile tab edits the name and bio and uploads a cropped picture', async () => {
    const grace = await signUpInBrowser('Grace Hopper');
    const page = grace.page;
    await page.goto('/account/profile');

    await page.getByLabel('Display name').fill('Grace B. Hopper');
    await page.getByLabel('Bio').fill('Found the first actual bug.');
    await page.getByLabel('Show my email on my profile').check();
    await page.getByRole('button', { name: 'Save profile' }).click();
    await page.getByText('Profile saved.').waitFor();
    await page.getByRole('banner').getByText('Grace B. Hopper', { exact: true }).waitFor();
    const profile = await grace.client.users.byUsername.query({ username: grace.username });
    expect(profile).toMatchObject({ displayName: 'Grace B. Hopper', bio: 'Found the first actual bug.' });
    expect(profile.showEmail).toBe(true);

    // Red on the left, blue on the right: move the square all the way left to keep only red.
    const image = await twoTone(200, 100, red, blue).png().toBuffer();
    await page
      .getByLabel('Choose an image…')
      .setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: image });
    const square = page.getByRole('button', { name: /Part of the image to keep/ });
    await square.focus();
    for (let i = 0; i < 6; i += 1) await page.keyboard.press('Shift+ArrowLeft');
    await page.getByText('100 × 100 px, from 0, 0').waitFor();
    await page.getByRole('button', { name: 'Save picture' }).click();
    await page.getByText('Your new picture is saved.').waitFor();

    const { avatarUrl } = await grace.client.users.byUsername.query({ username: grace.username });
    expect(avatarUrl).toMatch(/^\/avatars\//);
    await page.getByRole('banner').locator(`img[src="${avatarUrl}"]`).waitFor();
    const avatar = Buffer.from(await (await fetch(new URL(avatarUrl!, suite.server.url))).arrayBuffer());
    expect(near(await pixelAt(avatar, 128, 128), red)).toBe(true);
  });
});
