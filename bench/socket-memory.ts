/**
 * Where an idle subscribed socket's memory goes: opens N token-authenticated sockets that each follow the public
 * room (as the connections scenario's clients do), then N more, and after each takes a heap snapshot of the server
 * (`--heapsnapshot-signal`, which collects garbage first). Prints the live heap's growth per socket, by kind and
 * constructor (self sizes and counts, snapshot 2 minus snapshot 1, over N); closures by where they were written.
 * `taskset -c 1 node --max-old-space-size=6000 --import tsx bench/socket-memory.ts [N] [--by-holder]
 * [--closure-properties] [--held=object:IncomingMessage] [--tabs] [--session]` (vague kinds by what holds them;
 * closures that carry properties of their own; the chain of what holds the last object of that name; each socket
 * also opens its notifications and follows a private room it shares with one other, as a web tab does; and its
 * session's news).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { commandLine, numberArg } from './lib/command-line.ts';
import { followRoom } from './lib/follow-room.ts';
import { HeapGraph } from './lib/heap-graph.ts';
import { benchDatabase, publicRoomId, seedRoomsInPairs, seedUsers, startParley } from './lib/parley.ts';
import { rssBytes } from './lib/processes.ts';
import { inWaves } from './lib/waves.ts';
import type { FrameSocket } from './load/frame-socket.ts';

const { values: options, positionals } = commandLine({
  'by-holder': { type: 'boolean' },
  'closure-properties': { type: 'boolean' },
  held: { type: 'string', multiple: true },
  tabs: { type: 'boolean' },
  session: { type: 'boolean' },
});
const snapshotDir = `/tmp/parley-socket-memory-${process.pid}`;

async function snapshot(pid: number): Promise<string> {
  const before = new Set(readdirSync(snapshotDir));
  process.kill(pid, 'SIGUSR2');
  for (;;) {
    await sleep(500);
    const made = readdirSync(snapshotDir).find((name) => !before.has(name));
    if (!made) continue;
    const path = join(snapshotDir, made);
    const size = statSync(path).size;
    await sleep(1_000);
    if (statSync(path).size === size && size > 0) return path;
  }
}

function smaps(pid: number): string {
  const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
  return ['Rss', 'Anonymous', 'Private_Dirty']
    .map((key) => `${key} ${rollup.match(new RegExp(`${key}:\\s+(\\d+)`))?.[1]} kB`)
    .join(', ');
}

/** The second snapshot's growth over the first, per socket, by kind (see `HeapGraph.byKind`) and as asked. */
function report(firstPath: string, secondPath: string, half: number): void {
  const byHolder = options['by-holder'] === true;
  const second = new HeapGraph(secondPath);
  const [before, after] = [new HeapGraph(firstPath).byKind({ byHolder }), second.byKind({ byHolder })];
  const grown = [...after].map(([key, { size, count }]) => {
    const was = before.get(key) ?? { size: 0, count: 0 };
    return { key, bytes: (size - was.size) / half, count: (count - was.count) / half };
  });
  const heapPerSocket = grown.reduce((sum, g) => sum + g.bytes, 0);
  // RSS is not compared here: a snapshot itself grows the process by hundreds of MiB.
  console.log(`live heap per socket: ${(heapPerSocket / 1024).toFixed(1)} KiB`);
  if (options['closure-properties']) {
    const counts = [...second.closuresWithProperties()].sort((a, b) => b[1] - a[1]);
    for (const [where, count] of counts.slice(0, 15))
      console.log(`${count} closures with properties: ${where}`);
  }
  for (const name of options.held ?? []) console.log(second.retainers(name).join('\n'));
  grown.sort((a, b) => b.bytes - a.bytes);
  for (const g of grown.filter((g) => Math.abs(g.count) >= 0.5 || g.bytes > 100))
    console.log(`${g.bytes.toFixed(0).padStart(7)} B ${g.count.toFixed(2).padStart(7)}  ${g.key}`);
}

async function probe(half: number) {
  // `--tabs`: each socket also opens its notifications and follows a private room it shares with one other.
  const tabs = options.tabs === true;
  mkdirSync(snapshotDir, { recursive: true });
  const db = await benchDatabase();
  const server = await startParley({
    databaseUrl: db.url,
    redisPrefix: `parley_mem_${randomBytes(4).toString('hex')}:`,
    env: { WS_MAX_CONNECTIONS_PER_USER: '5' },
    nodeArgs: ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${snapshotDir}`],
  });
  const sockets: FrameSocket[] = [];
  try {
    const people = await seedUsers(db, 2 * half + 20);
    const roomId = await publicRoomId(db);
    const privateRooms = tabs ? await seedRoomsInPairs(db, people) : [];
    const session = options.session === true;
    const tabOf = (at: number) => ({
      notifications: tabs,
      privateRoomId: privateRooms[at],
      session,
    });
    const wsUrl = `${server.url.replace('http', 'ws')}/trpc`;
    const open = async (from: number, to: number) => {
      const follow = (at: number) => followRoom(wsUrl, people[at]!.token, roomId, at, tabOf(at));
      sockets.push(...(await inWaves(from, to, follow)));
    };
    await open(0, 20);
    const pid = server.proc.pid;
    const marks: { heap: string }[] = [];
    for (const [from, to] of [
      [20, 20 + half],
      [20 + half, 20 + 2 * half],
    ] as const) {
      await open(from, to);
      await sleep(2_000);
      const rss = rssBytes(pid);
      console.log(`${to - 20} sockets: RSS ${(rss / 2 ** 20).toFixed(1)} MiB (${smaps(pid)})`);
      const heap = await snapshot(pid);
      console.log(
        `  after the snapshot's GC: RSS ${(rssBytes(pid) / 2 ** 20).toFixed(1)} MiB (${smaps(pid)})`,
      );
      marks.push({ heap });
    }
    report(marks[0]!.heap, marks[1]!.heap, half);
  } finally {
    for (const socket of sockets) socket.terminate();
    await server.stop();
    await db.drop();
    rmSync(snapshotDir, { recursive: true, force: true });
  }
}

await probe(numberArg(positionals[0], 2_000, 'N'));
