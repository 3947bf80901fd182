/**
 * Live rounds while a crowd joins a stream (a restart's reconnects): events wait a moment to go out together, one
 * write per reader, and a reader resuming in that moment still gets everything once, in order. Once the crowd has
 * passed, each event is written when it comes. The stream here is the real one, its sockets stand-ins that record
 * each write's positions.
 */
import { describe, expect, it } from 'vitest';
import type { Logger } from '../src/server/logger.ts';
import { InProcessBus } from '../src/server/realtime/bus.ts';
import { type CrowdSize, CrowdWatch } from '../src/server/realtime/crowd.ts';
import { LiveStreams, type StreamSource } from '../src/server/realtime/live-streams.ts';
import { liveTarget } from '../src/server/realtime/live-target.ts';
import type { FrameRun, ParleySocket } from '../src/server/realtime/socket.ts';
import { eventually, pause } from './helpers/sockets.ts';

interface Event {
  position: number;
}

const trackedIds = (tails: readonly Buffer[]) =>
  tails.map((tail) => Number(/"id":"(\d+)"/.exec(String(tail))?.[1]));

/** A socket that keeps, for each write, the positions it carried. */
class RecordingSocket {
  readonly writes: number[][] = [];
  sendFrames(_head: Buffer, tails: readonly Buffer[]): void {
    if (tails.length) this.writes.push(trackedIds(tails));
  }
  sendRun(run: FrameRun): void {
    this.sendFrames(run.head, run.tails);
  }
  get positions(): number[] {
    return this.writes.flat();
  }
}

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };

function roomOf(stored: Event[]): StreamSource<Event> {
  return {
    channel: (key) => `stream:${key}`,
    accept: (message): message is Event => typeof (message as Event).position === 'number',
    head: async () => stored.at(-1)?.position ?? 0,
    between: async (_key, after, before, limit) =>
      stored.filter((e) => e.position > after && (before === null || e.position < before)).slice(0, limit),
    data: (event) => event,
  };
}

/** A reader that joins the stream and goes live from `from`, with what the stream still holds after it. */
async function join(streams: LiveStreams<Event>, from: number): Promise<RecordingSocket> {
  const socket = new RecordingSocket();
  const target = liveTarget(socket as unknown as ParleySocket, { id: 1, jsonrpc: undefined });
  const subscriber = await streams.join(1, target, new AbortController().signal);
  subscriber.goLive(from, subscriber.stream.recentAfter(from) ?? []);
  return socket;
}

/** A stream whose events are published as `publish(position)`; a crowd is `crowd` joins within `windowMs`. */
function room(crowd: CrowdSize) {
  const stored: Event[] = [];
  const bus = new InProcessBus();
  const streams = new LiveStreams(roomOf(stored), bus, silent, 100, crowd);
  const publish = (position: number) => {
    stored.push({ position });
    void bus.publish('stream:1', { position });
  };
  return { streams, publish };
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const allAt = (sockets: RecordingSocket[], position: number) =>
  eventually(
    () => (sockets.every((s) => s.positions.at(-1) === position) ? true : undefined),
    `all at ${position}`,
  );

/** More than one turn's writes (500): a round that costs enough to be worth gathering. */
const crowdSize = 600;
/** A crowd that lasts as long as a test: 600 joins are one, and it goes on for a minute after. */
const lastingCrowd: CrowdSize = { arrivals: 100, windowMs: 60_000 };

describe('live rounds while a crowd joins', () => {
  it('gather the events that come meanwhile into one write per reader; one resuming then misses nothing', async () => {
    const { streams, publish } = room(lastingCrowd);
    const crowd = await Promise.all(range(1, crowdSize).map(() => join(streams, 0)));
    // The first event after people joined goes at once (a room they just opened, quiet until now).
    publish(1);
    await allAt(crowd, 1);
    // The room talks on while the crowd still arrives: its events wait to go out together.
    publish(2);
    const late = await join(streams, 1);
    await pause(10);
    publish(3);
    await pause(10);
    publish(4);

    await allAt([...crowd, late], 4);
    for (const socket of crowd) expect(socket.writes).toEqual([[1], [2, 3, 4]]);
    expect(late.writes).toEqual([[2], [3, 4]]);
  });

  it('write each event as it comes once the crowd has passed', async () => {
    const { streams, publish } = room({ arrivals: 100, windowMs: 50 });
    const crowd = await Promise.all(range(1, crowdSize).map(() => join(streams, 0)));
    publish(1);
    await allAt(crowd, 1);
    await pause(100);
    publish(2);
    await allAt(crowd, 2);
    publish(3);
    await allAt(crowd, 3);
    for (const socket of crowd) expect(socket.writes).toEqual([[1], [2], [3]]);
  });

  it('write a room of a few readers each event as it comes, even while they join', async () => {
    const { streams, publish } = room(lastingCrowd);
    const readers = await Promise.all(range(1, 100).map(() => join(streams, 0)));
    for (const position of range(1, 3)) publish(position);
    for (const socket of readers) expect(socket.writes).toEqual([[1], [2], [3]]);
  });
});

describe('a crowd', () => {
  it('is so many arrivals within a window, and lasts a window after the last of them', () => {
    let now = 0;
    const watch = new CrowdWatch({ arrivals: 3, windowMs: 200 }, () => now);
    watch.arrived();
    watch.arrived();
    expect(watch.endsInMs).toBe(0);
    now = 300; // a new window: the count starts again
    watch.arrived();
    watch.arrived();
    expect(watch.endsInMs).toBe(0);
    now = 350;
    watch.arrived();
    expect(watch.endsInMs).toBe(200);
    now = 400;
    watch.arrived();
    expect(watch.endsInMs).toBe(200);
    now = 600;
    expect(watch.endsInMs).toBe(0);
  });
});
