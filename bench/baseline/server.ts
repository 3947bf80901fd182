/**
 * The reference every fan-out figure is compared with: a bare `ws` server that relays each text frame a client
 * sends to every other connected client, unchanged. No auth, no storage, no protocol: the floor of what a
 * delivery costs on this machine. Prints `listening <port>` when ready.
 *
 * With `DATABASE_URL` it is the durable relay instead (docs/performance.md, entry 78): each frame is first stored
 * (one prepared INSERT … RETURNING on one connection, committed on its own) and acknowledged to its sender, and
 * relayed once stored: the floor of what a message that cannot be lost costs, still without auth or protocol.
 */
import pg from 'pg';
import { WebSocketServer } from 'ws';

const store = process.env.DATABASE_URL ? await openStore(process.env.DATABASE_URL) : null;

const wss = new WebSocketServer({
  host: '127.0.0.1',
  port: Number(process.env.PORT ?? 0),
  perMessageDeflate: false,
});
// Started with an IPC channel (bench/reader-lag-probe.ts), it times each relay's writes on the monotonic clock,
// which every process reads alike, and answers "spans" with them: when its last write left, beside when a reader
// read it.
const spans: bigint[] | null = process.send ? [] : null;
wss.on('connection', (socket) => {
  socket.on('message', async (data, isBinary) => {
    if (isBinary) return;
    const frame = data.toString();
    if (store) socket.send(await store(frame));
    spans?.push(process.hrtime.bigint());
    for (const client of wss.clients) if (client !== socket && client.readyState === 1) client.send(frame);
    spans?.push(process.hrtime.bigint());
  });
});
process.on('message', (message) => {
  if (message === 'spans' && spans) process.send?.(spans.splice(0).map(String));
});
wss.on('listening', () => {
  const address = wss.address();
  process.stdout.write(`listening ${typeof address === 'string' ? address : address?.port}\n`);
});
process.once('SIGTERM', () => wss.close(() => process.exit(0)));

/** Stores a frame and answers with the acknowledgement its sender is sent (its row's id and time). */
async function openStore(url: string): Promise<(frame: string) => Promise<string>> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`create table if not exists relayed (id bigserial primary key, body text not null,
    created_at timestamptz not null default now())`);
  const insert = 'insert into relayed (body) values ($1) returning id, created_at';
  return async (frame) => {
    const { rows } = await client.query<{ id: string; created_at: Date }>({
      name: 'relayed',
      text: insert,
      values: [frame],
    });
    return JSON.stringify({ id: 1, result: { type: 'data', data: rows[0] } });
  };
}
