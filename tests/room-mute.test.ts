/**
 * Muting a conversation: a person silences a room on one device and every device of theirs knows, live; the room
 * keeps counting what is unread; only members may mute, and the public room can be muted too.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chattyLimits,
  people,
  privateRoomOf,
  publicRoomId,
  say,
  type UserEvent,
  watchUserEvents,
} from './helpers/chat.ts';
import { runCli } from './helpers/cli.ts';
import { codeOf, rejection } from './helpers/errors.ts';
import { type Client, openTab } from './helpers/people.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ env: chattyLimits });
});

afterAll(async () => {
  await server?.close();
});

type MutedEvent = Extract<UserEvent, { type: 'room.muted' }>;
const mutedEventOf =
  (roomId: number) =>
  (event: UserEvent): event is MutedEvent =>
    event.type === 'room.muted' && event.roomId === roomId;

/** How the room looks in this person's sidebar. */
async function sidebarRoom(client: Client, roomId: number) {
  const room = (await client.chat.rooms.query()).find((candidate) => candidate.id === roomId);
  if (!room) throw new Error(`Room ${roomId} is not in the sidebar`);
  return room;
}

describe('muting a direct conversation', () => {
  it('follows the person to every tab and device, live, and leaves the other member as they were', async () => {
    const [ann, ben] = await people(server, 'Ann', 'Ben');
    const room = await privateRoomOf(ann, ben);
    expect(room.muted).toBe(false);
    const otherTab = await watchUserEvents(openTab(server, ann));

    expect(await ann.client.chat.setRoomMuted.mutate({ roomId: room.id, muted: true })).toEqual({
      roomId: room.id,
      muted: true,
    });

    expect(await otherTab.next(mutedEventOf(room.id))).toEqual({
      type: 'room.muted',
      roomId: room.id,
      muted: true,
    });
    // A device that signs in later reads it from the server.
    expect((await sidebarRoom(openTab(server, ann), room.id)).muted).toBe(true);
    expect((await ann.client.chat.openPrivate.mutate({ userId: ben.id })).muted).toBe(true);
    expect((await sidebarRoom(ben.client, room.id)).muted).toBe(false);

    const from = otherTab.mark();
    await ann.client.chat.setRoomMuted.mutate({ roomId: room.id, muted: false });
    expect((await otherTab.next(mutedEventOf(room.id), from)).muted).toBe(false);
    expect((await sidebarRoom(ann.client, room.id)).muted).toBe(false);
  });

  it('still counts what is unread, and still tells every tab about new messages', async () => {
    const [ann, ben] = await people(server, 'Ann', 'Ben');
    const room = await privateRoomOf(ann, ben);
    await ann.client.chat.setRoomMuted.mutate({ roomId: room.id, muted: true });
    const annTab = await watchUserEvents(ann.client);

    await say(ben.client, room.id, 'Lunch?');
    await say(ben.client, room.id, 'At noon');

    const changed = await annTab.next(
      (event) => event.type === 'room.changed' && event.roomId === room.id && event.unread === 2,
    );
    expect(changed).toMatchObject({ event: { message: { body: 'At noon' } } });
    expect(await sidebarRoom(ann.client, room.id)).toMatchObject({ muted: true, unread: 2 });
  });
});

describe('muting the public room', () => {
  it('anyone signed in may mute it and unmute it again', async () => {
    const [cat] = await people(server, 'Cat');
    const roomId = await publicRoomId(cat.client);

    await cat.client.chat.setRoomMuted.mutate({ roomId, muted: true });
    expect((await cat.client.chat.publicRoom.query()).muted).toBe(true);
    expect((await sidebarRoom(cat.client, roomId)).muted).toBe(true);

    await cat.client.chat.setRoomMuted.mutate({ roomId, muted: false });
    expect((await cat.client.chat.publicRoom.query()).muted).toBe(false);
  });

  it('a signed-out visitor reads it unmuted and may not mute it', async () => {
    const visitor = server.client();
    const roomId = await publicRoomId(visitor);

    expect((await visitor.chat.publicRoom.query()).muted).toBe(false);
    const error = await rejection(visitor.chat.setRoomMuted.mutate({ roomId, muted: true }));
    expect(error.data?.code).toBe('UNAUTHORIZED');
  });
});

describe('who may mute what', () => {
  it("someone else's conversation is FORBIDDEN and a room that does not exist is NOT_FOUND", async () => {
    const [ann, ben, eve] = await people(server, 'Ann', 'Ben', 'Eve');
    const room = await privateRoomOf(ann, ben);

    const forbidden = await rejection(eve.client.chat.setRoomMuted.mutate({ roomId: room.id, muted: true }));
    expect(forbidden.data?.code).toBe('FORBIDDEN');
    expect(forbidden.message).toBe('You are not a member of this room.');
    expect(await codeOf(eve.client.chat.setRoomMuted.mutate({ roomId: 999_999, muted: true }))).toBe(
      'NOT_FOUND',
    );
    // Eve's attempt changed nothing for the members.
    expect((await sidebarRoom(ann.client, room.id)).muted).toBe(false);
  });

  it('input that is not a room id and a yes or no is refused with field errors', async () => {
    const [ann] = await people(server, 'Ann');
    const roomId = await publicRoomId(ann.client);
    const wrongRoom = { roomId: -1, muted: true };
    const wrongFlag = { roomId, muted: 'yes' } as unknown as typeof wrongRoom;

    const badRoom = await rejection(ann.client.chat.setRoomMuted.mutate(wrongRoom));
    expect(badRoom.data?.code).toBe('BAD_REQUEST');
    expect(badRoom.data?.fieldErrors?.roomId?.length).toBeGreaterThan(0);
    const badFlag = await rejection(ann.client.chat.setRoomMuted.mutate(wrongFlag));
    expect(badFlag.data?.code).toBe('BAD_REQUEST');
    expect(badFlag.data?.fieldErrors?.muted).toEqual(['muted is true or false.']);
  });
});

describe('flipping a mute over and over', () => {
  let limited: TestServer;
  beforeAll(async () => {
    limited = await startTestServer({ env: { ...chattyLimits, RATE_MUTATIONS_PER_MINUTE: '3' } });
  });
  afterAll(() => limited?.close());

  it('uses the person’s budget of changes: past it, TOO_MANY_REQUESTS says how long to wait', async () => {
    const [ann] = await people(limited, 'Ann');
    const roomId = await publicRoomId(ann.client);
    for (const muted of [true, false, true]) await ann.client.chat.setRoomMuted.mutate({ roomId, muted });

    const refused = await rejection(ann.client.chat.setRoomMuted.mutate({ roomId, muted: false }));

    expect(refused.data?.code).toBe('TOO_MANY_REQUESTS');
    expect(refused.data?.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect((await ann.client.chat.publicRoom.query()).muted).toBe(true);
  });
});

describe('muting from the command line', () => {
  it('`parley mute-room @ben` mutes the conversation with Ben, and unmute-room lets it speak again', async () => {
    const [ann, ben] = await people(server, 'Ann', 'Ben');
    const room = await privateRoomOf(ann, ben);
    const { token } = await server.client().auth.createToken.mutate({
      login: ann.username,
      password: ann.account.password,
      name: 'terminal',
    });
    const configDir = await mkdtemp(path.join(tmpdir(), 'parley-mute-'));
    const parley = (...args: string[]) =>
      runCli(args, { configDir, url: server.url, env: { PARLEY_TOKEN: token } });
    try {
      const muted = await parley('mute-room', `@${ben.username}`);
      expect(muted, muted.stderr).toMatchObject({ code: 0, stdout: `Muted @${ben.username}.\n` });
      expect((await sidebarRoom(ann.client, room.id)).muted).toBe(true);

      const unmuted = await parley('unmute-room', `@${ben.username}`, '--json');
      expect(JSON.parse(unmuted.stdout)).toEqual({ roomId: room.id, muted: false });
      expect((await sidebarRoom(ann.client, room.id)).muted).toBe(false);
    } finally {
      await rm(configDir, { recursive: true, force: true });
    }
  });
});
