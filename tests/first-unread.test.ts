import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chattyLimits, people, privateRoomOf, sayEach } from './helpers/chat.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ env: chattyLimits });
});

afterAll(async () => {
  await server?.close();
});

describe('opening a room at the first unread message', () => {
  it('the room list says where the reader stopped, and the history around it starts the new messages', async () => {
    const [ann, ben] = await people(server, 'Ann', 'Ben');
    const room = await privateRoomOf(ann, ben);
    const read = await sayEach(ben.client, room.id, ['one', 'two', 'three']);
    await ann.client.chat.markRead.mutate({ roomId: room.id, seq: read.at(-1)!.seq });
    await sayEach(ben.client, room.id, ['four', 'five', 'six', 'seven']);

    const listed = (await ann.client.chat.rooms.query()).find((r) => r.id === room.id)!;
    expect(listed).toMatchObject({ unread: 4, readSeq: read.at(-1)!.seq });

    const page = await ann.client.chat.history.query({
      roomId: room.id,
      aroundSeq: listed.readSeq,
      limit: 4,
    });
    // Newest first: the two new messages right after the last one read, then the last two read.
    expect(page.items.map((m) => m.body)).toEqual(['five', 'four', 'three', 'two']);
    expect('newerCursor' in page && page.newerCursor).toBe(page.items[0]?.seq);
    expect(page.nextCursor).toBe(page.items.at(-1)?.seq);
  });
});
