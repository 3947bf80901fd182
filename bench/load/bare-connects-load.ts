/**
 * The connects a second of a bare `ws` server (bench/baseline/server.ts) on the same machine, as the connections
 * scenario's baseline: as many sockets from as many 127.0.0.x addresses, 250 at a time, each with a bearer token of
 * the same length in its upgrade, as Parley's clients open theirs. A socket counts once it is open; nothing is
 * subscribed (the relay has nothing to subscribe to). It reports, then holds the sockets until it is stopped.
 */
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

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
  const sockets: WebSocket[] = [];
  const start = performance.now();
  for (let from = 0; from < request.sockets; from += 250) {
    const count = Math.min(250, request.sockets - from);
    sockets.push(...(await Promise.all(Array.from({ length: count }, (_, i) => open(from + i)))));
  }
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
