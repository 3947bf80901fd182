/**
 * The read policy the web client follows (and the benchmark's readers with it): a reader of a busy room tells the
 * server how far it has read every few seconds, not once per message, and at once when it stops reading.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ReadMarker, readIntervalMs, readJitterMs } from '../src/shared/read-policy.ts';

describe('marking a room read', () => {
  let sent: [number, number][];
  let marker: ReadMarker;
  beforeEach(() => {
    vi.useFakeTimers();
    sent = [];
    marker = new ReadMarker((roomId, seq) => sent.push([roomId, seq]));
  });
  afterEach(() => {
    marker.dispose();
    vi.useRealTimers();
  });

  it('sends the first position at once, then at most once an interval while reading', () => {
    marker.seen(1, 10);
    expect(sent).toEqual([[1, 10]]);

    // A busy room: a message every 100 ms for the next interval.
    for (let seq = 11; seq <= 60; seq++) {
      marker.seen(1, seq);
      vi.advanceTimersByTime(100);
    }
    vi.advanceTimersByTime(readIntervalMs + readJitterMs);
    expect(sent.length).toBeLessThanOrEqual(3);
    expect(sent.at(-1)).toEqual([1, 60]);
  });

  it('sends what is pending at once when the reader stops reading, and nothing twice', () => {
    marker.seen(1, 5);
    marker.seen(2, 7);
    marker.seen(1, 6);
    marker.seen(2, 8);
    expect(sent).toEqual([
      [1, 5],
      [2, 7],
    ]);
    marker.flush(1);
    expect(sent.at(-1)).toEqual([1, 6]);
    marker.flush();
    expect(sent.at(-1)).toEqual([2, 8]);
    marker.seen(1, 6);
    marker.seen(1, 4);
    vi.advanceTimersByTime(readIntervalMs + readJitterMs);
    expect(sent).toHaveLength(4);
  });

  it('sends a position again after the call for it failed', () => {
    marker.seen(1, 5);
    marker.forget(1, 5);
    marker.seen(1, 5);
    marker.flush();
    expect(sent).toEqual([
      [1, 5],
      [1, 5],
    ]);
  });
});
