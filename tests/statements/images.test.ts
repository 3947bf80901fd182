/**
 * The images' raw statements, read column by column: the claim a send makes, who may see an image, the sweep of
 * uploads never sent, and the `attachments` column every message query selects.
 */
import { describe, expect, it } from 'vitest';
import { Attachment, Message, Room } from '../../src/server/db/entities/index.ts';
import { appendMessage, extrasOf, messagesBefore } from '../../src/server/db/statements/chat.ts';
import {
  claimAttachments,
  imageAccess,
  removeImagesOf,
  removeUnsent,
} from '../../src/server/db/statements/images.ts';
import { insertPerson, statementDatabase } from '../helpers/statement-db.ts';

const db = statementDatabase();

const em = () => db.em();

const person = async (name: string) => (await insertPerson(em(), name)).id;

let count = 0;

const publicRoomId = async () => (await em().findOneOrFail(Room, { kind: 'public' })).id;

/** An upload as chat.uploadImage stores it; ids are 24 characters. */
async function uploaded(roomId: number, uploaderId: number, width = 640) {
  const id = `img${String(++count).padStart(21, '0')}`;
  await em().insert(Attachment, {
    id,
    roomId,
    uploaderId,
    width,
    height: 480,
    thumbWidth: 400,
    thumbHeight: 300,
    bytes: 1234,
    alt: `photo ${count}`,
  });
  return id;
}

const say = async (roomId: number, senderId: number) => {
  const appended = await appendMessage(em(), { roomId, senderId, clientId: `c-${++count}`, body: 'look' });
  if (!appended) throw new Error('the send was refused');
  return appended.message.id;
};

describe('claimAttachments', () => {
  it("gives the uploader's unsent images in the room to the message, in the order asked, every column typed", async () => {
    const [roomId, ann] = [await publicRoomId(), await person('Ann')];
    const [first, second] = [await uploaded(roomId, ann, 800), await uploaded(roomId, ann, 900)];
    const messageId = await say(roomId, ann);

    const claimed = await claimAttachments(em(), {
      messageId,
      roomId,
      uploaderId: ann,
      ids: [second, first],
    });

    expect(claimed).toStrictEqual([
      { id: second, width: 900, height: 480, thumbWidth: 400, thumbHeight: 300, alt: expect.any(String) },
      { id: first, width: 800, height: 480, thumbWidth: 400, thumbHeight: 300, alt: expect.any(String) },
    ]);
    const [page] = await messagesBefore(em(), roomId, null, 1);
    expect(page?.attachments).toStrictEqual(claimed);
    expect((await extrasOf(em(), [messageId])).get(messageId)?.attachments).toStrictEqual(claimed);
  });

  it("leaves alone someone else's image, another room's and one already sent", async () => {
    const [roomId, ann, ben] = [await publicRoomId(), await person('Ann'), await person('Ben')];
    const bens = await uploaded(roomId, ben);
    const mine = await uploaded(roomId, ann);
    const first = await say(roomId, ann);
    await claimAttachments(em(), { messageId: first, roomId, uploaderId: ann, ids: [mine] });
    const second = await say(roomId, ann);

    const claimed = await claimAttachments(em(), {
      messageId: second,
      roomId,
      uploaderId: ann,
      ids: [bens, mine],
    });

    expect(claimed).toStrictEqual([]);
    expect((await em().findOneOrFail(Attachment, { id: bens })).messageId).toBeNull();
  });
});

describe('imageAccess', () => {
  it('tells the room, its members, the uploader, and whether the image was sent or its message deleted', async () => {
    const [roomId, ann] = [await publicRoomId(), await person('Ann')];
    const id = await uploaded(roomId, ann);
    expect(await imageAccess(em(), id)).toStrictEqual({
      roomKind: 'public',
      members: [],
      uploaderId: ann,
      sent: false,
      deleted: false,
    });
    const messageId = await say(roomId, ann);
    await claimAttachments(em(), { messageId, roomId, uploaderId: ann, ids: [id] });
    expect(await imageAccess(em(), id)).toMatchObject({ sent: true, deleted: false });
    await em().nativeUpdate(Message, { id: messageId }, { deletedAt: new Date() });
    expect(await imageAccess(em(), id)).toMatchObject({ sent: true, deleted: true });
    expect(await imageAccess(em(), 'x'.repeat(24))).toBeNull();
  });

  it("names a private room's two members", async () => {
    const [ann, ben] = [await person('Ann'), await person('Ben')];
    const roomId = await em().insert(Room, { kind: 'private', name: 'DM', userLow: ann, userHigh: ben });
    const id = await uploaded(roomId, ann);
    expect(await imageAccess(em(), id)).toMatchObject({ roomKind: 'private', members: [ann, ben] });
  });
});

describe('removeImagesOf', () => {
  it("deletes one message's images and answers with their ids; others' stay", async () => {
    const [roomId, ann] = [await publicRoomId(), await person('Ann')];
    const [first, second, other] = [
      await uploaded(roomId, ann),
      await uploaded(roomId, ann),
      await uploaded(roomId, ann),
    ];
    const messageId = await say(roomId, ann);
    await claimAttachments(em(), { messageId, roomId, uploaderId: ann, ids: [first, second] });

    expect((await removeImagesOf(em(), messageId)).sort()).toStrictEqual([first, second].sort());
    expect(await removeImagesOf(em(), messageId)).toStrictEqual([]);
    expect(await em().count(Attachment, { id: other })).toBe(1);
  });
});

describe('removeUnsent', () => {
  it('deletes uploads older than the cut-off and never sent, at most `limit`, answering with their ids', async () => {
    const [roomId, ann] = [await publicRoomId(), await person('Ann')];
    const [old, older, fresh, sent] = [
      await uploaded(roomId, ann),
      await uploaded(roomId, ann),
      await uploaded(roomId, ann),
      await uploaded(roomId, ann),
    ];
    await claimAttachments(em(), { messageId: await say(roomId, ann), roomId, uploaderId: ann, ids: [sent] });
    const dayAgo = new Date(Date.now() - 86_400_000);
    await em().nativeUpdate(Attachment, { id: old }, { createdAt: dayAgo });
    await em().nativeUpdate(
      Attachment,
      { id: { $in: [older, sent] } },
      { createdAt: new Date(+dayAgo - 1000) },
    );

    const cutOff = new Date(Date.now() - 3_600_000);
    expect(await removeUnsent(em(), cutOff, 1)).toStrictEqual([older]);
    expect(await removeUnsent(em(), cutOff, 10)).toStrictEqual([old]);
    expect(await removeUnsent(em(), cutOff, 10)).toStrictEqual([]);
    expect(await em().count(Attachment, { id: { $in: [fresh, sent] } })).toBe(2);
  });
});
