/** While someone keeps reading a room, how often their position goes to the server. */
export const readIntervalMs = 5_000;
/**
 * Up to this much later, at random: a message reaches every reader at the same instant, and their calls would
 * otherwise arrive together, every interval, as one burst that delays everyone's messages.
 */
export const readJitterMs = 1_500;

interface RoomReads {
  /** The highest position sent. */
  sent: number;
  /** A higher position seen and not yet sent. */
  pending: number | null;
  lastSentAt: number;
  timer: ReturnType<typeof setTimeout> | null;
}

/**
 * How a reader marks rooms read — the web client, and the benchmark's simulated readers, so what is measured is
 * what browsers do. The first position seen in a room goes to the server at once; while reading goes on, at most
 * one call every `intervalMs` per room (plus a random spread) carries the newest position; `flush` sends what is
 * pending at once (the window lost focus, the reader went to another room, the page is being hidden). A busy
 * room read by many people so costs each of them a call every few seconds, not one per message. The reader's own
 * screen does not wait for any of this: the web client clears its badge at once.
 */
export class ReadMarker {
  private readonly rooms = new Map<number, RoomReads>();

  constructor(
    private readonly send: (roomId: number, seq: number) => void,
    private readonly intervalMs = readIntervalMs,
    private readonly jitterMs = readJitterMs,
    private readonly now: () => number = Date.now,
  ) {}

  seen(roomId: number, seq: number): void {
    const room = this.room(roomId);
    if (seq <= Math.max(room.sent, room.pending ?? 0)) return;
    room.pending = seq;
    if (room.timer) return;
    // Opening a room reads it at once: nothing lines readers up at that moment.
    if (room.lastSentAt === Number.NEGATIVE_INFINITY) {
      this.flush(roomId);
      return;
    }
    const wait = Math.max(0, room.lastSentAt + this.intervalMs - this.now()) + Math.random() * this.jitterMs;
    room.timer = setTimeout(() => this.flush(roomId), wait);
  }

  /** Sends every pending position now (or only `roomId`'s). */
  flush(roomId?: number): void {
    const ids = roomId === undefined ? [...this.rooms.keys()] : [roomId];
    for (const id of ids) {
      const room = this.rooms.get(id);
      if (!room) continue;
      if (room.timer) clearTimeout(room.timer);
      room.timer = null;
      if (room.pending === null || room.pending <= room.sent) continue;
      room.sent = room.pending;
      room.pending = null;
      room.lastSentAt = this.now();
      this.send(id, room.sent);
    }
  }

  /** A call failed: the position will be sent again with the next one seen. */
  forget(roomId: number, seq: number): void {
    const room = this.rooms.get(roomId);
    if (room && room.sent === seq) room.sent = 0;
  }

  /** Stops every timer without sending (signing out). */
  dispose(): void {
    for (const room of this.rooms.values()) if (room.timer) clearTimeout(room.timer);
    this.rooms.clear();
  }

  private room(roomId: number): RoomReads {
    let room = this.rooms.get(roomId);
    if (!room) {
      room = { sent: 0, pending: null, lastSentAt: Number.NEGATIVE_INFINITY, timer: null };
      this.rooms.set(roomId, room);
    }
    return room;
  }
}
