/**
 * A TCP relay between clients and a server, to cut the network under them: `cut()` resets every connection
 * through it (HTTP requests in flight and WebSockets alike), as a dropped Wi-Fi or a load balancer restart would;
 * `cut('websocket')` only the WebSockets, so calls over HTTP go on while the sockets reconnect.
 * When the server is down, a new connection is accepted and then reset, as it would be by a proxy in front.
 */
import net from 'node:net';

export interface TcpProxy {
  port: number;
  url: string;
  /** Resets every open connection (or only the WebSocket ones); returns how many it reset. */
  cut(only?: 'websocket'): number;
  close(): Promise<void>;
}

interface Pair {
  client: net.Socket;
  upstream: net.Socket;
  /** Known from the first bytes the client sends: an HTTP upgrade to WebSocket, or not. */
  websocket: boolean;
}

function reset({ client, upstream }: Pair): void {
  for (const socket of [client, upstream]) if (!socket.destroyed) socket.resetAndDestroy();
}

export async function startTcpProxy(targetPort: number, host = '127.0.0.1'): Promise<TcpProxy> {
  const pairs = new Set<Pair>();
  const server = net.createServer((client) => {
    const pair: Pair = { client, upstream: net.connect(targetPort, host), websocket: false };
    pairs.add(pair);
    client.once('data', (chunk: Buffer) => {
      pair.websocket = /^upgrade:\s*websocket/im.test(chunk.toString('latin1'));
    });
    // A normal close travels through the pipes (FIN after the last byte); a failure on either side resets both.
    for (const socket of [pair.client, pair.upstream]) {
      socket.on('error', () => reset(pair));
      socket.on('close', () => {
        if (pair.client.destroyed && pair.upstream.destroyed) pairs.delete(pair);
      });
    }
    pair.client.pipe(pair.upstream);
    pair.upstream.pipe(pair.client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const cut = (only?: 'websocket') => {
    const chosen = [...pairs].filter((pair) => !only || pair.websocket);
    for (const pair of chosen) {
      pairs.delete(pair);
      reset(pair);
    }
    return chosen.length;
  };
  return {
    port,
    url: `http://${host}:${port}`,
    cut,
    async close() {
      cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
