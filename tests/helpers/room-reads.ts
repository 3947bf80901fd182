/**
 * A room's reader seen from its network: for each read of its TCP connection, the room events that read carried.
 * On loopback, what the server writes in one go (a few small frames) arrives as one read, and what it writes
 * apart, after the reader has read what came before, arrives as reads of their own: so the reads show which
 * events the server sent a reader together, as a user's network would see them.
 */
import { type FrameSocket, openFrameSocket } from './frames.ts';

export interface RoomReader {
  /** The positions of the room events each read carried, one list per read that carried any. */
  readonly reads: number[][];
  /** Every position received, in order of arrival. */
  positions(): number[];
  /** Follows the room's events after `lastEventId` (a resume), or from now on. */
  follow(roomId: number, lastEventId?: number): void;
  close(): Promise<void>;
}

export async function openRoomReader(url: string): Promise<RoomReader> {
  const frames = await openFrameSocket(url);
  const reads: number[][] = [];
  const payloads = serverFrames();
  frames.network.on('data', (chunk: Buffer) => {
    const positions = payloads(chunk).flatMap(eventPosition);
    if (positions.length) reads.push(positions);
  });
  return {
    reads,
    positions: () => reads.flat(),
    follow(roomId, lastEventId) {
      const input = lastEventId === undefined ? { roomId } : { roomId, lastEventId: String(lastEventId) };
      frames.send({ id: 1, method: 'subscription', params: { path: 'chat.onRoomEvent', input } });
    },
    close: () => closeSocket(frames),
  };
}

async function closeSocket({ socket, closed }: FrameSocket): Promise<void> {
  socket.terminate();
  await closed;
}

/** A tracked room event's position (its id), from a frame's payload; none for other frames ("started", pings). */
function eventPosition(payload: Buffer): number[] {
  const text = String(payload);
  if (!text.startsWith('{')) return [];
  const reply = JSON.parse(text) as { result?: { type?: string; id?: string } };
  return reply.result?.type === 'data' && reply.result.id !== undefined ? [Number(reply.result.id)] : [];
}

/**
 * Splits what the server sends into its text frames' payloads (unmasked, unfragmented: RFC 6455 §5.2), read by
 * read; a frame cut between two reads counts for the one that completes it.
 */
function serverFrames(): (chunk: Buffer) => Buffer[] {
  let pending: Buffer = Buffer.alloc(0);
  return (chunk) => {
    let data = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    const payloads: Buffer[] = [];
    for (;;) {
      const frame = frameAt(data);
      if (!frame) break;
      if (frame.text) payloads.push(frame.payload);
      data = data.subarray(frame.end);
    }
    pending = data;
    return payloads;
  };
}

/** The first whole frame in `data`, or null while it has not all arrived. */
function frameAt(data: Buffer): { text: boolean; payload: Buffer; end: number } | null {
  if (data.length < 2) return null;
  const short = data[1]! & 0x7f;
  const headerSize = short === 126 ? 4 : short === 127 ? 10 : 2;
  if (data.length < headerSize) return null;
  const length =
    short === 126 ? data.readUInt16BE(2) : short === 127 ? Number(data.readBigUInt64BE(2)) : short;
  const end = headerSize + length;
  if (data.length < end) return null;
  return { text: (data[0]! & 0x0f) === 1, payload: data.subarray(headerSize, end), end };
}
