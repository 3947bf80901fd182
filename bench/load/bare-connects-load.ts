/**
 * The connects a second of a bare `ws` server (bench/baseline/server.ts) on the same machine, as the connections
 * scenario's baseline: as many sockets from as many 127.0.0.x addresses, 250 at a time, each with a bearer token of
 * the same length in its upgrade, as Parley's clients open theirs. A socket counts once it is open; nothing is
 * subscribed (the relay has nothing to subscribe to). Asked `crowd`, it opens a crowd and reports its rate, then
 * holds it; asked `leave`, it closes the crowd it holds and answers once every socket has closed.
 */
import { leaveAll, timedCrowd } from '../lib/waves.ts';
import { FrameSocket } from './frame-socket.ts';

export interface BareConnectsRequest {
  wsUrl: string;
  sockets: number;
  addresses: number;
  tokenLength: number;
}

export type BareConnectsCommand = { type: 'crowd' } | { type: 'leave' };

let request: BareConnectsRequest;
let held: FrameSocket[] = [];

async function crowd(): Promise<{ connectsPerSecond: number }> {
  const authorization = `Bearer ${'x'.repeat(request.tokenLength)}`;
  const open = (index: number) =>
    FrameSocket.open(request.wsUrl, {
      headers: { authorization },
      localAddress: `127.0.0.${1 + (index % request.addresses)}`,
      onText: () => {},
    });
  const { opened, connectsPerSecond } = await timedCrowd(request.sockets, open);
  held = opened;
  return { connectsPerSecond };
}

async function leave(): Promise<{ left: number }> {
  await leaveAll(held);
  const left = held.length;
  held = [];
  return { left };
}

process.once('message', (first: BareConnectsRequest) => {
  request = first;
  process.send?.({ ready: true });
  process.on('message', (command: BareConnectsCommand) => {
    (command.type === 'crowd' ? crowd() : leave()).then(
      (answer) => process.send?.(answer),
      (error: Error) =>
        process.send?.({ error: error.stack ?? String(error) }, undefined, {}, () => process.exit(1)),
    );
  });
});
