/**
 * Where an idle subscribed socket's memory goes: opens N token-authenticated sockets that each follow the public
 * room (as the connections scenario's clients do), then N more, and after each half takes a heap snapshot of the
 * server (`--heapsnapshot-signal`). Prints RSS and heap per socket, and the heap's growth per socket by kind and
 * constructor (self sizes and counts, snapshot 2 minus snapshot 1, over N).
 * `taskset -c 1 node --max-old-space-size=4096 --import tsx bench/socket-memory.ts [N]`
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import WebSocket from 'ws';
import { benchDatabase, publicRoomId, seedUsers, startParley } from './lib/parley.ts';
import { rssBytes } from './lib/processes.ts';

const snapshotDir = `/tmp/parley-socket-memory-${process.pid}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function followRoom(wsUrl: string, token: string, roomId: number, index: number): Promise<WebSocket> {
  const socket = new WebSocket(wsUrl, {
    perMessageDeflate: false,
    headers: { authorization: `Bearer ${token}` },
    localAddress: `127.0.0.${1 + (index % 8)}`,
  });
  return new Promise((resolve, reject) => {
    socket.once('open', () => {
      const input = { roomId, lastEventId: '0' };
      socket.send(
        JSON.stringify({ id: 1, method: 'subscription', params: { path: 'chat.onRoomEvent', input } }),
      );
    });
    socket.on('message', (data: Buffer) => {
      if (data.includes('"started"')) resolve(socket);
      else if (data.includes('"error"')) reject(new Error(String(data)));
    });
    socket.once('error', reject);
  });
}

/** Where a closure's function was written: its script's name and line, from the snapshot's edges. */
function closureLocations(snapshot: HeapSnapshot): Map<number, string> {
  const { nodes, edges, strings } = snapshot;
  const nodeFields = snapshot.snapshot.meta.node_fields.length;
  const edgeFields: string[] = snapshot.snapshot.meta.edge_fields;
  const edgeTypes = snapshot.snapshot.meta.edge_types[0]!;
  const [edgeTypeAt, edgeNameAt, toAt] = ['type', 'name_or_index', 'to_node'].map((f) =>
    edgeFields.indexOf(f),
  );
  const edgeCountAt = snapshot.snapshot.meta.node_fields.indexOf('edge_count');
  const firstEdge = new Uint32Array(nodes.length / nodeFields + 1);
  for (let node = 0, edge = 0; node < nodes.length / nodeFields; node++) {
    firstEdge[node] = edge;
    edge += nodes[node * nodeFields + edgeCountAt]! * edgeFields.length;
  }
  const edgeTo = (node: number, name: string): number | null => {
    const end = firstEdge[node]! + nodes[node * nodeFields + edgeCountAt]! * edgeFields.length;
    for (let at = firstEdge[node]!; at < end; at += edgeFields.length) {
      const type = edgeTypes[edges[at + edgeTypeAt!]!];
      if (type === 'element' || type === 'hidden') continue;
      if (strings[edges[at + edgeNameAt!]!] === name) return edges[at + toAt!]! / nodeFields;
    }
    return null;
  };
  const scriptName = new Map<number, string>();
  const located = new Map<number, string>();
  const fields = snapshot.snapshot.meta.location_fields;
  const [objectAt, scriptAt, lineAt] = ['object_index', 'script_id', 'line'].map((f) => fields.indexOf(f));
  for (let at = 0; at < snapshot.locations.length; at += fields.length) {
    const node = snapshot.locations[at + objectAt!]! / nodeFields;
    const scriptId = snapshot.locations[at + scriptAt!]!;
    if (!scriptName.has(scriptId)) {
      const shared = edgeTo(node, 'shared');
      const script = shared === null ? null : edgeTo(shared, 'script');
      const name = script === null ? null : edgeTo(script, 'name');
      const text = name === null ? '?' : (strings[nodes[name * nodeFields + 1]!] ?? '?');
      scriptName.set(scriptId, text.replace(/^.*node_modules\//, '').replace(/^.*\/src\//, 'src/'));
    }
    located.set(node, `${scriptName.get(scriptId)}:${snapshot.locations[at + lineAt!]! + 1}`);
  }
  return located;
}

interface HeapSnapshot {
  snapshot: {
    meta: {
      node_fields: string[];
      node_types: string[][];
      edge_fields: string[];
      edge_types: string[][];
      location_fields: string[];
    };
  };
  nodes: number[];
  edges: number[];
  strings: string[];
  locations: number[];
}

/** For one object named `name` (the last of them), the chain of what holds it, `depth` steps up. */
function retainers(path: string, name: string, depth = 10): string[] {
  const snapshot: HeapSnapshot = JSON.parse(readFileSync(path, 'utf8'));
  const { nodes, edges, strings } = snapshot;
  const meta = snapshot.snapshot.meta;
  const nodeFields = meta.node_fields.length;
  const edgeFields = meta.edge_fields.length;
  const [typeAt, nameAt, edgeCountAt] = ['type', 'name', 'edge_count'].map((f) =>
    meta.node_fields.indexOf(f),
  );
  const [edgeTypeAt, edgeNameAt, toAt] = ['type', 'name_or_index', 'to_node'].map((f) =>
    meta.edge_fields.indexOf(f),
  );
  const nodeName = (node: number) =>
    `${meta.node_types[0]![nodes[node * nodeFields + typeAt!]!]}:${(strings[nodes[node * nodeFields + nameAt!]!] ?? '').slice(0, 50)}`;
  const heldBy = new Map<number, [number, string][]>();
  for (let node = 0, edge = 0; node < nodes.length / nodeFields; node++) {
    const end = edge + nodes[node * nodeFields + edgeCountAt!]! * edgeFields;
    for (; edge < end; edge += edgeFields) {
      const type = meta.edge_types[0]![edges[edge + edgeTypeAt!]!]!;
      if (type === 'weak') continue;
      const to = edges[edge + toAt!]! / nodeFields;
      const label =
        type === 'element' || type === 'hidden'
          ? `[${edges[edge + edgeNameAt!]}]`
          : strings[edges[edge + edgeNameAt!]!];
      const list = heldBy.get(to) ?? [];
      list.push([node, `${type} ${label}`]);
      heldBy.set(to, list);
    }
  }
  let target = -1;
  const holderKinds = new Map<string, number>();
  const sizeAt = meta.node_fields.indexOf('self_size');
  for (let node = 0; node < nodes.length / nodeFields; node++) {
    if (nodeName(node) !== name) continue;
    target = node;
    const [from, edge] = heldBy.get(node)?.[0] ?? [-1, '?'];
    const holder = from < 0 ? '(none)' : nodeName(from);
    const grand = from < 0 ? '' : nodeName(heldBy.get(from)?.[0]?.[0] ?? 0);
    const key = `${holder} (${edge.replace(/\[\d+\]/, '[n]')}) <- ${grand}`;
    holderKinds.set(key, (holderKinds.get(key) ?? 0) + nodes[node * nodeFields + sizeAt]!);
  }
  for (const [key, size] of [...holderKinds].sort((a, b) => b[1] - a[1]).slice(0, 12))
    console.log(`  ${String(size).padStart(9)} B held by ${key}`);
  const chain: string[] = [];
  const seen = new Set<number>();
  for (let at = target, step = 0; at >= 0 && step < depth; step++) {
    seen.add(at);
    const holders = (heldBy.get(at) ?? []).filter(([from]) => !seen.has(from));
    chain.push(
      `${nodeName(at)} <- ${holders
        .slice(0, 4)
        .map(([from, edge]) => `${nodeName(from)} (${edge})`)
        .join('; ')}`,
    );
    at = holders[0]?.[0] ?? -1;
  }
  return chain;
}

const genericKinds = new Set([
  'array:(object properties)',
  'array:',
  'array:(object elements)',
  'object:Object',
  'object:system / Context',
  'closure:',
  'object:Promise',
  'hidden:system / PromiseReaction',
  'hidden:system / PropertyArray',
  'object:Array',
]);

/** Each node's first strong holder, as "kind:name (edge)" and the holder's own holder's name. */
function firstHolders(snapshot: HeapSnapshot): Map<number, string> {
  const { nodes, edges, strings } = snapshot;
  const meta = snapshot.snapshot.meta;
  const nodeFields = meta.node_fields.length;
  const edgeFields = meta.edge_fields.length;
  const [typeAt, nameAt, edgeCountAt] = ['type', 'name', 'edge_count'].map((f) =>
    meta.node_fields.indexOf(f),
  );
  const [edgeTypeAt, edgeNameAt, toAt] = ['type', 'name_or_index', 'to_node'].map((f) =>
    meta.edge_fields.indexOf(f),
  );
  const nodeName = (node: number) =>
    `${meta.node_types[0]![nodes[node * nodeFields + typeAt!]!]}:${(strings[nodes[node * nodeFields + nameAt!]!] ?? '').slice(0, 40)}`;
  const first = new Map<number, [number, string]>();
  for (let node = 0, edge = 0; node < nodes.length / nodeFields; node++) {
    const end = edge + nodes[node * nodeFields + edgeCountAt!]! * edgeFields;
    for (; edge < end; edge += edgeFields) {
      const type = meta.edge_types[0]![edges[edge + edgeTypeAt!]!]!;
      if (type === 'weak') continue;
      const to = edges[edge + toAt!]! / nodeFields;
      if (first.has(to)) continue;
      const label =
        type === 'element' || type === 'hidden' || type === 'internal'
          ? type
          : strings[edges[edge + edgeNameAt!]!];
      first.set(to, [node, label ?? '?']);
    }
  }
  const named = new Map<number, string>();
  for (const [node, [from, label]] of first) {
    const grand = first.get(from)?.[0];
    named.set(node, `${nodeName(from)} (${label})${grand === undefined ? '' : ` <- ${nodeName(grand)}`}`);
  }
  return named;
}

/** Closures that carry properties of their own: where they were written and the properties' names, counted. */
function closureProperties(path: string): void {
  const snapshot: HeapSnapshot = JSON.parse(readFileSync(path, 'utf8'));
  const { nodes, edges, strings } = snapshot;
  const meta = snapshot.snapshot.meta;
  const nodeFields = meta.node_fields.length;
  const edgeFields = meta.edge_fields.length;
  const [typeAt, nameAt, edgeCountAt] = ['type', 'name', 'edge_count'].map((f) =>
    meta.node_fields.indexOf(f),
  );
  const [edgeTypeAt, edgeNameAt, toAt] = ['type', 'name_or_index', 'to_node'].map((f) =>
    meta.edge_fields.indexOf(f),
  );
  const locations = closureLocations(snapshot);
  const counts = new Map<string, number>();
  for (let node = 0, edge = 0; node < nodes.length / nodeFields; node++) {
    const end = edge + nodes[node * nodeFields + edgeCountAt!]! * edgeFields;
    const isClosure = meta.node_types[0]![nodes[node * nodeFields + typeAt!]!] === 'closure';
    const names: string[] = [];
    let hasProperties = false;
    for (; edge < end; edge += edgeFields) {
      if (!isClosure) continue;
      const type = meta.edge_types[0]![edges[edge + edgeTypeAt!]!]!;
      const label = strings[edges[edge + edgeNameAt!]!] ?? '';
      if (type === 'property') names.push(label);
      const to = edges[edge + toAt!]! / nodeFields;
      if (
        type === 'internal' &&
        label === 'properties' &&
        strings[nodes[to * nodeFields + nameAt!]!] === '(object properties)'
      )
        hasProperties = true;
    }
    if (!hasProperties) continue;
    const key = `${strings[nodes[node * nodeFields + nameAt!]!]} @${locations.get(node)} {${names.join(',')}}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  for (const [key, count] of [...counts].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(count, key);
}

/** Self size and count per "kind:name" of a heap snapshot's nodes (closures also by where they were written). */
function byConstructor(path: string): Map<string, { size: number; count: number }> {
  const snapshot: HeapSnapshot = JSON.parse(readFileSync(path, 'utf8'));
  const fields: string[] = snapshot.snapshot.meta.node_fields;
  const types: string[] = snapshot.snapshot.meta.node_types[0]!;
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const { nodes, strings } = snapshot;
  const locations = closureLocations(snapshot);
  const holders = process.argv.includes('--by-holder') ? firstHolders(snapshot) : null;
  const totals = new Map<string, { size: number; count: number }>();
  for (let at = 0; at < nodes.length; at += fields.length) {
    const type = types[nodes[at + typeAt!]!]!;
    const rawName = strings[nodes[at + nameAt!]!] ?? '';
    // Strings and numbers are named by their value: group them by kind only.
    const name = ['string', 'number', 'concatenated string', 'sliced string'].includes(type)
      ? ''
      : rawName.slice(0, 60);
    const where = type === 'closure' ? ` @${locations.get(at / fields.length) ?? '?'}` : '';
    const holder =
      holders && genericKinds.has(`${type}:${name}`) ? ` <- ${holders.get(at / fields.length)}` : '';
    const key = `${type}:${name}${where}${holder}`;
    const entry = totals.get(key) ?? { size: 0, count: 0 };
    entry.size += nodes[at + sizeAt!]!;
    entry.count++;
    totals.set(key, entry);
  }
  return totals;
}

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

async function probe(half: number) {
  mkdirSync(snapshotDir, { recursive: true });
  const db = await benchDatabase();
  const server = await startParley({
    databaseUrl: db.url,
    redisPrefix: `parley_mem_${randomBytes(4).toString('hex')}:`,
    env: { WS_MAX_CONNECTIONS_PER_USER: '5' },
    nodeArgs: ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${snapshotDir}`],
  });
  const sockets: WebSocket[] = [];
  try {
    const people = await seedUsers(db, 2 * half + 20);
    const roomId = await publicRoomId(db);
    const wsUrl = `${server.url.replace('http', 'ws')}/trpc`;
    const open = async (from: number, to: number) => {
      for (let at = from; at < to; at += 250) {
        const batch = people.slice(at, Math.min(to, at + 250));
        sockets.push(...(await Promise.all(batch.map((p, i) => followRoom(wsUrl, p.token, roomId, at + i)))));
      }
    };
    await open(0, 20);
    const pid = server.proc.pid;
    const marks: { rss: number; heap: string }[] = [];
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
      marks.push({ rss, heap });
    }
    const [first, second] = [byConstructor(marks[0]!.heap), byConstructor(marks[1]!.heap)];
    const grown = [...second].map(([key, { size, count }]) => {
      const was = first.get(key) ?? { size: 0, count: 0 };
      return { key, bytes: (size - was.size) / half, count: (count - was.count) / half };
    });
    const heapPerSocket = grown.reduce((sum, g) => sum + g.bytes, 0);
    console.log(
      `per socket: RSS ${((marks[1]!.rss - marks[0]!.rss) / half / 1024).toFixed(1)} KiB, ` +
        `live heap ${(heapPerSocket / 1024).toFixed(1)} KiB`,
    );
    if (process.argv.includes('--closure-properties')) closureProperties(marks[1]!.heap);
    grown.sort((a, b) => b.bytes - a.bytes);
    for (const name of process.argv.filter((arg) => arg.startsWith('--held=')))
      console.log(retainers(marks[1]!.heap, name.slice('--held='.length)).join('\n'));
    for (const g of grown.filter((g) => Math.abs(g.count) >= 0.5 || g.bytes > 100))
      console.log(`${g.bytes.toFixed(0).padStart(7)} B ${g.count.toFixed(2).padStart(7)}  ${g.key}`);
  } finally {
    for (const socket of sockets) socket.terminate();
    await server.stop();
    await db.drop();
    rmSync(snapshotDir, { recursive: true, force: true });
  }
}

await probe(Number(process.argv.find((arg) => /^\d+$/.test(arg)) ?? 2_000));
