/**
 * The ingest load generator: `senders` closed loops, each sending its next message as soon as the last one was
 * acknowledged, for `durationMs`. Parley: `chat.send` over HTTP (as scripts send) or over each sender's socket (as
 * the web client sends), each sender with its own token and room. The
 * baseline: the same work as one SQL statement sent straight to PostgreSQL by `pg` (take the room's next
 * position, store the message), the database's own ceiling on this machine.
 */
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { summarise } from '../lib/stats.ts';
import { HttpCaller } from './http-call.ts';
import { openCaller } from './socket-call.ts';

export interface IngestRequest {
  kind: 'parley' | 'baseline';
  /** How Parley's senders call `chat.send`. */
  transport?: 'http' | 'socket';
  url: string;
  /** One per concurrent sender. */
  senders: { token: string; roomId: number }[];
  /** The baseline's connections to PostgreSQL, opened before the clock starts (default: one per sender). */
  connections?: number;
  durationMs: number;
}

export interface IngestAnswer {
  acked: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
  errors: number;
  /** This generator's own CPU per acknowledged message: on two cores it shares them with the server and PostgreSQL. */
  generatorCpuPerMessage: number;
  /** What the failed sends answered (`HTTP 503`, `TOO_MANY_REQUESTS`, …), and how many of each. */
  failures: Record<string, number>;
  /** clientIds acknowledged, so the orchestrator can check each is stored once. */
  clientIds: string[];
  error?: string;
}

/**
 * The baseline's connections, all open before the clock starts, as Parley's pool and sockets are: connecting in
 * the measured time, and a sender refused a connection (PostgreSQL's `max_connections`) trying again at once, had
 * the baseline spend its time starting backends (entry 85).
 */
async function openPool(request: IngestRequest): Promise<pg.Pool> {
  const max = request.connections ?? request.senders.length;
  const pool = new pg.Pool({ connectionString: request.url, max, idleTimeoutMillis: 0 });
  const clients = await Promise.all(Array.from({ length: max }, () => pool.connect()));
  for (const client of clients) client.release();
  return pool;
}

async function run(request: IngestRequest): Promise<IngestAnswer> {
  const latencies: number[] = [];
  const clientIds: string[] = [];
  let errors = 0;
  const failures = new Map<string, number>();
  const failed = (why: string) => failures.set(why, (failures.get(why) ?? 0) + 1);
  // Over HTTP: one keep-alive connection per sender.
  const httpCallers =
    request.kind === 'parley' && request.transport !== 'socket'
      ? request.senders.map(() => new HttpCaller(request.url))
      : null;
  const pool = request.kind === 'baseline' ? await openPool(request) : null;
  const tag = Date.now().toString(36);

  // Over the socket: one signed-in socket per sender, opened before the clock starts.
  const callers =
    request.kind === 'parley' && request.transport === 'socket'
      ? await Promise.all(
          request.senders.map(({ token }) => openCaller(`${request.url.replace('http', 'ws')}/trpc`, token)),
        )
      : null;
  const sendParley = async (sender: number, token: string, roomId: number, clientId: string) => {
    const input = { roomId, clientId, body: `ingest ${clientId}` };
    const caller = callers?.[sender]?.caller;
    if (caller) return caller.mutate('chat.send', input);
    const status = await httpCallers![sender]!.post('chat.send', token, input);
    if (status !== 200) failed(status === 0 ? 'no HTTP answer' : `HTTP ${status}`);
    return status === 200;
  };
  const sendBaseline = async (roomId: number, clientId: string) => {
    await pool!.query(
      `with room as (update bench_rooms set position = position + 1 where id = $1 returning position)
       insert into bench_messages (room_id, seq, client_id, body) select $1, position, $2, $3 from room`,
      [roomId, clientId, `ingest ${clientId}`],
    );
    return true;
  };

  const deadline = performance.now() + request.durationMs;
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  await Promise.all(
    request.senders.map(async ({ token, roomId }, s) => {
      for (let i = 0; performance.now() < deadline; i++) {
        const clientId = `ingest-${tag}-${s}-${i}`;
        const at = performance.now();
        const ok = await (pool
          ? sendBaseline(roomId, clientId).catch((error: Error) => {
              failed(`SQL: ${error.message}`);
              return false;
            })
          : sendParley(s, token, roomId, clientId));
        if (!ok) {
          errors++;
          continue;
        }
        latencies.push(performance.now() - at);
        clientIds.push(clientId);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  for (const { caller } of callers ?? [])
    for (const [why, count] of caller.failures) failures.set(why, (failures.get(why) ?? 0) + count);
  for (const caller of httpCallers ?? []) caller.close();
  for (const sender of callers ?? []) sender.socket.close();
  await pool?.end();
  return {
    acked: latencies.length,
    perSecond: Math.round(latencies.length / seconds),
    ...summarise(Float64Array.from(latencies)),
    errors,
    generatorCpuPerMessage: Math.round((cpu.user + cpu.system) / Math.max(1, latencies.length)),
    failures: Object.fromEntries(failures),
    clientIds,
  };
}

process.on('message', (request: IngestRequest) => {
  run(request).then(
    (answer) => process.send?.(answer, undefined, {}, () => process.exit(0)),
    (error: Error) =>
      process.send?.({ error: error.stack ?? String(error) }, undefined, {}, () => process.exit(1)),
  );
});
