/**
 * Where a paced message's latency goes when the server is mostly idle: one sender on its socket and N followers of
 * the public room, one message every `gapMs`; per message the time from the send call to its answer, to the first
 * follower's copy and to the last's. `node --import tsx bench/latency-probe.ts [followers] [gapMs] [messages]`
 */
import { commandLine, numberArg } from './lib/command-line.ts';
import { followRoom } from './lib/follow-room.ts';
import { benchDatabase, publicRoomId, seedUsers, startParley } from './lib/parley.ts';
import { percentile, round } from './lib/stats.ts';
import { openSocket, SocketCaller } from './load/socket-call.ts';

const { positionals } = commandLine({});
const followers = numberArg(positionals[0], 100, 'followers');
const gapMs = numberArg(positionals[1], 20, 'gapMs');
const messages = numberArg(positionals[2], 300, 'messages');

function quantile(values: number[], p: number): number {
  return round(percentile(Float64Array.from(values).sort(), p), 2);
}

const db = await benchDatabase('parley_latency_probe');
const instance = await startParley({ databaseUrl: db.url });
try {
  const users = await seedUsers(db, followers + 1);
  const roomId = await publicRoomId(db);
  const url = `${instance.url.replace('http', 'ws')}/trpc`;
  const sentAt = new Map<string, number>();
  const firstAt = new Map<string, number>();
  const lastAt = new Map<string, number>();
  const counts = new Map<string, number>();
  for (const [index, user] of users.slice(1).entries()) {
    await followRoom(url, user.token, roomId, index, {}, (frame) => {
      const tag = /probe-(\d+)/.exec(frame.toString())?.[1];
      if (!tag) return;
      const now = performance.now();
      if (!firstAt.has(tag)) firstAt.set(tag, now);
      lastAt.set(tag, now);
      counts.set(tag, (counts.get(tag) ?? 0) + 1);
    });
  }
  const senderSocket = await openSocket(url, users[0]!.token);
  const caller = new SocketCaller(senderSocket);
  senderSocket.on('message', (frame: Buffer) => caller.settle(frame));
  const acks: number[] = [];
  for (let i = 0; i < messages; i++) {
    const tag = String(i);
    const at = performance.now();
    sentAt.set(tag, at);
    const ok = await caller.mutate('chat.send', {
      roomId,
      clientId: `latency-probe-${i}`,
      body: `probe-${i}`,
    });
    if (!ok) throw new Error(`send failed: ${[...caller.failures.keys()].join(', ')}`);
    acks.push(performance.now() - at);
    await new Promise((r) => setTimeout(r, gapMs));
  }
  await new Promise((r) => setTimeout(r, 200));
  const first = [...sentAt].slice(20).map(([tag, at]) => firstAt.get(tag)! - at);
  const last = [...sentAt].slice(20).map(([tag, at]) => lastAt.get(tag)! - at);
  const show = (name: string, values: number[]) =>
    `${name} p50 ${quantile(values, 50)} p90 ${quantile(values, 90)} p99 ${quantile(values, 99)}`;
  console.log(`${followers} followers, a message every ${gapMs} ms:`);
  console.log(`  ${show('answer', acks.slice(20))}`);
  console.log(`  ${show('first copy', first)}`);
  console.log(`  ${show('last copy', last)}`);
  console.log(`  every copy arrived once: ${[...counts.values()].every((c) => c === followers)}`);
} finally {
  await instance.stop();
  await db.drop();
}
