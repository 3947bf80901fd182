import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { reuseFragmentLists } from '../src/server/realtime/ws-receiver.ts';
import { eventually } from './helpers/sockets.ts';

/** The part of a server-side socket's `ws` Receiver that `reuseFragmentLists` changes. */
type WithReceiver = { _receiver: { _fragments: Buffer[] } };

let wss: WebSocketServer;
let client: WebSocket;
let serverSide: WebSocket;
const received: { data: string; isBinary: boolean }[] = [];

beforeAll(async () => {
  reuseFragmentLists();
  wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => wss.once('listening', resolve));
  const connected = new Promise<WebSocket>((resolve) => wss.once('connection', resolve));
  client = new WebSocket(`ws://127.0.0.1:${(wss.address() as AddressInfo).port}`);
  [serverSide] = await Promise.all([connected, new Promise((resolve) => client.once('open', resolve))]);
  serverSide.on('message', (data: Buffer, isBinary) => received.push({ data: data.toString(), isBinary }));
});

afterAll(async () => {
  client.terminate();
  await new Promise((resolve) => wss.close(resolve));
});

/** Sends frames and resolves with the next `count` messages the server reads. */
function sent(count: number, send: () => void): Promise<typeof received> {
  const from = received.length;
  send();
  const read = () => (received.length >= from + count ? received.slice(from) : undefined);
  return eventually(read, `${count} messages read by the server`);
}

it('reads whole, fragmented and binary messages as they were sent', async () => {
  const messages = await sent(4, () => {
    client.send('{"id":1,"method":"query"}');
    client.send('part one, ', { fin: false });
    client.send('part two', { fin: true });
    client.send(Buffer.from('bytes'), { binary: true });
    client.send('après: ünïcödé ✓');
  });
  expect(messages).toEqual([
    { data: '{"id":1,"method":"query"}', isBinary: false },
    { data: 'part one, part two', isBinary: false },
    { data: 'bytes', isBinary: true },
    { data: 'après: ünïcödé ✓', isBinary: false },
  ]);
});

it('keeps one list of fragments per socket, empty between text messages (so V8 does not promote them)', async () => {
  const receiver = (serverSide as unknown as WithReceiver)._receiver;
  const list = receiver._fragments;
  await sent(3, () => {
    client.send('first');
    client.send('second, in two ', { fin: false });
    client.send('fragments', { fin: true });
    client.send('third');
  });
  expect(receiver._fragments).toBe(list);
  expect(list).toEqual([]);
});
