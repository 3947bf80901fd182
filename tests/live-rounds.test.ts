/**
 * Live rounds while a crowd joins a room (a restart's reconnects), over real sockets to a real server: while the
 * crowd lasts, the messages of a room whose last round reached more than a turn's readers wait a moment to go out
 * together, one write per reader, and a reader resuming in that moment still gets everything once, in order. Once
 * the crowd has passed, or in a room of few readers, each message is written when it comes. What each reader's
 * network brings, read by read, shows it: messages written together arrive in one read of its TCP connection,
 * messages written apart in reads of their own (see helpers/room-reads.ts).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { CrowdWatch } from '../src/server/realtime/crowd.ts';
import { chattyLimits, people, publicRoomId, sayEach } from './helpers/chat.ts';
import { openRoomReader, type RoomReader } from './helpers/room-reads.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';
import { eventually, pause } from './helpers/sockets.ts';

/** More than one turn's writes (500): a round that costs enough to be worth gathering. */
const crowdSize = 600;
/** A crowd that lasts as long as a test: 100 joins make one, and it goes on for a minute after the last. */
const lastingCrowd = { ROOM_STREAM_CROWD_JOINS: '100', ROOM_STREAM_CROWD_WINDOW_MS: '60000' };
/** How long a crowd that passes soon lasts after its last join. */
const passingCrowdMs = 500;

let server: TestServer | undefined;
/** Every reader opened, closed after each test, before its server. */
const readers: RoomReader[] = [];

afterEach(async () => {
  await Promise.all(readers.splice(0).map((reader) => reader.close()));
  await server?.close();
  server = undefined;
});

/** A server of its own whose room streams see a crowd as `crowd` says, and its public room, where Ann talks. */
async function publicRoomWith(crowd: Record<string, string>) {
  const env = { ...chattyLimits, WS_MAX_ANONYMOUS_PER_IP: String(crowdSize + 10), ...crowd };
  server = await startTestServer({ env });
  const { url } = server;
  const [ann] = await people(server, 'Ann');
  const id = await publicRoomId(ann.client);
  /** Ann says each in turn; the positions of her messages. */
  const talk = async (...bodies: string[]) => (await sayEach(ann.client, id, bodies)).map((m) => m.seq);
  return { url, id, talk };
}

type PublicRoom = Awaited<ReturnType<typeof publicRoomWith>>;

/** A reader whose socket is open, not yet following anything. */
async function openReader(room: PublicRoom): Promise<RoomReader> {
  const reader = await openRoomReader(room.url);
  readers.push(reader);
  return reader;
}

const allHave = (group: RoomReader[], position: number) =>
  eventually(
    () => (group.every((reader) => reader.positions().at(-1) === position) ? true : undefined),
    `every reader at ${position}`,
    15_000,
  );

/**
 * `count` readers join the room at once, as after a restart: their sockets open first, then all resume after
 * `from` in one go. Resolves once each has had what followed (the room's newest message, `from + 1`), which a
 * reader gets as it goes live.
 */
async function crowdJoins(room: PublicRoom, count: number, from: number): Promise<RoomReader[]> {
  const crowd = await Promise.all(Array.from({ length: count }, () => openReader(room)));
  for (const reader of crowd) reader.follow(room.id, from);
  await allHave(crowd, from + 1);
  return crowd;
}

/** The different ways a group's readers had their messages arrive, read by read: one, when all had them alike. */
const readPatterns = (group: RoomReader[]) =>
  [...new Set(group.map((reader) => JSON.stringify(reader.reads)))].map((reads) => JSON.parse(reads));

describe('live rounds while a crowd joins', () => {
  it('gather the messages sent meanwhile into one write per reader; one resuming then misses nothing', async () => {
    const room = await publicRoomWith(lastingCrowd);
    const [opened] = await room.talk('the room opens');
    const crowd = await crowdJoins(room, crowdSize, opened! - 1);
    // The first message after they joined goes at once (a room people have just come into, quiet until now); the
    // room talks on while the crowd still arrives, and its next messages wait to go out together. Meanwhile one
    // more reader resumes from the last message it saw.
    const late = await openReader(room);
    const [welcome, first] = await room.talk('welcome, everyone', 'first while they arrive');
    late.follow(room.id, welcome);
    const talked = [first!, ...(await room.talk('second', 'third'))];

    await allHave([...crowd, late], talked.at(-1)!);
    expect(readPatterns(crowd)).toEqual([[[opened], [welcome], talked]]);
    expect(late.positions()).toEqual(talked);
  });

  it('write each message as it comes once the crowd has passed', async () => {
    const room = await publicRoomWith({
      ROOM_STREAM_CROWD_JOINS: '100',
      ROOM_STREAM_CROWD_WINDOW_MS: String(passingCrowdMs),
    });
    const [opened] = await room.talk('the room opens');
    const crowd = await crowdJoins(room, crowdSize, opened! - 1);
    // Each of them joined before it had that message: the crowd ended at most its window after that.
    await pause(2 * passingCrowdMs);
    const talked = await room.talk('one', 'two', 'three');

    await allHave(crowd, talked.at(-1)!);
    expect(readPatterns(crowd)).toEqual([[[opened], ...talked.map((position) => [position])]]);
  });

  it('write a room of a few readers each message as it comes, even while they join', async () => {
    const room = await publicRoomWith(lastingCrowd);
    const [opened] = await room.talk('the room opens');
    // A crowd, but their rounds cost less than a turn: each message goes out as it comes, before the next is sent.
    const few = await crowdJoins(room, 100, opened! - 1);
    const talked = await room.talk('one', 'two', 'three');

    await allHave(few, talked.at(-1)!);
    expect(readPatterns(few)).toEqual([[[opened], ...talked.map((position) => [position])]]);
  });
});

describe('a crowd', () => {
  it('is so many arrivals within a window, and lasts a window after the last of them', () => {
    let now = 0;
    const watch = new CrowdWatch({ arrivals: 3, windowMs: 200 }, () => now);
    watch.arrived();
    watch.arrived();
    expect(watch.endsInMs).toBe(0);
    now = 300; // a new window: the count starts again
    watch.arrived();
    watch.arrived();
    expect(watch.endsInMs).toBe(0);
    now = 350;
    watch.arrived();
    expect(watch.endsInMs).toBe(200);
    now = 400;
    watch.arrived();
    expect(watch.endsInMs).toBe(200);
    now = 600;
    expect(watch.endsInMs).toBe(0);
  });
});
