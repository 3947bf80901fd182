/**
 * The live path: once a reader is caught up, each room event is written to its socket as one pre-built frame.
 * These tests hold that path to what the stock tRPC path guarantees: the same bytes, no seam between the backlog
 * and live events under load, and a reader too slow to keep up is cut off alone, then resumes.
 */
import type { Socket } from 'node:net';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { ParleySocket } from '../src/server/realtime/socket.ts';
import { maxMessageLength } from '../src/shared/chat.ts';
import { socketCloseCodes } from '../src/shared/socket.ts';
import {
  chattyLimits,
  followRoom,
  people,
  privateRoomOf,
  publicRoomId,
  type RoomEvent,
  received,
  say,
} from './helpers/chat.ts';
import { connectDatabase } from './helpers/db.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';
import { closed, eventually, pause, socketClient, socketUrl } from './helpers/sockets.ts';
import type { Recording } from './helpers/subscriptions.ts';

/** A socket that speaks tRPC's protocol by hand, so a test can see the frames as bytes. */
interface RawReader {
  socket: WebSocket;
  frames: string[];
  /** Frames carrying data, as the server wrote them. */
  dataFrames(): string[];
  follow(roomId: number, lastEventId: string | null, id?: number | string, jsonrpc?: boolean): void;
}

async function rawReader(server: TestServer): Promise<RawReader> {
  const socket = new WebSocket(socketUrl(server.url));
  await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
  const frames: string[] = [];
  socket.on('message', (data) => frames.push(String(data)));
  return {
    socket,
    frames,
    dataFrames: () => frames.filter((frame) => frame.includes('"type":"data"')),
    follow(roomId, lastEventId, id = 1, jsonrpc = false) {
      const input = lastEventId === null ? { roomId } : { roomId, lastEventId };
      const request = {
        id,
        ...(jsonrpc ? { jsonrpc: '2.0' } : {}),
        method: 'subscription',
        params: { path: 'chat.onRoomEvent', input },
      };
      socket.send(JSON.stringify(request));
    },
  };
}

const positionsOf = (recording: Recording<RoomEvent>) => recording.events.map((event) => Number(event.id));

/** Positions that follow each other one by one, from `first`. */
function expectDense(positions: number[], first: number, last: number) {
  expect(positions).toEqual(Array.from({ length: last - first + 1 }, (_, i) => first + i));
}

describe('the live path', () => {
  const env = { ...chattyLimits, WS_MAX_ANONYMOUS_PER_IP: '200' };
  let server: TestServer;
  /** Keeps no recent events in memory: every resume is read from the database and sent by tRPC itself. */
  let stockServer: TestServer;
  /** Keeps the last 8 events of all its rooms together: a resume is served partly from memory, partly read. */
  let tightServer: TestServer;
  /** Keeps its recent frames in 4 KB: each ~0.4 KB frame is soon written over by a newer one. */
  let ringServer: TestServer;
  beforeAll(async () => {
    [server, stockServer, tightServer, ringServer] = await Promise.all([
      startTestServer({ env }),
      startTestServer({ env: { ...env, ROOM_STREAM_RECENT_EVENTS: '0' } }),
      startTestServer({ env: { ...env, ROOM_STREAM_RECENT_TOTAL: '8' } }),
      startTestServer({ env: { ...env, ROOM_STREAM_RECENT_BYTES: '4000' } }),
    ]);
  });
  afterAll(() =>
    Promise.all([server?.close(), stockServer?.close(), tightServer?.close(), ringServer?.close()]),
  );

  it('writes each live event byte for byte as the frame a resume sends for it through tRPC', async () => {
    const server = stockServer;
    const [ann] = await people(server, 'Ann');
    const roomId = await publicRoomId(ann.client);
    const start = await say(ann.client, roomId, 'before anyone listens');
    const readers = await Promise.all([rawReader(server), rawReader(server)]);
    readers[0]!.follow(roomId, String(start.seq), 7);
    readers[1]!.follow(roomId, String(start.seq), 'sub-1', true);
    await eventually(
      () => (readers.every((r) => r.frames.some((f) => f.includes('started'))) ? true : undefined),
      'both started',
    );

    for (const body of ['one', 'two **bold**', 'three "quoted" \u00e9']) await say(ann.client, roomId, body);
    const live = await Promise.all(
      readers.map((r) =>
        eventually(() => (r.dataFrames().length >= 3 ? r.dataFrames() : undefined), 'live frames'),
      ),
    );

    // A second pair resumes from the same place: these frames come from the backlog, through tRPC's own encoder.
    const resumed = await Promise.all([rawReader(server), rawReader(server)]);
    resumed[0]!.follow(roomId, String(start.seq), 7);
    resumed[1]!.follow(roomId, String(start.seq), 'sub-1', true);
    const backlog = await Promise.all(
      resumed.map((r) =>
        eventually(() => (r.dataFrames().length >= 3 ? r.dataFrames() : undefined), 'backlog frames'),
      ),
    );

    expect(live[0]).toEqual(backlog[0]);
    expect(live[1]).toEqual(backlog[1]);
    expect(live[1]![0]).toMatch(
      /^\{"id":"sub-1","jsonrpc":"2.0","result":\{"type":"data","data":\{"id":"\d+","data":/,
    );
    for (const r of [...readers, ...resumed]) r.socket.close();
  });

  it('sends a reader resuming from memory the same frames, byte for byte, as a live reader got', async () => {
    const [bo] = await people(server, 'Bo');
    const roomId = await publicRoomId(bo.client);
    const start = await say(bo.client, roomId, 'before anyone listens');
    const live = await rawReader(server);
    live.follow(roomId, String(start.seq), 3);
    await eventually(() => (live.frames.some((f) => f.includes('started')) ? true : undefined), 'started');
    // Short and long frames: a frame's length is written in one, three or nine bytes depending on its size.
    const bodies = ['short', 'é'.repeat(maxMessageLength), `"${'x'.repeat(200)}"`];
    for (const body of bodies) await say(bo.client, roomId, body);
    const frames = await eventually(
      () => (live.dataFrames().length >= bodies.length ? live.dataFrames() : undefined),
      'live frames',
    );

    const resumed = await rawReader(server);
    resumed.follow(roomId, String(start.seq), 3);
    const backlog = await eventually(
      () => (resumed.dataFrames().length >= bodies.length ? resumed.dataFrames() : undefined),
      'resumed frames',
    );
    expect(backlog).toEqual(frames);
    for (const r of [live, resumed]) r.socket.close();
  });

  it.each([
    ['from memory', () => server],
    ['from the database', () => stockServer],
    ['from the little memory left and the database', () => tightServer],
    ['from frames soon written over, and the database', () => ringServer],
  ])(
    'readers who join, leave and resume (%s) while the room is busy get every event once, in order',
    async (_, which) => {
      const server = which();
      const writers = await people(server, 'Wen', 'Xia', 'Yui');
      const roomId = await publicRoomId(writers[0].client);
      const first = await say(writers[0].client, roomId, 'the busy part starts');
      const writing = Promise.all(
        writers.map(async (writer, w) => {
          for (let i = 0; i < 40; i++) await say(writer.client, roomId, `writer ${w} message ${i}`);
        }),
      );

      // Readers join at staggered moments while the writers write, each from a point in the past or live.
      const readers: { from: number | null; parts: Recording<RoomEvent>[] }[] = [];
      for (let i = 0; i < 12; i++) {
        await pause(20);
        const from = i % 3 === 2 ? null : first.seq + i * 3;
        readers.push({
          from,
          parts: [followRoom(server.client(), roomId, from === null ? undefined : String(from))],
        });
      }
      // Half of those who came from the past leave and resume on a new socket from the last event they saw.
      const leaving = readers.filter((reader, i) => i % 2 === 1 && reader.from !== null);
      for (const reader of leaving) {
        const part = reader.parts[0]!;
        part.stop();
        reader.parts.push(followRoom(server.client(), roomId, part.events.at(-1)?.id ?? String(reader.from)));
      }
      await writing;
      const end = await say(writers[0].client, roomId, 'the busy part ends');

      for (const reader of readers) {
        await reader.parts.at(-1)!.next((event) => Number(event.id) === end.seq, 0, 10_000);
        const positions = reader.parts.flatMap(positionsOf);
        expectDense(positions, reader.from === null ? positions[0]! : reader.from + 1, end.seq);
      }
      expect(leaving.length).toBeGreaterThan(2);
    },
  );

  it("writes a sender's own copy of their message and the answer to their send to the network as one", async () => {
    const [ann, ben] = await people(server, 'Ann', 'Ben');
    const room = await privateRoomOf(ann, ben);
    const tab = socketClient(server.url, { headers: { cookie: ann.account.cookie } });
    try {
      const feed = followRoom(tab.client, room.id, '0');
      const calls = vi.spyOn(ParleySocket.prototype, 'callStarted');
      await say(tab.client, room.id, 'first');
      await received(feed, 1);
      // The server's end of Ann's socket, as the first send found it; then what the next send writes to it.
      const network = (calls.mock.contexts[0] as ParleySocket).transport!;
      calls.mockRestore();
      const gathered = vi.spyOn(network, '_writev');
      const single = vi.spyOn(network, '_write');

      await say(tab.client, room.id, 'second');
      await received(feed, 1, 1);

      expect(single).not.toHaveBeenCalled();
      expect(gathered).toHaveBeenCalledTimes(1);
      // The copy's frame, then the answer's (each one buffer, header and payload together).
      expect(gathered.mock.calls[0]?.[0]).toHaveLength(2);
    } finally {
      await tab.close();
    }
  });
});

describe('one socket, one stream per room', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ env: chattyLimits });
  });
  afterAll(() => server?.close());

  it('refuses to follow a room twice on one socket, and follows it again once the first stream stopped', async () => {
    const [ann] = await people(server, 'Ann');
    const roomId = await publicRoomId(ann.client);
    const reader = await rawReader(server);
    reader.follow(roomId, null, 1);
    await eventually(
      () => (reader.frames.some((f) => f.includes('"started"')) ? true : undefined),
      'started',
    );
    reader.follow(roomId, null, 2);
    const refusal = await eventually(
      () => reader.frames.find((f) => f.startsWith('{"id":2') && f.includes('"error"')),
      'the second stream refused',
    );
    expect(JSON.parse(refusal).error.data.code).toBe('CONFLICT');

    // The first stream goes on, once per message.
    const sent = await say(ann.client, roomId, 'only once, please');
    await eventually(() => (reader.dataFrames().length >= 1 ? true : undefined), 'the message');
    await pause(200);
    expect(reader.dataFrames().filter((f) => f.includes(`"id":"${sent.seq}"`))).toHaveLength(1);

    reader.socket.send(JSON.stringify({ id: 1, method: 'subscription.stop' }));
    reader.follow(roomId, String(sent.seq - 1), 3);
    await eventually(
      () => (reader.frames.some((f) => f.startsWith('{"id":3,"result":{"type":"data"')) ? true : undefined),
      'the third stream resumes',
    );
    reader.socket.close();
  });
});

describe('a reader too slow to keep up', () => {
  let server: TestServer;
  let db: pg.Client;
  beforeAll(async () => {
    server = await startTestServer({ env: { ...chattyLimits, WS_MAX_BUFFERED_BYTES: '200000' } });
    db = await connectDatabase(server.databaseUrl);
  });
  afterAll(async () => {
    await db?.end();
    await server?.close();
  });

  it('is cut off alone with its own close code, and resumes from where it stopped', async () => {
    const [ann] = await people(server, 'Ann');
    const roomId = await publicRoomId(ann.client);
    // 10 MB of room history: more than the kernel's socket buffers hold, so the server's own buffer must grow.
    const seeded = 2_500;
    await db.query(
      `with room as (update rooms set position = position + $2 where id = $1 returning position - $2 as start),
       inserted as (
         insert into messages (room_id, seq, sender_id, client_id, body)
         select $1, room.start + i, $3, 'seed_' || i, repeat('x', 4000) from room, generate_series(1, $2) i
         returning id, seq)
       insert into room_events (room_id, position, type, message_id) select $1, seq, 'message.created', id from inserted`,
      [roomId, seeded, ann.id],
    );

    const cuts = vi.spyOn(ParleySocket.prototype, 'close');
    const slow = await rawReader(server);
    const tcp = (slow.socket as unknown as { _socket: Socket })._socket;
    tcp.pause();
    slow.follow(roomId, '0');
    const brisk = followRoom(server.client(), roomId);
    await pause(300);

    // While the slow reader reads nothing, everyone else's messages still arrive at once.
    const sent = await say(ann.client, roomId, 'still here for everyone else');
    expect((await received(brisk, 1, 0, 2_000))[0]?.id).toBe(String(sent.seq));

    // Only once the server has cut it does it read again: on a busy machine the server may not yet have written
    // past the bound, and a reader that reads before then is simply served.
    await eventually(
      () => (cuts.mock.calls.some(([code]) => code === socketCloseCodes.tooSlow) ? true : undefined),
      'the server to cut the slow reader',
      20_000,
    );
    const closedWith = closed(slow.socket);
    tcp.resume();
    expect(await closedWith).toBe(socketCloseCodes.tooSlow);
    cuts.mockRestore();
    const got = slow.dataFrames().map((frame) => Number(frame.match(/"id":"(\d+)"\}\}$/)?.[1]));
    expect(got.length).toBeGreaterThan(0);
    expect(got.length).toBeLessThan(seeded);

    // Its client reconnects and resumes from the last event it saw: the rest arrives, nothing twice.
    const last = got.at(-1)!;
    const resumed = followRoom(server.client(), roomId, String(last));
    await resumed.next((event) => Number(event.id) === sent.seq, 0, 20_000);
    expectDense([...got, ...positionsOf(resumed)], got[0]!, sent.seq);
    // 10 MB read twice, beside a CI run's other files: a busy machine takes longer than the default allows.
  }, 60_000);
});
