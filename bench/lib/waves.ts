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
