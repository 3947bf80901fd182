/**
 * What an HTTP send costs the server under ingest's load, measured after the JIT has settled: the ingest scenario's
 * 100 senders (one token and one private room each) call `chat.send` over HTTP for a warm-up, then for `rounds`
 * measured runs on the same server; each run reports messages a second and the server's CPU per message.
 * `node --import tsx bench/http-ingest-probe.ts [rounds] [seconds] [--cpu-prof]` (with `--cpu-prof`, the server
 * writes a V8 profile to bench/results/profiles when it stops; warm-up included: summarise it with `--skip`).
 */
import { commandLine, numberArg } from './lib/command-line.ts';
import { benchDatabase, seedPrivateRooms, seedUsers, startParley } from './lib/parley.ts';
import { processUsage, runLoad } from './lib/processes.ts';
import type { IngestAnswer, IngestRequest } from './load/ingest-load.ts';

const { values: options, positionals } = commandLine({ 'cpu-prof': { type: 'boolean' } });
const rounds = numberArg(positionals[0], 3, 'rounds');
const durationMs = numberArg(positionals[1], 10, 'seconds') * 1000;
const warmUpMs = 8_000;
const rooms = 100;
const profile = options['cpu-prof'] === true;

const db = await benchDatabase('parley_http_probe');
const server = await startParley({
  databaseUrl: db.url,
  nodeArgs: profile ? ['--cpu-prof', '--cpu-prof-dir=bench/results/profiles'] : [],
});
try {
  const people = await seedUsers(db, rooms * 2);
  const pairs = Array.from({ length: rooms }, (_, i) => [people[2 * i]!, people[2 * i + 1]!] as const);
  const roomIds = await seedPrivateRooms(
    db,
    pairs.map(([a, b]) => [a.id, b.id]),
  );
  const senders = pairs.map(([a], i) => ({ token: a.token, roomId: roomIds[i]! }));
  const drive = (ms: number) =>
    runLoad<IngestAnswer>('bench/load/ingest-load.ts', {
      kind: 'parley',
      transport: 'http',
      url: server.url,
      senders,
      durationMs: ms,
    } satisfies IngestRequest);
  await drive(warmUpMs);
  for (let round = 1; round <= rounds; round++) {
    const before = processUsage(server.proc.pid);
    const answer = await drive(durationMs);
    const used = processUsage(server.proc.pid, before);
    const per = (total: number) => total / Math.max(1, answer.acked);
    console.log(
      `round ${round}: ${answer.perSecond} msg/s, ${Math.round(per(used.user + used.system))} µs of server CPU ` +
        `per message (kernel ${Math.round(per(used.system))}, main thread ${Math.round(per(used.mainThread))}), ` +
        `${per(used.writes).toFixed(2)} write calls, ` +
        `p50 / p99 ${answer.p50} / ${answer.p99} ms, ${answer.errors} errors`,
    );
  }
} finally {
  await server.stop();
  await db.drop();
}
