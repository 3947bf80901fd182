import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  browserUser,
  expectSignedInAs,
  phone,
  registerThroughForm,
  saveScreenshot,
} from '../helpers/browser.ts';
import { browserSuite } from '../helpers/browser-suite.ts';
import { chattyLimits, publicRoomId, say } from '../helpers/chat.ts';
import { noisePng } from '../helpers/images.ts';
import { type Person, signUp } from '../helpers/people.ts';

// Images in the public room, as Ada sends them: picked with the attach button, pasted, or dropped on the
// conversation; a chip with a progress bar while each uploads (× cancels) and a description to add; the thumbnail in the log, sized before
// it loads; a click opens the full view, which Escape closes. Needs the built client (`npm run build`).

const suite = browserSuite({ env: { ...chattyLimits, IMAGE_MAX_BYTES: '3000000' }, browsersLast: 'file' });
let page: Page;
let ben: Person;
let roomId: number;

/** A small landscape: sky, sun and hills, 1600 × 1000, as a phone's photo might be (larger than the full view). */
const landscape = () =>
  sharp(
    Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="1600" height="1000">
      <defs><linearGradient id="sky" x1="0" y1="0" x2="0" y2="1">
        <stop offset="0" stop-color="#5b8def"/><stop offset="1" stop-color="#f9d29d"/></linearGradient></defs>
      <rect width="1600" height="1000" fill="url(#sky)"/>
      <circle cx="1180" cy="330" r="120" fill="#ffe27a"/>
      <path d="M0 720 Q400 520 800 700 T1600 640 V1000 H0Z" fill="#3f8f5a"/>
      <path d="M0 860 Q500 700 1000 850 T1600 820 V1000 H0Z" fill="#2d6b43"/>
    </svg>`),
  )
    .jpeg({ quality: 90 })
    .toBuffer();

/** The landscape as a PNG `width` pixels wide, as a screenshot or a saved picture would be. */
const landscapePng = async (width: number) =>
  sharp(await landscape())
    .resize(width)
    .png()
    .toBuffer();

beforeAll(async () => {
  ben = await signUp(suite.server, { displayName: 'Ben Okafor' });
  roomId = await publicRoomId(ben.client);
  await say(ben.client, roomId, 'Back from the hike! Anyone have photos?');
  page = await suite.newPage();
});

const messageLog = () => page.getByRole('log');
const message = (text: string) => messageLog().getByRole('listitem').filter({ hasText: text });
const composer = () => page.getByRole('textbox', { name: /^Message / });
const tray = () => page.getByRole('list', { name: 'Images to send' });
const newest = async () => (await ben.client.chat.history.query({ roomId, limit: 1 })).items[0];

/** Hands files to the page as a paste into the composer or a drop on the conversation would. */
async function deliver(kind: 'paste' | 'drop', name: string, bytes: Buffer, type = 'image/png') {
  const target = kind === 'paste' ? '.composer-input' : '.conversation';
  await page.evaluate(
    ({ kind, target, name, base64, type }) => {
      const data = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([data], name, { type }));
      const element = document.querySelector(target);
      if (!element) throw new Error(`No ${target} on the page`);
      if (kind === 'paste') {
        element.dispatchEvent(
          new ClipboardEvent('paste', { clipboardData: transfer, bubbles: true, cancelable: true }),
        );
      } else {
        const init = { dataTransfer: transfer, bubbles: true, cancelable: true };
        element.dispatchEvent(new DragEvent('dragover', init));
        element.dispatchEvent(new DragEvent('drop', init));
      }
    },
    { kind, target, name, base64: bytes.toString('base64'), type },
  );
}

describe('images in the public room', () => {
  test('Ada picks a photo, sees its upload, and sends it with a caption; the log shows it at its size', async () => {
    const ada = browserUser('Ada Lovelace');
    await registerThroughForm(page, ada);
    await expectSignedInAs(page, ada);
    await message('Back from the hike!').waitFor();

    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      page.getByRole('button', { name: 'Attach images' }).click(),
    ]);
    await chooser.setFiles({ name: 'ridge.jpg', mimeType: 'image/jpeg', buffer: await landscape() });
    const chip = tray().getByRole('listitem').filter({ hasText: 'ridge.jpg' });
    await chip.waitFor();
    await chip.getByRole('progressbar').waitFor({ state: 'detached' });
    await composer().fill('The view from the ridge');
    await composer().press('Enter');

    const sent = message('The view from the ridge');
    const thumbnail = sent.getByRole('button', { name: 'Open Image from Ada Lovelace' }).locator('img');
    await thumbnail.waitFor();
    // The box is reserved by the thumbnail's own size before a pixel arrives.
    expect(await thumbnail.getAttribute('width')).toBe('400');
    expect(await thumbnail.getAttribute('height')).toBe('250');
    await expect.poll(() => thumbnail.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(400);
    await expect.poll(async () => (await newest())?.body).toBe('The view from the ridge');
    expect((await newest())?.attachments).toMatchObject([{ width: 1600, height: 1000 }]);
    expect(await tray().count()).toBe(0);
  });

  test('a click opens the full view with its description; Escape closes it', async () => {
    const opener = message('The view from the ridge').getByRole('button', { name: /^Open Image from/ });
    await opener.click();

    const viewer = page.getByRole('dialog', { name: 'Image from Ada Lovelace' });
    const full = viewer.getByRole('img', { name: 'Image from Ada Lovelace' });
    await full.waitFor();
    await expect.poll(() => full.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(1600);

    await page.keyboard.press('Escape');

    await viewer.waitFor({ state: 'hidden' });
    expect(await opener.evaluate((element) => element === document.activeElement)).toBe(true);
  });

  test('a pasted screenshot and a dropped image both go with the next message, even without words', async () => {
    await deliver('paste', 'screenshot.png', await landscapePng(320));
    await deliver('drop', 'map.png', await landscapePng(200));
    await tray().getByRole('listitem').nth(1).waitFor();
    await expect.poll(() => tray().getByRole('progressbar').count()).toBe(0);

    await composer().press('Enter');

    await expect.poll(async () => (await newest())?.attachments.length).toBe(2);
    expect((await newest())?.body).toBe('');
    const images = messageLog().getByRole('button', { name: /^Open Image from Ada/ });
    await expect.poll(() => images.count()).toBe(3);
  });

  test("a description written before sending names the image for everyone; a file over the server's limit never uploads", async () => {
    await deliver('drop', 'harbour.png', await landscapePng(300));
    const chip = tray().getByRole('listitem').filter({ hasText: 'harbour.png' });
    await chip.getByRole('button', { name: 'Describe harbour.png' }).click();
    const field = chip.getByRole('textbox', { name: /^Description of harbour\.png/ });
    await field.fill('Boats in the harbour at dusk');
    await field.press('Enter');
    await chip.getByRole('button', { name: 'Edit the description of harbour.png' }).waitFor();

    await composer().fill('Evening walk');
    await composer().press('Enter');

    await message('Evening walk')
      .getByRole('button', { name: 'Open Boats in the harbour at dusk' })
      .waitFor();
    await expect.poll(async () => (await newest())?.attachments[0]?.alt).toBe('Boats in the harbour at dusk');

    await deliver('drop', 'huge.png', Buffer.alloc(3_500_000));
    await page.getByRole('alert').filter({ hasText: 'huge.png is larger than 3 MB.' }).waitFor();
    expect(await tray().getByRole('listitem').count()).toBe(0);
  });

  test('a slow upload shows its progress and can be cancelled; a file that is no image is refused', async () => {
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 20,
      downloadThroughput: -1,
      uploadThroughput: 400_000,
    });
    await deliver('drop', 'big.png', await noisePng(800, 800));
    const chip = tray().getByRole('listitem').filter({ hasText: 'big.png' });
    const progress = chip.getByRole('progressbar', { name: 'Uploading big.png' });
    await expect.poll(async () => Number(await progress.getAttribute('value'))).toBeGreaterThan(0);
    await composer().fill('Wait for it');
    expect(await page.getByRole('button', { name: 'Send message' }).isDisabled()).toBe(true);
    await saveScreenshot(page, '31-images.png');

    await chip.getByRole('button', { name: 'Cancel big.png' }).click();

    await chip.waitFor({ state: 'detached' });
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });
    await composer().fill('');
    await deliver('drop', 'notes.png', Buffer.from('these are my notes, not a picture'));
    await tray()
      .getByRole('alert')
      .filter({ hasText: 'That file is not a PNG, JPEG, WebP or GIF image.' })
      .waitFor();
    // Its chip shows a plain picture sign, not the browser's broken image.
    const refused = tray().getByRole('listitem').filter({ hasText: 'notes.png' });
    await refused.locator('.image-chip-unshowable').waitFor();
    expect(await refused.locator('img').count()).toBe(0);
    await tray().getByRole('button', { name: 'Remove notes.png' }).click();
    await tray().waitFor({ state: 'detached' });
  });

  test('on a phone in the dark theme, the thumbnails and the tray fit the screen', async () => {
    const small = await suite.newPage({ ...phone, colorScheme: 'dark' });
    const eve = browserUser('Eve Phone');
    await registerThroughForm(small, eve);
    await small
      .getByRole('log')
      .getByRole('button', { name: /^Open Image from Ada/ })
      .first()
      .waitFor();
    const [chooser] = await Promise.all([
      small.waitForEvent('filechooser'),
      small.getByRole('button', { name: 'Attach images' }).click(),
    ]);
    await chooser.setFiles({
      name: 'a-rather-long-file-name-from-a-phone-camera.jpg',
      mimeType: 'image/jpeg',
      buffer: await landscape(),
    });
    await small.getByRole('list', { name: 'Images to send' }).getByRole('listitem').waitFor();

    const overflow = await small.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    for (const box of await small
      .locator('.message-image, .image-chip, .composer')
      .evaluateAll((elements) =>
        elements.map((element) => element.getBoundingClientRect().toJSON() as DOMRect),
      )) {
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(390);
    }
  });
});
