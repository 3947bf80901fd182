/**
 * Where a paced message's latency goes when the server is mostly idle: one sender on its socket and N followers of
 * the public room, one message every `gapMs`; per message the time from the send call to its answer, to the first
 * follower's copy and to the last's. `node --import tsx bench/latency-probe.ts [followers] [gapMs] [messages]`
 */
import WebSocket from 'ws';
import { benchDatabase, publicRoomId, seedUsers, startParley } from './lib/parley.ts';
import { SocketCaller } from './load/socket-call.ts';

const followers = Number(process.argv[2] ?? 100);
const gapMs = Number(process.argv[3] ?? 20);
const messages = Number(process.argv[4] ?? 300);

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! * 100) / 100;
}

const db = await benchDatabase('parley_latency_probe');
const instance = await startParley({ databaseUrl: db.url });
try {
  const users = await seedUsers(db, followers + 1);
  const roomId = await publicRoomId(db);
  const url = `${instance.url.replace('http', 'ws')}/trpc`;
  const open = async (token: string) => {
    const socket = new WebSocket(url, {
      perMessageDeflate: false,
      headers: { authorization: `Bearer ${token}` },
    });
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    return socket;
  };
  const sentAt = new Map<string, number>();
  const firstAt = new Map<string, number>();
  const lastAt = new Map<string, number>();
  const counts = new Map<string, number>();
  let started = 0;
  for (const user of users.slice(1)) {
    const socket = await open(user.token);
    socket.on('message', (frame: Buffer) => {
      const text = frame.toString();
      if (text === 'PING') return socket.send('PONG');
      if (text.includes('"started"')) return started++;
      const tag = /probe-(\d+)/.exec(text)?.[1];
      if (!tag) return;
      const now = performance.now();
      if (!firstAt.has(tag)) firstAt.set(tag, now);
      lastAt.set(tag, now);
      counts.set(tag, (counts.get(tag) ?? 0) + 1);
    });
    const input = { roomId, lastEventId: '0' };
    socket.send(
      JSON.stringify({ id: 1, method: 'subscription', params: { path: 'chat.onRoomEvent', input } }),
    );
  }
  while (started < followers) await new Promise((r) => setTimeout(r, 20));
  const senderSocket = await open(users[0]!.token);
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
    `${name} p50 ${quantile(values, 0.5)} p90 ${quantile(values, 0.9)} p99 ${quantile(values, 0.99)}`;
  console.log(`${followers} followers, a message every ${gapMs} ms:`);
  console.log(`  ${show('answer', acks.slice(20))}`);
  console.log(`  ${show('first copy', first)}`);
  console.log(`  ${show('last copy', last)}`);
  console.log(`  every copy arrived once: ${[...counts.values()].every((c) => c === followers)}`);
} finally {
  await instance.stop();
  await db.drop();
}
