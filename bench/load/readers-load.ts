/**
 * The readers load generator: signed-in readers of the public room that behave like the web client's tabs. Each
 * holds the subscriptions a tab holds (the room, its activity, the inbox, the session), marks the room read by
 * the client's own read policy (src/shared/read-policy.ts) as messages arrive, and now and then types. A sender
 * posts `rate` messages a second; every delivery is timed from the send call. Like the web client, every call
 * goes over the caller's socket.
 */
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { ReadMarker } from '../../src/shared/read-policy.ts';
import { cpuMicros } from '../lib/processes.ts';
import { round, summarise } from '../lib/stats.ts';
import { openCaller, openSocket, SocketCaller } from './socket-call.ts';

export interface ReadersRequest {
  wsUrl: string;
  roomId: number;
  readers: string[];
  senderToken: string;
  rate: number;
  durationMs: number;
  /** Typing signals a second, across all readers. */
  typingPerSecond: number;
  serverPid: number;
}

/** How the generator itself kept up: if its own loop lags, the latencies it reads are partly its own. */
export interface GeneratorLoop {
  cpuPercent: number;
  delayP99: number;
  delayMax: number;
}

export interface ReadersAnswer {
  sent: number;
  delivered: number;
  expected: number;
  p50: number;
  p99: number;
  max: number;
  markReadCalls: number;
  typingCalls: number;
  failedCalls: number;
  serverCpuPercent: number;
  gaps: number;
  duplicates: number;
  /** Per message, the first and the last reader's latency (p50 over messages): the send, and the broadcast. */
  firstP50: number;
  lastP50: number;
  lastP99: number;
  generator: GeneratorLoop;
  error?: string;
}

/** BENCH_READ_INTERVAL_MS=0 marks read on every message at once, as the web client did before the shared policy. */
const readIntervalMs = process.env.BENCH_READ_INTERVAL_MS
  ? Number(process.env.BENCH_READ_INTERVAL_MS)
  : undefined;
const trackedIdMarker = Buffer.from('"id":"');
const tilde = 126;

function readNumber(frame: Buffer, from: number, end: number): number {
  let value = 0;
  for (let i = from; i < frame.length && frame[i] !== end; i++) value = value * 10 + (frame[i]! - 48);
  return value;
}

async function run(request: ReadersRequest): Promise<ReadersAnswer> {
  const sentAt = new Float64Array(100_000);
  const firstAt = new Float64Array(100_000);
  const lastAt = new Float64Array(100_000);
  const latencies: number[] = [];
  let markReadCalls = 0;
  let typingCalls = 0;
  let failedCalls = 0;
  let started = 0;
  let gaps = 0;
  let duplicates = 0;
  const socketCalls = new Map<string, (path: string, input: unknown) => void>();
  const senderSocket = await openSocket(request.wsUrl, request.senderToken);
  const sender = new SocketCaller(senderSocket);
  senderSocket.on('message', (data: Buffer) => sender.handled(data));
  const send = async (input: unknown) => {
    if (!(await sender.mutate('chat.send', input))) failedCalls++;
  };

  const follow = async (token: string) => {
    let last = -1;
    // Set once the socket is open; the read policy calls only as frames arrive, after that.
    let caller: SocketCaller | null = null;
    // Like the web client, a reader marks read and types over its socket.
    const callOverSocket = (path: string, input: unknown) =>
      void caller?.mutate(path, input).then((ok) => {
        if (!ok) failedCalls++;
      });
    socketCalls.set(token, callOverSocket);
    const reads = new ReadMarker(
      (roomId, seq) => {
        markReadCalls++;
        callOverSocket('chat.markRead', { roomId, seq });
      },
      readIntervalMs,
      readIntervalMs,
    );
    const onFrame = (data: Buffer) => {
      const at = data.indexOf(tilde);
      if (at < 0) {
        if (data.includes('"started"')) started++;
        else if (data.includes('"error"')) failedCalls++;
        return;
      }
      const now = performance.now();
      const seq = readNumber(data, at + 1, tilde);
      const position = readNumber(data, data.lastIndexOf(trackedIdMarker) + trackedIdMarker.length, 34);
      if (last >= 0 && position <= last) duplicates++;
      else if (last >= 0 && position > last + 1) gaps += position - last - 1;
      last = Math.max(last, position);
      latencies.push(now - sentAt[seq]!);
      if (!firstAt[seq]) firstAt[seq] = now;
      lastAt[seq] = now;
      reads.seen(request.roomId, position);
    };
    const opened = await openCaller(request.wsUrl, token, { onFrame, onClose: () => reads.dispose() });
    const socket = opened.socket;
    caller = opened.caller;
    const subscribe = (id: number, path: string, input?: unknown) =>
      socket.send(JSON.stringify({ id, method: 'subscription', params: { path, input } }));
    subscribe(1, 'chat.onRoomEvent', {
      roomId: request.roomId,
      lastEventId: '0' /* rooms start empty; see connections-load.ts */,
    });
    subscribe(2, 'chat.onActivity', { roomId: request.roomId });
    subscribe(3, 'notifications.onEvent');
    subscribe(4, 'auth.onSession');
    return socket;
  };
  const sockets = await Promise.all(request.readers.map(follow));
  const deadline = Date.now() + 60_000;
  while (started < request.readers.length * 4 && Date.now() < deadline) await sleep(20);
  if (started < request.readers.length * 4) throw new Error(`only ${started} subscriptions started`);
  // Everyone has the room open already: one message before the measured part, so each reader's first read
  // (which goes at once, as when a person opens a room) is behind them, as it is for people in a busy room.
  await send({
    roomId: request.roomId,
    clientId: `readers-warm-up-${Date.now()}`,
    body: 'bench ~0~ warm-up',
  });
  await sleep(3_000);
  latencies.length = 0;
  // The orchestrator reads the database's counters now, so connecting is not counted against the messages.
  await new Promise<void>((resolve) => {
    process.once('message', () => resolve());
    process.send?.({ progress: 'connected' });
  });

  // The server's loop watch (bench/lib/loop-watch.ts), when it has one, measures the same window.
  const watchServer = () => {
    try {
      process.kill(request.serverPid, 'SIGUSR2');
    } catch {}
  };
  watchServer();
  const ownDelay = monitorEventLoopDelay({ resolution: 1 });
  ownDelay.enable();
  const ownCpuBefore = cpuMicros(process.pid);
  const cpuBefore = cpuMicros(request.serverPid);
  const start = performance.now();
  const total = Math.round((request.rate * request.durationMs) / 1000);
  const typingTotal = Math.round((request.typingPerSecond * request.durationMs) / 1000);
  let sent = 0;
  let typed = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const elapsed = performance.now() - start;
      const due = Math.min(total, Math.floor((elapsed * request.rate) / 1000) + 1);
      while (sent < due) {
        const seq = ++sent;
        sentAt[seq] = performance.now();
        void send({
          roomId: request.roomId,
          clientId: `readers-${start.toFixed(0)}-${seq}`,
          body: `bench ~${seq}~ ${'x'.repeat(60)}`,
        });
      }
      const typingDue = Math.min(typingTotal, Math.floor((elapsed * request.typingPerSecond) / 1000));
      while (typed < typingDue) {
        typed++;
        typingCalls++;
        const token = request.readers[Math.floor(Math.random() * request.readers.length)]!;
        socketCalls.get(token)?.('chat.typing', { roomId: request.roomId });
      }
      if (sent >= total && elapsed >= request.durationMs) resolve();
      else setTimeout(tick, 2);
    };
    tick();
  });
  const expected = total * request.readers.length;
  const waitUntil = Date.now() + 10_000;
  while (latencies.length < expected && Date.now() < waitUntil) await sleep(10);
  const seconds = (performance.now() - start) / 1000;
  const serverCpuPercent = Math.round((cpuMicros(request.serverPid) - cpuBefore) / seconds / 10_000);
  const generator: GeneratorLoop = {
    cpuPercent: Math.round((cpuMicros(process.pid) - ownCpuBefore) / seconds / 10_000),
    delayP99: round(ownDelay.percentile(99) / 1e6),
    delayMax: round(ownDelay.max / 1e6),
  };
  watchServer();
  for (const socket of [...sockets, senderSocket]) socket.terminate();
  const spans = (at: Float64Array) =>
    summarise(Float64Array.from({ length: total }, (_, i) => at[i + 1]! - sentAt[i + 1]!));
  const first = spans(firstAt);
  const last = spans(lastAt);
  return {
    sent: total,
    delivered: latencies.length,
    expected,
    ...summarise(Float64Array.from(latencies)),
    markReadCalls,
    typingCalls,
    failedCalls,
    serverCpuPercent,
    gaps,
    duplicates,
    firstP50: first.p50,
    lastP50: last.p50,
    lastP99: last.p99,
    generator,
  };
}

process.once('message', (request: ReadersRequest) => {
  run(request).then(
    (answer) => process.send?.(answer, undefined, {}, () => process.exit(0)),
    (error: Error) =>
      process.send?.({ error: error.stack ?? String(error) }, undefined, {}, () => process.exit(1)),
  );
});
