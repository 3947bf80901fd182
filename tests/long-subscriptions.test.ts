/**
 * A tab stays subscribed for hours (its notifications, a room's typing) and receives thousands of events: the
 * server must keep nothing per event it has written, and must let go of the bus the moment the tab goes away. Runs
 * the real in-process bus and the groups that write a person's news, to a real socket.
 */
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { InProcessBus } from '../src/server/realtime/bus.ts';
import { LiveGroups } from '../src/server/realtime/live-groups.ts';
import { LiveTarget } from '../src/server/realtime/live-target.ts';
import { ParleySocket } from '../src/server/realtime/socket.ts';
import { eventually } from './helpers/sockets.ts';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** Heap in use after a full collection, in bytes. */
function heapAfterCollecting(): number {
  collectGarbage();
  collectGarbage();
  return process.memoryUsage().heapUsed;
}

type Note = { type: 'note'; n: number };
const isNote = (message: unknown) => (message as Note | null)?.type === 'note';

/** Events enough that ~300 B kept per event (what a waiting stream once kept) shows as ~12 MB. */
const events = 40_000;
/** What a heap may drift by over the run for reasons of its own (compiled code, the test runner). */
const drift = 3_000_000;

let wss: WebSocketServer;
/** The server's side of the tab's socket, and what the tab has read from it. */
let serverSide: ParleySocket;
const read: number[] = [];

beforeAll(async () => {
  wss = new WebSocketServer({ port: 0, host: '127.0.0.1', WebSocket: ParleySocket });
  const connected = new Promise<ParleySocket>((resolve) => wss.once('connection', resolve));
  await new Promise((resolve) => wss.once('listening', resolve));
  const tab = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
  // Only the note's number is kept: the frame itself is what tRPC's client would read.
  tab.on('message', (data: Buffer) => read.push(Number(/"n":(-?\d+)/.exec(String(data))?.[1])));
  serverSide = await connected;
});

afterAll(() => {
  for (const client of wss.clients) client.terminate();
  wss.close();
});

it('a tab following a person’s news for hours: nothing kept per event, nothing left once it goes', async () => {
  const bus = new InProcessBus();
  const groups = new LiveGroups(bus, { gatherMs: null });
  const tab = new AbortController();
  const target = new LiveTarget(serverSide, { id: 2, jsonrpc: undefined }, { stop: () => tab.abort() });
  groups.join('user:1', target, tab.signal, isNote).goLive();
  expect(bus.listening()).toBe(1);

  const before = heapAfterCollecting();
  // As a quiet person's events come: each written, and read, before the next.
  for (let n = 0; n < events; n += 100) {
    for (let i = n; i < n + 100; i++) await bus.publish('user:1', { type: 'note', n: i });
    await eventually(() => (read.length >= n + 100 ? true : undefined), `note ${n + 99}`);
  }
  expect(heapAfterCollecting() - before).toBeLessThan(drift);
  expect(read).toEqual(Array.from({ length: events }, (_, n) => n));

  tab.abort();
  expect(bus.listening()).toBe(0);
  await bus.publish('user:1', { type: 'note', n: -1 });
  await new Promise((resolve) => setTimeout(resolve, 50));
  expect(read.at(-1)).toBe(events - 1);
});
