import { performance } from 'node:perf_hooks';
import type { FrameSocket } from '../load/frame-socket.ts';

/**
 * Opens `from`…`to - 1` in waves of 250 at once, each wave after the last has opened, as a crowd of clients
 * reconnecting would, and returns what each opened, in order. Every scenario and probe that opens thousands of
 * sockets opens them so, which keeps their connects/s comparable.
 */
export async function inWaves<T>(
  from: number,
  to: number,
  open: (index: number) => Promise<T>,
): Promise<T[]> {
  const opened: T[] = [];
  for (let wave = from; wave < to; wave += 250) {
    const count = Math.min(250, to - wave);
    opened.push(...(await Promise.all(Array.from({ length: count }, (_, i) => open(wave + i)))));
  }
  return opened;
}

/** Opens `count` in waves (`inWaves`) and times it: connects a second from the first connect until all have opened. */
export async function timedCrowd<T>(
  count: number,
  open: (index: number) => Promise<T>,
): Promise<{ opened: T[]; connectsPerSecond: number }> {
  const start = performance.now();
  const opened = await inWaves(0, count, open);
  return { opened, connectsPerSecond: Math.round(count / ((performance.now() - start) / 1000)) };
}

/** Closes every socket and resolves once each has closed: the server has seen every leave. */
export async function leaveAll(sockets: readonly FrameSocket[]): Promise<void> {
  await Promise.all(
    sockets.map((socket) => {
      socket.close();
      return socket.ended;
    }),
  );
}
