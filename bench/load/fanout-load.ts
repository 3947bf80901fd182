/**
 * The fan-out load generator, in a process (and on a core) of its own. It opens the subscribers' sockets and a
 * sender, then for each step sends `rate` messages a second and times every delivery from the send call to its
 * receipt on one clock (this process's). It speaks the real protocols: tRPC's WebSocket frames and `chat.send`
 * over the sender's socket for Parley (as the web client sends), plain text frames for the bare `ws` baseline. The
 * generator must read a delivery for less than the server spends writing it, or it times itself: the subscribers
 * are `FrameSocket`s, and frames are not parsed as JSON here, only the two numbers it needs read from the bytes.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { processUsage } from '../lib/processes.ts';
import { round, summarise } from '../lib/stats.ts';
import { FrameSocket } from './frame-socket.ts';
import { answeredKeepAlive, openSocket, SocketCaller } from './socket-call.ts';

export interface FanoutRequest {
  kind: 'parley' | 'baseline';
  wsUrl: string;
  roomId: number;
  /** One token a subscriber (Parley), or how many anonymous ones (baseline). */
  subscribers: string[] | number;
  senderToken: string | null;
  rates: number[];
  stepMs: number;
  /** How long the first step (the unmeasured warm-up) runs. */
  warmUpMs: number;
  serverPid: number;
  /** Stop the sweep past this p99 (ms): the server is saturated. */
  giveUpP99Ms: number;
  /**
   * Before each step, report `{ waiting: true }` and wait for `{ go: true }` (or `{ go: false }`: stop), so that a
   * parent can take turns between two generators step by step.
   */
  gated?: boolean;
}

/** What a gated generator waits for before each step. */
export interface FanoutGo {
  go: boolean;
}

export interface FanoutStep {
  rate: number;
  sent: number;
  expected: number;
  delivered: number;
  deliveriesPerSecond: number;
  /** The server's CPU over the step, all threads, to the nanosecond where the kernel counts it. */
  serverCpuMicros: number;
  cpuMicrosPerDelivery: number;
  /** Of which in the kernel (the write system calls, loopback TCP), counted in 10 ms ticks. */
  kernelMicrosPerDelivery: number;
  /** Of which on the main thread (the rest: V8's helper threads, GC mostly). */
  mainThreadMicrosPerDelivery: number;
  /** write/writev system calls per delivery: below 1 where one write carries several messages. */
  writesPerDelivery: number;
  /**
   * Per message, the median over the step's messages of its first receipt (the send path: the call, the append and
   * its answer, before the first write) and of the time from its first receipt to its last (the writes to every
   * subscriber, as this generator read them): where p50 goes. The worst of each tells where a tail went: a
   * late first receipt is a send that waited (its statement, its commit), a long spread writes that did.
   */
  firstReceiptP50: number;
  spreadP50: number;
  firstReceiptMax: number;
  spreadMax: number;
  /**
   * This generator's own CPU per delivery it read (its pacing timer, a tick a millisecond, included: at low rates
   * mostly that); near a core in all, it, not the server, sets the latency.
   */
  generatorMicrosPerDelivery: number;
  p50: number;
  p99: number;
  max: number;
  duplicates: number;
  gaps: number;
  sendErrors: number;
}

export interface FanoutAnswer {
  connectSeconds: number;
  steps: FanoutStep[];
  error?: string;
}

const tilde = 126;
const quote = 34;
const trackedIdMarker = Buffer.from('"id":"');
const padding = 'x'.repeat(80);
const bodyOf = (seq: number) => `bench ~${seq}~ ${padding}`;

/** What the bare baseline relays: a frame of the same shape and size as Parley's for one message. */
function baselineFrame(seq: number, position: number): string {
  const message = {
    id: String(seq),
    roomId: 1,
    seq: position,
    clientId: `bench-${seq}`,
    sender: { id: 1, username: 'bench_sender', displayName: 'Bench Sender', avatarUrl: null },
    body: bodyOf(seq),
    createdAt: new Date().toISOString(),
    editedAt: null,
    deletedAt: null,
    deletedBy: null,
  };
  const id = String(position);
  return JSON.stringify({
    id: 1,
    result: { type: 'data', data: { id, data: { type: 'message.created', message } }, id },
  });
}

function readNumber(frame: Buffer, from: number, end: number): number {
  let value = 0;
  for (let i = from; i < frame.length && frame[i] !== end; i++) value = value * 10 + (frame[i]! - 48);
  return value;
}

async function run(request: FanoutRequest): Promise<FanoutAnswer> {
  const subscriberCount = Array.isArray(request.subscribers)
    ? request.subscribers.length
    : request.subscribers;
  const sentAt = new Float64Array(1_000_000);
  // Each message's first and last receipt, by its sequence number, as latencies (0: none yet).
  const firstAt = new Float64Array(1_000_000);
  const lastAt = new Float64Array(1_000_000);
  const lastPosition = new Float64Array(subscriberCount).fill(-1);
  let latencies = new Float64Array(0);
  let delivered = 0;
  let duplicates = 0;
  let gaps = 0;
  let started = 0;
  const failures: string[] = [];

  const onFrame = (socket: FrameSocket, index: number, frame: Buffer) => {
    if (answeredKeepAlive(frame, socket)) return;
    const at = frame.indexOf(tilde);
    if (at < 0) {
      const text = frame.toString();
      if (text.includes('"started"')) started++;
      else if (text.includes('"error"')) failures.push(text.slice(0, 300));
      return;
    }
    const now = performance.now();
    const seq = readNumber(frame, at + 1, tilde);
    const position = readNumber(frame, frame.lastIndexOf(trackedIdMarker) + trackedIdMarker.length, quote);
    const last = lastPosition[index]!;
    if (last >= 0 && position <= last) duplicates++;
    else {
      if (last >= 0 && position > last + 1) gaps += position - last - 1;
      lastPosition[index] = position;
    }
    const latency = now - sentAt[seq]!;
    if (delivered < latencies.length) latencies[delivered] = latency;
    if (firstAt[seq] === 0) firstAt[seq] = latency;
    lastAt[seq] = latency;
    delivered++;
  };

  /**
   * The first receipts and the spreads (last − first) of the messages from `from` to before `to` that anyone
   * received: one nobody did (a step that gave up) would count as arriving at once.
   */
  const receiptsOf = (from: number, to: number) => {
    const first: number[] = [];
    const spread: number[] = [];
    for (let seq = from; seq < to; seq++) {
      if (firstAt[seq] === 0) continue;
      first.push(firstAt[seq]!);
      spread.push(lastAt[seq]! - firstAt[seq]!);
    }
    return { first: summarise(Float64Array.from(first)), spread: summarise(Float64Array.from(spread)) };
  };

  // Connect everyone, a bounded number at a time, and subscribe.
  const connectStart = performance.now();
  const sockets: FrameSocket[] = [];
  const open = async (index: number) => {
    const token = Array.isArray(request.subscribers) ? request.subscribers[index] : null;
    const socket = await FrameSocket.open(request.wsUrl, {
      headers: token ? { authorization: `Bearer ${token}` } : {},
      onText: (frame, socket) => onFrame(socket, index, frame),
    });
    sockets[index] = socket;
    if (request.kind === 'parley') {
      socket.send(
        JSON.stringify({
          id: 1,
          method: 'subscription',
          params: {
            path: 'chat.onRoomEvent',
            input: {
              roomId: request.roomId,
              lastEventId: '0' /* rooms start empty; see connections-load.ts */,
            },
          },
        }),
      );
    } else started++;
  };
  for (let from = 0; from < subscriberCount; from += 200) {
    const batch = [];
    for (let index = from; index < Math.min(subscriberCount, from + 200); index++) batch.push(open(index));
    await Promise.all(batch);
  }
  await waitFor(
    () => started >= subscriberCount || failures.length > 0,
    60_000,
    'every subscription to start',
  );
  if (failures.length) throw new Error(`subscriptions failed: ${failures[0]}`);
  const connectSeconds = (performance.now() - connectStart) / 1000;

  // The sender, on a socket of its own: `chat.send` as the web client sends it (Parley's acknowledged, stored
  // send), or a bare frame (baseline).
  let sendErrors = 0;
  let senderSocket: WebSocket | null = null;
  let sender: SocketCaller | null = null;
  if (request.kind === 'baseline') {
    senderSocket = new WebSocket(request.wsUrl, { perMessageDeflate: false });
    await new Promise((resolve) => senderSocket!.once('open', resolve));
  } else {
    const socket = await openSocket(request.wsUrl, request.senderToken ?? '');
    const caller = new SocketCaller(socket);
    socket.on('message', (data: Buffer) => caller.handled(data));
    sender = caller;
  }
  const runTag = Date.now().toString(36);
  let baselinePosition = 0;
  const send = (seq: number) => {
    sentAt[seq] = performance.now();
    if (senderSocket) {
      senderSocket.send(baselineFrame(seq, ++baselinePosition));
      return;
    }
    const input = { roomId: request.roomId, clientId: `bench-${runTag}-${seq}`, body: bodyOf(seq) };
    void sender?.mutate('chat.send', input).then((ok) => {
      if (!ok) sendErrors++;
    });
  };

  const steps: FanoutStep[] = [];
  let nextSeq = 1;
  for (const rate of request.rates) {
    if (request.gated && !(await stepAllowed())) break;
    const stepMs = steps.length === 0 ? request.warmUpMs : request.stepMs;
    const total = Math.max(1, Math.round((rate * stepMs) / 1000));
    const expected = total * subscriberCount;
    latencies = new Float64Array(expected);
    delivered = 0;
    duplicates = 0;
    gaps = 0;
    sendErrors = 0;
    const cpuBefore = processUsage(request.serverPid);
    const generatorBefore = process.cpuUsage();
    const start = performance.now();
    const firstSeq = nextSeq;
    await new Promise<void>((resolve) => {
      const tick = () => {
        const due = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000) + 1);
        while (nextSeq - firstSeq < due) send(nextSeq++);
        if (nextSeq - firstSeq >= total) resolve();
        else setTimeout(tick, 1);
      };
      tick();
    });
    await waitFor(() => delivered >= expected, 10_000, '').catch(() => {});
    const used = processUsage(request.serverPid, cpuBefore);
    const generator = process.cpuUsage(generatorBefore);
    const { first, spread } = receiptsOf(firstSeq, nextSeq);
    const cpu = used.onCpu;
    const latency = summarise(latencies.subarray(0, Math.min(delivered, expected)));
    const step: FanoutStep = {
      rate,
      sent: total,
      expected,
      delivered,
      deliveriesPerSecond: Math.round(rate * subscriberCount),
      serverCpuMicros: Math.round(cpu),
      cpuMicrosPerDelivery: round(cpu / Math.max(1, delivered), 2),
      kernelMicrosPerDelivery: round(used.system / Math.max(1, delivered), 2),
      mainThreadMicrosPerDelivery: round(used.mainThread / Math.max(1, delivered), 2),
      writesPerDelivery: round(used.writes / Math.max(1, delivered), 3),
      firstReceiptP50: first.p50,
      spreadP50: spread.p50,
      firstReceiptMax: first.max,
      spreadMax: spread.max,
      generatorMicrosPerDelivery: round((generator.user + generator.system) / Math.max(1, delivered), 2),
      ...latency,
      duplicates,
      gaps,
      sendErrors,
    };
    steps.push(step);
    process.send?.({ progress: step });
    if (step.p99 > request.giveUpP99Ms || delivered < expected) break;
    await sleep(300);
  }
  for (const socket of sockets) socket.terminate();
  senderSocket?.terminate();
  return { connectSeconds: round(connectSeconds, 2), steps };
}

async function waitFor(done: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

let allowStep: ((go: boolean) => void) | null = null;

/** Tells the parent this generator is between steps, and waits for its word. */
function stepAllowed(): Promise<boolean> {
  process.send?.({ progress: { waiting: true } });
  return new Promise((resolve) => {
    allowStep = resolve;
  });
}

process.on('message', (message: FanoutRequest | FanoutGo) => {
  if ('go' in message) {
    allowStep?.(message.go);
    allowStep = null;
    return;
  }
  const request = message;
  run(request).then(
    (answer) => process.send?.(answer, undefined, {}, () => process.exit(0)),
    (error: Error) =>
      process.send?.({ error: error.stack ?? String(error) }, undefined, {}, () => process.exit(1)),
  );
});
