/**
 * The conversations load generator: people in pairs, each pair with a private room, each person connected to one
 * of two instances (half the pairs split across them), everyone also following the public room. Per step, messages
 * go out at `rate` a second from a random member of a random pair over that person's socket (as the web client
 * sends) to their instance, and each is timed until the other member receives it. Every receiver checks its rooms' positions: nothing missing or twice.
 */
import { performance } from 'node:perf_hooks';
import { summarise } from '../lib/stats.ts';
import { openCaller, type SocketCaller } from './socket-call.ts';

export interface ConversationsRequest {
  instances: string[];
  people: { token: string; instance: number }[];
  /** Index pairs into `people`, with their room. */
  pairs: { roomId: number; a: number; b: number }[];
  publicRoomId: number;
  rates: number[];
  stepMs: number;
}

export interface ConversationsStep {
  rate: number;
  sent: number;
  delivered: number;
  crossing: { p50: number; p99: number; max: number };
  local: { p50: number; p99: number; max: number };
  gaps: number;
  duplicates: number;
  sendErrors: number;
}

const trackedIdMarker = Buffer.from('"id":"');
const tilde = 126;
const readNumber = (frame: Buffer, from: number, end: number) => {
  let value = 0;
  for (let i = from; i < frame.length && frame[i] !== end; i++) value = value * 10 + (frame[i]! - 48);
  return value;
};

async function run(request: ConversationsRequest): Promise<{ steps: ConversationsStep[] }> {
  const callers: SocketCaller[] = [];
  const sentAt = new Float64Array(2_000_000);
  const crossingOf = new Uint8Array(2_000_000);
  let crossing: number[] = [];
  let local: number[] = [];
  let gaps = 0;
  let duplicates = 0;
  let started = 0;
  const wsUrl = (instance: number) => `${request.instances[instance]!.replace('http', 'ws')}/trpc`;

  const roomOf = new Map<number, number>();
  request.pairs.forEach((pair) => {
    roomOf.set(pair.a, pair.roomId);
    roomOf.set(pair.b, pair.roomId);
  });
  const follow = async (person: ConversationsRequest['people'][number], index: number) => {
    const last = new Map<number, number>();
    const onFrame = (data: Buffer) => {
      const at = data.indexOf(tilde);
      if (at < 0) {
        if (data.includes('"started"')) started++;
        return;
      }
      const now = performance.now();
      const subscription = readNumber(data, 6, 44); // {"id":N, — 1: the private room, 2: the public room
      const position = readNumber(data, data.lastIndexOf(trackedIdMarker) + trackedIdMarker.length, 34);
      const previous = last.get(subscription) ?? -1;
      if (previous >= 0 && position <= previous) duplicates++;
      else if (previous >= 0 && position > previous + 1) gaps += position - previous - 1;
      last.set(subscription, Math.max(previous, position));
      const seq = readNumber(data, at + 1, tilde);
      // The sender's own copy is not a delivery to the other member.
      if (data.includes(`"clientId":"conv-${index}-`)) return;
      (crossingOf[seq] ? crossing : local).push(now - sentAt[seq]!);
    };
    const { socket, caller } = await openCaller(wsUrl(person.instance), person.token, { onFrame });
    callers[index] = caller;
    const subscribe = (id: number, roomId: number) =>
      socket.send(
        JSON.stringify({
          id,
          method: 'subscription',
          params: {
            path: 'chat.onRoomEvent',
            input: { roomId, lastEventId: '0' /* rooms start empty; see connections-load.ts */ },
          },
        }),
      );
    subscribe(1, roomOf.get(index)!);
    subscribe(2, request.publicRoomId);
  };
  await Promise.all(request.people.map(follow));
  const deadline = Date.now() + 60_000;
  while (started < request.people.length * 2 && Date.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));

  const steps: ConversationsStep[] = [];
  let seq = 0;
  for (const rate of request.rates) {
    crossing = [];
    local = [];
    gaps = 0;
    duplicates = 0;
    let sendErrors = 0;
    const total = Math.round((rate * request.stepMs) / 1000);
    const start = performance.now();
    const firstSeq = seq + 1;
    process.send?.({ progress: { starting: rate } });
    await new Promise<void>((resolve) => {
      const tick = () => {
        const due = Math.min(total, Math.floor(((performance.now() - start) * rate) / 1000) + 1);
        while (seq - firstSeq + 1 < due) {
          const n = ++seq;
          const pair = request.pairs[Math.floor(Math.random() * request.pairs.length)]!;
          const [from, to] = Math.random() < 0.5 ? [pair.a, pair.b] : [pair.b, pair.a];
          const sender = request.people[from]!;
          crossingOf[n] = sender.instance !== request.people[to]!.instance ? 1 : 0;
          sentAt[n] = performance.now();
          void callers[from]!.mutate('chat.send', {
            roomId: pair.roomId,
            clientId: `conv-${from}-${n}`,
            body: `conversation ~${n}~`,
          }).then((ok) => {
            if (!ok) sendErrors++;
          });
        }
        if (seq - firstSeq + 1 >= total) resolve();
        else setTimeout(tick, 1);
      };
      tick();
    });
    const waitUntil = Date.now() + 10_000;
    while (crossing.length + local.length < total - sendErrors && Date.now() < waitUntil) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const step: ConversationsStep = {
      rate,
      sent: total,
      delivered: crossing.length + local.length,
      crossing: summarise(Float64Array.from(crossing)),
      local: summarise(Float64Array.from(local)),
      gaps,
      duplicates,
      sendErrors,
    };
    steps.push(step);
    process.send?.({ progress: step });
    if (step.delivered < step.sent || step.crossing.p99 > 2_000) break;
    await new Promise((r) => setTimeout(r, 300));
  }
  return { steps };
}

process.once('message', (request: ConversationsRequest) => {
  run(request).then(
    (answer) => process.send?.(answer, undefined, {}, () => process.exit(0)),
    (error: Error) =>
      process.send?.({ error: error.stack ?? String(error) }, undefined, {}, () => process.exit(1)),
  );
});
