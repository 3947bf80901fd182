/**
 * The connects a second of a bare `ws` server (bench/baseline/server.ts) on the same machine, as the connections
 * scenario's baseline: as many sockets from as many 127.0.0.x addresses, 250 at a time, each with a bearer token of
 * the same length in its upgrade, as Parley's clients open theirs. A socket counts once it is open; nothing is
 * subscribed (the relay has nothing to subscribe to). It reports, then holds the sockets until it is stopped.
 */
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { inWaves } from '../lib/waves.ts';

export interface BareConnectsRequest {
  wsUrl: string;
  sockets: number;
  addresses: number;
  tokenLength: number;
}

async function run(request: BareConnectsRequest): Promise<{ connectsPerSecond: number }> {
  const authorization = `Bearer ${'x'.repeat(request.tokenLength)}`;
  const open = (index: number) =>
    new Promise<WebSocket>((resolve, reject) => {
      const socket = new WebSocket(request.wsUrl, {
        perMessageDeflate: false,
        headers: { authorization },
        localAddress: `127.0.0.${1 + (index % request.addresses)}`,
      });
      socket.once('open', () => resolve(socket)).once('error', reject);
    });
  const start = performance.now();
  const sockets = await inWaves(0, request.sockets, open);
  const seconds = (performance.now() - start) / 1000;
  return { connectsPerSecond: Math.round(sockets.length / seconds) };
}

process.once('message', (request: BareConnectsRequest) => {
  run(request).then(
    (answer) => process.send?.(answer),
    (error: Error) =>
      process.send?.({ error: error.stack ?? String(error) }, undefined, {}, () => process.exit(1)),
  );
});
