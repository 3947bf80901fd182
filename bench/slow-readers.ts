/**
 * Issue 9's slow-reader case, measured on its own (not part of `npm run bench`):
 * `node --import tsx bench/slow-readers.ts`. Signed-in sockets follow the public room (its events, its
 * activity, their inbox and session: four subscriptions each) and then stop reading, while a sender posts 2,000
 * messages of ~2 KiB over its own socket. Prints the server's resident memory before, its peak (VmHWM), and after
 * the readers are gone: with no reader (what the sends cost alone), and with twenty, `WS_MAX_BUFFERED_BYTES` lifted
 * (how the server was before the bound) and as configured.
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type WebSocket from 'ws';
import { benchDatabase, seedUsers, startParley } from './lib/parley.ts';
import { openSocket, SocketCaller } from './load/socket-call.ts';

const messages = 10_000;
const mib = (kb: number) => `${Math.round(kb / 1024)} MiB`;
const status = (pid: number, field: 'VmRSS' | 'VmHWM') =>
  Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`${field}:\\s+(\\d+)`))?.[1] ?? 0);

/** A reader that subscribes as a tab does, then stops reading: its TCP window fills, the server's buffer grows. */
async function stalledReader(wsUrl: string, token: string, roomId: number): Promise<WebSocket> {
  const socket = await openSocket(wsUrl, token);
  const subscribe = (id: number, path: string, input?: unknown) =>
    socket.send(JSON.stringify({ id, method: 'subscription', params: { path, input } }));
  subscribe(1, 'chat.onRoomEvent', { roomId, lastEventId: '0' });
  subscribe(2, 'chat.onActivity', { roomId });
  subscribe(3, 'notifications.onEvent');
  subscribe(4, 'auth.onSession');
  await sleep(500);
  (socket as unknown as { _socket: { pause(): void } })._socket.pause();
  return socket;
}

async function measure(name: string, env: Record<string, string>, readers: number): Promise<void> {
  const db = await benchDatabase();
  const server = await startParley({ databaseUrl: db.url, env });
  try {
    const wsUrl = `${server.url.replace('http', 'ws')}/trpc`;
    const [sender, ...people] = await seedUsers(db, readers + 1);
    const [room] = await db.query<{ id: number }>(`select id from rooms where kind = 'public'`);
    const roomId = room!.id;
    const sockets = await Promise.all(people.map((person) => stalledReader(wsUrl, person.token, roomId)));
    const closedEarly = sockets.map(() => 0);
    sockets.forEach((socket, i) => {
      socket.once('close', (code) => {
        closedEarly[i] = code;
      });
    });
    const before = status(server.proc.pid, 'VmRSS');

    const senderSocket = await openSocket(wsUrl, sender!.token);
    const caller = new SocketCaller(senderSocket);
    senderSocket.on('message', (data: Buffer) => caller.settle(data));
    const body = 'x'.repeat(1_000);
    for (let n = 0; n < messages; n += 50) {
      await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          caller.mutate('chat.send', { roomId, clientId: `slow-${n + i}`, body: `${body} ${n + i}` }),
        ),
      );
    }
    await sleep(1_000);
    const peak = status(server.proc.pid, 'VmHWM');
    // Reading again, a reader the server cut finds its close frame behind what the kernel still held.
    for (const socket of sockets) (socket as unknown as { _socket: { resume(): void } })._socket.resume();
    await sleep(3_000);
    const cut = closedEarly.filter((code) => code !== 0);
    for (const socket of [...sockets, senderSocket]) socket.terminate();
    await sleep(3_000);
    const after = status(server.proc.pid, 'VmRSS');
    console.log(
      `${name}: RSS ${mib(before)} before, peak ${mib(peak)}, ${mib(after)} after the readers left; ` +
        `${cut.length} of ${readers} stalled readers cut (codes ${[...new Set(cut)].join(', ') || 'none'})`,
    );
  } finally {
    await server.stop();
    await db.drop();
  }
}

await measure('no stalled reader (the sends alone)', {}, 0);
await measure('20 stalled readers, no bound on unsent bytes', { WS_MAX_BUFFERED_BYTES: String(2 ** 40) }, 20);
await measure('20 stalled readers, WS_MAX_BUFFERED_BYTES default (4 MB)', {}, 20);
