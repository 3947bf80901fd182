/**
 * Images in messages: upload first (checked by content, turned upright, EXIF left behind, a thumbnail and a full
 * view), then send with the upload's id. A private room's images reach its members only; abuse is refused clearly.
 */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { Attachment } from '../src/server/db/entities/index.ts';
import { sweepUnsent } from '../src/server/services/chat/images.ts';
import {
  chattyLimits,
  newClientId,
  openRoom,
  people,
  privateRoomOf,
  publicRoomId,
  received,
  say,
} from './helpers/chat.ts';
import { rejection } from './helpers/errors.ts';
import { base64, blue, near, noisePng, pixelAt, red, twoTone } from './helpers/images.ts';
import type { Client, Person } from './helpers/people.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({
    env: {
      ...chattyLimits,
      IMAGE_MAX_BYTES: '2000000',
      IMAGE_MAX_PIXELS: '4000000',
      IMAGE_UPLOADS_PER_HOUR: '8',
    },
  });
});

afterAll(async () => {
  await server?.close();
});

/** A photo as a phone takes it: stored sideways with an EXIF orientation, and the owner's name in its EXIF. */
const sidewaysPhoto = () =>
  twoTone(300, 200, red, blue)
    .jpeg()
    .withMetadata({ orientation: 6 })
    .withExifMerge({ IFD0: { Artist: 'Ann at 51.5N 0.1W' } })
    .toBuffer();

const smallPng = () => twoTone(64, 64, red, blue).png().toBuffer();

const upload = async (client: Client, roomId: number, image: Buffer | string, alt?: string) =>
  client.chat.uploadImage.mutate({ roomId, image: typeof image === 'string' ? image : base64(image), alt });

const sendImages = (client: Client, roomId: number, attachmentIds: string[], body = '') =>
  client.chat.send.mutate({ roomId, clientId: newClientId(), body, attachmentIds });

const refusal = async (call: Promise<unknown>) => {
  const error = await rejection(call);
  return { code: error.data?.code, message: error.message };
};

/** Fetches a served image as `who` (a person's browser cookie), or signed out. */
async function fetchImage(url: string, who?: Person) {
  const response = await fetch(new URL(url, server.url), {
    headers: who ? { cookie: who.account.cookie } : {},
  });
  return { response, bytes: Buffer.from(await response.arrayBuffer()) };
}

describe('sending an image', () => {
  it('turns a sideways photo upright, drops its EXIF, and shows it to the other member live and in history', async () => {
    const [ann, ben] = await people(server, 'Ann', 'Ben');
    const room = await privateRoomOf(ann, ben);
    const bensTab = await openRoom(ben.client, room.id);

    const uploaded = await upload(ann.client, room.id, await sidewaysPhoto(), 'A red and blue flag');
    const sent = await sendImages(ann.client, room.id, [uploaded.id]);

    expect(sent.body).toBe('');
    expect(sent.attachments).toStrictEqual([
      {
        id: uploaded.id,
        url: `/images/${uploaded.id}/full.webp`,
        thumbUrl: `/images/${uploaded.id}/thumb.webp`,
        width: 200,
        height: 300,
        thumbWidth: 200,
        thumbHeight: 300,
        alt: 'A red and blue flag',
      },
    ]);
    const [live] = await received(bensTab, 1);
    expect(live?.data.message.attachments).toStrictEqual(sent.attachments);
    const { items } = await ben.client.chat.history.query({ roomId: room.id, limit: 1 });
    expect(items[0]?.attachments).toStrictEqual(sent.attachments);

    const { response, bytes } = await fetchImage(uploaded.url, ben);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('image/webp');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('cache-control')).toMatch(/^private/);
    const meta = await sharp(bytes).metadata();
    expect(meta).toMatchObject({ format: 'webp', width: 200, height: 300 });
    expect(meta.exif).toBeUndefined();
    expect(bytes.includes('Ann at')).toBe(false);
    // Upright: what was the left (red) is now the top.
    expect(near(await pixelAt(bytes, 100, 20), red)).toBe(true);
    expect(near(await pixelAt(bytes, 100, 280), blue)).toBe(true);
  });

  it('keeps a large image within 2048 pixels and its thumbnail within 400, in the order attached', async () => {
    const [ann] = await people(server, 'Ann');
    const roomId = await publicRoomId(ann.client);
    const wide = await upload(ann.client, roomId, await twoTone(2400, 1200, red, blue).png().toBuffer());
    const small = await upload(ann.client, roomId, await smallPng());

    const sent = await sendImages(ann.client, roomId, [small.id, wide.id], 'Two flags');

    expect(sent.attachments.map((a) => [a.id, a.width, a.height, a.thumbWidth, a.thumbHeight])).toStrictEqual(
      [
        [small.id, 64, 64, 64, 64],
        [wide.id, 2048, 1024, 400, 200],
      ],
    );
    const thumb = await fetchImage(wide.thumbUrl);
    expect(await sharp(thumb.bytes).metadata()).toMatchObject({ width: 400, height: 200 });
  });
});

describe('sending again', () => {
  it('a retry with the same clientId answers with the first copy, images included, and stores nothing twice', async () => {
    const [ann] = await people(server, 'Ann');
    const roomId = await publicRoomId(ann.client);
    const { id } = await upload(ann.client, roomId, await smallPng());
    const input = { roomId, clientId: newClientId(), body: 'once', attachmentIds: [id] };

    const first = await ann.client.chat.send.mutate(input);
    const retry = await ann.client.chat.send.mutate(input);

    expect(retry).toStrictEqual(first);
    expect(retry.attachments.map((image) => image.id)).toStrictEqual([id]);
  });
});

describe('who sees an image', () => {
  it("serves a private room's image to its two members only: a stranger and a visitor get 404", async () => {
    const [ann, ben, eve] = await people(server, 'Ann', 'Ben', 'Eve');
    const room = await privateRoomOf(ann, ben);
    const { id, url, thumbUrl } = await upload(ann.client, room.id, await smallPng());
    await sendImages(ann.client, room.id, [id]);

    expect((await fetchImage(url, ann)).response.status).toBe(200);
    expect((await fetchImage(thumbUrl, ben)).response.status).toBe(200);
    expect((await fetchImage(url, eve)).response.status).toBe(404);
    expect((await fetchImage(thumbUrl)).response.status).toBe(404);
  });

  it("serves the public room's images to everyone, signed out too, as its history is", async () => {
    const [ann] = await people(server, 'Ann');
    const roomId = await publicRoomId(ann.client);
    const { id, url } = await upload(ann.client, roomId, await smallPng());
    await sendImages(ann.client, roomId, [id], 'For all');

    const { response } = await fetchImage(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toMatch(/^public/);
  });

  it('shows an upload not sent yet to its uploader only', async () => {
    const [ann, ben] = await people(server, 'Ann', 'Ben');
    const roomId = await publicRoomId(ann.client);
    const { url } = await upload(ann.client, roomId, await smallPng());

    expect((await fetchImage(url, ann)).response.status).toBe(200);
    expect((await fetchImage(url, ben)).response.status).toBe(404);
    expect((await fetchImage(url)).response.status).toBe(404);
  });

  it('stops serving the images of a deleted message, which no longer lists them, and removes their files', async () => {
    const [ann] = await people(server, 'Ann');
    const roomId = await publicRoomId(ann.client);
    const { id, url } = await upload(ann.client, roomId, await smallPng());
    const sent = await sendImages(ann.client, roomId, [id], 'Oops, wrong photo');

    const deleted = await ann.client.chat.delete.mutate({ messageId: sent.id });

    expect(deleted.attachments).toStrictEqual([]);
    expect((await fetchImage(url, ann)).response.status).toBe(404);
    // The files go too, once the deletion was answered.
    await server.deps.background.settled();
    expect(await server.deps.images.get(`${id}/full.webp`)).toBeNull();
    expect(await server.deps.images.get(`${id}/thumb.webp`)).toBeNull();
  });

  it('answers 404 for an id that never existed or a path that is not an image', async () => {
    expect((await fetchImage('/images/AAAAAAAAAAAAAAAAAAAAAAAA/full.webp')).response.status).toBe(404);
    expect((await fetchImage('/images/../avatars/full.webp')).response.status).toBe(404);
  });
});

describe('what is refused', () => {
  it('an image over the size limit, a file that is no image, an animation and a pixel bomb', async () => {
    const [ann] = await people(server, 'Ann');
    const roomId = await publicRoomId(ann.client);
    const frames = [await twoTone(32, 32, red, red).png().toBuffer(), await smallPng()];
    const twoFrames = await sharp(frames, { join: { animated: true } })
      .gif()
      .toBuffer();
    // 3,000 × 3,000 of one colour: a small PNG that would decode to 9 megapixels.
    const bomb = await sharp({ create: { width: 3000, height: 3000, channels: 3, background: red } })
      .png({ compressionLevel: 9 })
      .toBuffer();
    expect(bomb.length).toBeLessThan(200_000);

    // Just over the limit: the decoder's check. Far over it: the request itself is cut off before it is read.
    expect(await refusal(upload(ann.client, roomId, await noisePng(820, 820)))).toStrictEqual({
      code: 'BAD_REQUEST',
      message: 'The image must be at most 2 MB.',
    });
    expect(await refusal(upload(ann.client, roomId, await noisePng(1000, 1000)))).toStrictEqual({
      code: 'PAYLOAD_TOO_LARGE',
      message: 'This request is larger than the server accepts; for an image, send a smaller file.',
    });
    expect(await refusal(upload(ann.client, roomId, Buffer.from('%PDF-1.7 not a picture')))).toStrictEqual({
      code: 'BAD_REQUEST',
      message: 'That file is not a PNG, JPEG, WebP or GIF image.',
    });
    expect(await refusal(upload(ann.client, roomId, twoFrames))).toStrictEqual({
      code: 'BAD_REQUEST',
      message: 'Animated images are not supported: send a still image.',
    });
    expect(await refusal(upload(ann.client, roomId, bomb))).toStrictEqual({
      code: 'BAD_REQUEST',
      message: 'That image is 3000 × 3000 pixels; at most 4 megapixels are accepted.',
    });
  });

  it("someone else's upload, an upload to another room, and the same upload twice", async () => {
    const [ann, ben] = await people(server, 'Ann', 'Ben');
    const room = await privateRoomOf(ann, ben);
    const publicId = await publicRoomId(ann.client);
    const bens = await upload(ben.client, room.id, await smallPng());
    const forPublic = await upload(ann.client, publicId, await smallPng());
    const once = await upload(ann.client, room.id, await smallPng());
    await sendImages(ann.client, room.id, [once.id]);

    for (const ids of [[bens.id], [forPublic.id], [once.id]]) {
      const { code, message } = await refusal(sendImages(ann.client, room.id, ids, 'look'));
      expect(code).toBe('NOT_FOUND');
      expect(message).toMatch(/attach it again/);
    }
    // Nothing was stored by the refused sends, and Ben's image is still his to send.
    const { items } = await ann.client.chat.history.query({ roomId: room.id, limit: 5 });
    expect(items.map((m) => m.body)).toStrictEqual(['']);
    expect((await sendImages(ben.client, room.id, [bens.id])).attachments).toHaveLength(1);
  });

  it('an upload to a room the caller cannot write to, and an empty message with no image', async () => {
    const [ann, ben, eve] = await people(server, 'Ann', 'Ben', 'Eve');
    const room = await privateRoomOf(ann, ben);

    expect((await refusal(upload(eve.client, room.id, await smallPng()))).code).toBe('FORBIDDEN');
    const empty = await rejection(
      ann.client.chat.send.mutate({ roomId: room.id, clientId: newClientId(), body: ' ' }),
    );
    expect(empty.data?.code).toBe('BAD_REQUEST');
    expect(empty.message).toMatch(/Write something first/);
  });

  it('more uploads in an hour than IMAGE_UPLOADS_PER_HOUR, with the time to wait', async () => {
    const [ann] = await people(server, 'Ann');
    const roomId = await publicRoomId(ann.client);
    const png = await smallPng();
    for (let i = 0; i < 8; i++) await upload(ann.client, roomId, png);

    const error = await rejection(upload(ann.client, roomId, png));

    expect(error.data?.code).toBe('TOO_MANY_REQUESTS');
    expect(error.data?.retryAfterSeconds).toBeGreaterThan(0);
  });
});

describe('describing an image before it is sent', () => {
  it('a description given after the upload goes with the message; clearing it falls back to none', async () => {
    const [ann, ben] = await people(server, 'Ann', 'Ben');
    const room = await privateRoomOf(ann, ben);
    const first = await upload(ann.client, room.id, await smallPng());
    const second = await upload(ann.client, room.id, await smallPng(), 'A first try');

    const described = await ann.client.chat.describeImage.mutate({
      attachmentId: first.id,
      alt: '  Two squares, red and blue  ',
    });
    await ann.client.chat.describeImage.mutate({ attachmentId: second.id, alt: '' });
    await sendImages(ann.client, room.id, [first.id, second.id]);

    expect(described).toMatchObject({ id: first.id, alt: 'Two squares, red and blue', width: 64 });
    const { items } = await ben.client.chat.history.query({ roomId: room.id, limit: 1 });
    expect(items[0]?.attachments.map((image) => image.alt)).toStrictEqual(['Two squares, red and blue', '']);
  });

  it("refuses a sent image, someone else's upload and a description over 200 characters", async () => {
    const [ann, ben] = await people(server, 'Ann', 'Ben');
    const room = await privateRoomOf(ann, ben);
    const sent = await upload(ann.client, room.id, await smallPng(), 'Sent as it was');
    await sendImages(ann.client, room.id, [sent.id]);
    const bens = await upload(ben.client, room.id, await smallPng());

    for (const attachmentId of [sent.id, bens.id]) {
      const { code, message } = await refusal(
        ann.client.chat.describeImage.mutate({ attachmentId, alt: 'Mine' }),
      );
      expect(code).toBe('NOT_FOUND');
      expect(message).toMatch(/not one of your uploads waiting to be sent/);
    }
    const long = await refusal(
      ann.client.chat.describeImage.mutate({ attachmentId: bens.id, alt: 'x'.repeat(201) }),
    );
    expect(long).toStrictEqual({
      code: 'BAD_REQUEST',
      message: 'alt: The description must be at most 200 characters.',
    });
    const { items } = await ben.client.chat.history.query({ roomId: room.id, limit: 1 });
    expect(items[0]?.attachments[0]?.alt).toBe('Sent as it was');
  });
});

describe("the server's image limits", () => {
  it('are what IMAGE_MAX_BYTES configures, so the web client refuses a larger file before uploading it', async () => {
    const [ann] = await people(server, 'Ann');
    expect(await ann.client.chat.imageLimits.query()).toStrictEqual({
      maxBytes: 2_000_000,
      maxPerMessage: 4,
    });
  });
});

describe('uploads never sent', () => {
  it('are removed, files and all, once older than IMAGE_UNSENT_HOURS; sent ones stay', async () => {
    const [ann] = await people(server, 'Ann');
    const roomId = await publicRoomId(ann.client);
    const forgotten = await upload(ann.client, roomId, await smallPng());
    const sent = await upload(ann.client, roomId, await smallPng());
    await sendImages(ann.client, roomId, [sent.id], 'kept');
    const em = server.deps.orm.em.fork();
    const yesterday = new Date(Date.now() - 25 * 60 * 60 * 1000);
    await em.nativeUpdate(Attachment, { id: { $in: [forgotten.id, sent.id] } }, { createdAt: yesterday });

    await sweepUnsent(server.deps);

    expect(await em.count(Attachment, { id: forgotten.id })).toBe(0);
    expect(await server.deps.images.get(`${forgotten.id}/full.webp`)).toBeNull();
    expect((await fetchImage(sent.url)).response.status).toBe(200);
    const { code } = await refusal(sendImages(ann.client, roomId, [forgotten.id]));
    expect(code).toBe('NOT_FOUND');
  });
});

describe('what images cost a plain message', () => {
  /**
   * The SQL the server runs while `action` does, as MikroORM's query log hears it: every statement reports there,
   * the ORM's own, `em.execute`'s and the prepared ones alike, whether or not the log is switched on.
   */
  async function statementsDuring(action: () => Promise<unknown>): Promise<string[]> {
    const spy = vi.spyOn(server.deps.orm.config.getLogger(), 'logQuery');
    try {
      await action();
      return spy.mock.calls.map(([context]) => context.query ?? '');
    } finally {
      spy.mockRestore();
    }
  }

  it('runs no statement of its own for images when a message has none, in the send or in history', async () => {
    const [ann] = await people(server, 'Ann');
    const roomId = await publicRoomId(ann.client);
    await say(ann.client, roomId, 'warming up');

    const sending = await statementsDuring(() => say(ann.client, roomId, 'just words'));
    const reading = await statementsDuring(() => ann.client.chat.history.query({ roomId, limit: 20 }));

    // Images ride along in the send's one statement and the page's one statement, as a subquery.
    const aboutImages = (sql: string) => /attachments/.test(sql);
    expect(sending.filter(aboutImages)).toHaveLength(1);
    expect(sending.filter(aboutImages)[0]).toMatch(/insert into messages/);
    expect(reading.filter((sql) => /from messages m/.test(sql))).toHaveLength(1);
    expect(reading.filter(aboutImages)).toHaveLength(1);
  });
});
