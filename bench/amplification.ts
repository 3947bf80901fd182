/**
 * Issue 9's memory-amplification case, measured on its own (not part of `npm run bench`):
 * `node --import tsx bench/amplification.ts`. Against a fresh server each time, with the public room holding 100
 * messages: eight anonymous GETs batching 150 `chat.history` calls each, at once; then one socket frame of 500
 * `chat.history` calls. Prints the server's resident memory before and its peak (VmHWM) after, with the batch
 * limits as configured and with them lifted (how the server was before HTTP/WS_MAX_BATCH_SIZE).
 */
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { benchDatabase, seedUsers, startParley } from './lib/parley.ts';

const mib = (kb: number) => `${Math.round(kb / 1024)} MiB`;
const status = (pid: number, field: 'VmRSS' | 'VmHWM') =>
  Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`${field}:\\s+(\\d+)`))?.[1] ?? 0);

/** Limits that would otherwise stop the flood before the batch bound does: this measures the batch bound. */
const generous = { RATE_QUERIES_PER_MINUTE: '100000000', WS_CALLS_PER_MINUTE: '100000000' };
const lifted = { HTTP_MAX_BATCH_SIZE: '100000', WS_MAX_BATCH_SIZE: '100000' };

async function httpFlood(url: string, roomId: number): Promise<string> {
  const paths = Array(150).fill('chat.history').join(',');
  const input = JSON.stringify(
    Object.fromEntries(Array.from({ length: 150 }, (_, i) => [i, { roomId, limit: 100 }])),
  );
  const responses = await Promise.all(
    Array.from({ length: 8 }, () => fetch(`${url}/trpc/${paths}?batch=1&input=${encodeURIComponent(input)}`)),
  );
  const bodies = await Promise.all(responses.map((r) => r.arrayBuffer()));
  return `HTTP ${responses[0]?.status}, ${Math.round(bodies.reduce((n, b) => n + b.byteLength, 0) / 1024)} KiB of replies`;
}

async function socketFlood(url: string, roomId: number): Promise<string> {
  const socket = new WebSocket(`${url.replace(/^http/, 'ws')}/trpc`);
  await new Promise((resolve) => socket.once('open', resolve));
  const frame = JSON.stringify(
    Array.from({ length: 500 }, (_, i) => ({
      id: i + 1,
      method: 'query',
      params: { path: 'chat.history', input: { roomId, limit: 100 } },
    })),
  );
  let replies = 0;
  let bytes = 0;
  const done = new Promise<void>((resolve) => {
    socket.on('message', (data: Buffer) => {
      bytes += data.length;
      const parsed: unknown = JSON.parse(data.toString());
      replies += Array.isArray(parsed) ? parsed.length : 1;
      if (replies >= 500) resolve();
    });
    socket.once('close', () => resolve());
  });
  socket.send(frame);
  await done;
  socket.close();
  return `${Math.round(frame.length / 1024)} KiB frame, ${replies} replies, ${Math.round(bytes / 1024)} KiB`;
}

async function measure(name: string, env: Record<string, string>, flood: typeof httpFlood): Promise<void> {
  const db = await benchDatabase();
  // The server applies the migrations: seed after it started.
  const server = await startParley({ databaseUrl: db.url, env: { ...generous, ...env } });
  try {
    const roomId = await seedPublicRoom(db);
    await fetch(`${server.url}/trpc/chat.history?input=${encodeURIComponent(JSON.stringify({ roomId }))}`);
    const before = status(server.proc.pid, 'VmRSS');
    const outcome = await flood(server.url, roomId);
    console.log(
      `${name}: ${outcome}; RSS ${mib(before)} before, peak ${mib(status(server.proc.pid, 'VmHWM'))}`,
    );
  } finally {
    await server.stop();
    await db.drop();
  }
}

/** 100 messages of ~300 characters in the public room; its id. */
async function seedPublicRoom(db: Awaited<ReturnType<typeof benchDatabase>>): Promise<number> {
  const [sender] = await seedUsers(db, 1);
  const [room] = await db.query<{ id: number }>(`select id from rooms where kind = 'public'`);
  if (!sender || !room) throw new Error('no public room');
  await db.query(
    `with m as (
       insert into messages (room_id, seq, sender_id, client_id, body)
       select $1::int, s, $2::int, 'amp_' || s, repeat('a message of some length ', 12) || s
       from generate_series(1, 100) s returning id, seq)
     insert into room_events (room_id, position, type, message_id) select $1::int, seq, 'message.created', id from m`,
    [room.id, sender.id],
  );
  await db.query('update rooms set position = 100 where id = $1', [room.id]);
  return room.id;
}

await measure('8 GETs × 150 chat.history, no batch limit', lifted, httpFlood);
await measure('8 GETs × 150 chat.history, HTTP_MAX_BATCH_SIZE default', {}, httpFlood);
await measure('1 frame × 500 chat.history, no batch limit', lifted, socketFlood);
await measure('1 frame × 500 chat.history, WS_MAX_BATCH_SIZE default', {}, socketFlood);
