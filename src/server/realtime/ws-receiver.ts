import * as ws from 'ws';

/** What `reuseFragmentLists` relies on in `ws`'s Receiver (8.23), which `ws` exports untyped (ESM: `Receiver`). */
interface ReceiverInternals {
  /** The fragments of the message being read, replaced by a new empty array once it has been emitted. */
  _fragments: Buffer[];
  /** The message's opcode: 1 text, 2 binary. */
  _opcode: number;
  /** Emits a message once its last fragment is in. */
  dataMessage(cb: (error?: Error) => void): void;
}

const receiverPrototype = (ws as unknown as { Receiver?: { prototype: ReceiverInternals } }).Receiver
  ?.prototype;

let reused = false;

/**
 * Makes every `ws` Receiver in this process keep one list of fragments per socket, emptied in place after each
 * text message, where `ws` puts a new empty array in its place. A socket's list that has lived through two
 * scavenges sits in V8's old generation; the next message's buffer pushed onto it, and the list then dropped for
 * a new one, is still referenced from that dead old array, and a scavenge counts every reference from the old
 * generation as live, so every message's buffers were promoted and waited for a full collection: at 1,000
 * messages a second on two instances, nine tenths of what the busier instance promoted (docs/performance.md,
 * entry 82).
 * Binary messages keep `ws`'s way (with binaryType 'fragments' the list itself is handed to the listener).
 * `tests/ws-receiver.test.ts` fails if a new `ws` no longer reads messages this way.
 */
export function reuseFragmentLists(): void {
  if (reused || !receiverPrototype) return;
  reused = true;
  const dataMessage = receiverPrototype.dataMessage;
  receiverPrototype.dataMessage = function (this: ReceiverInternals, cb) {
    const fragments = this._fragments;
    dataMessage.call(this, cb);
    // Replaced only when the message was whole, and by then its text has been copied out of (or taken from) it.
    if (this._fragments !== fragments && this._opcode === 1) {
      fragments.length = 0;
      this._fragments = fragments;
    }
  };
}
