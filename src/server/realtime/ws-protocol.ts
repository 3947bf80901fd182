/**
 * Where Parley writes tRPC's WebSocket protocol itself, so that a room's live events can be written as one
 * pre-built frame per message instead of going through a tRPC pipeline per subscriber: a tracked event's frame,
 * byte for byte what `@trpc/server` 11 sends for `tracked(id, data)`, so the stock `wsLink` reads it and resumes
 * from it. Each frame is named by its subscription's request (`TrpcCalls` hands it to the stream, `LiveTarget`).
 */

export interface SubscriptionRequest {
  id: number | string;
  jsonrpc: '2.0' | undefined;
}

/** tRPC's JSON encoder; Parley speaks JSON in text frames only. */
export const wsEncoder = {
  encode: (data: unknown): string => JSON.stringify(data),
  decode(data: string | Buffer): unknown {
    if (typeof data !== 'string') throw new Error('Parley speaks JSON in text frames.');
    return JSON.parse(data);
  },
};

/**
 * A frame in two parts: the head names the subscription (one per subscriber), the tail carries the event (built
 * once per event per instance). `head + tail` is what tRPC's `respond({ id, jsonrpc, result })` encodes.
 */
export function frameHead(request: SubscriptionRequest): string {
  return `{"id":${JSON.stringify(request.id)}${request.jsonrpc ? ',"jsonrpc":"2.0"' : ''}`;
}

export function trackedFrameTail(trackedId: string, data: unknown): string {
  const id = JSON.stringify(trackedId);
  return `,"result":{"type":"data","data":{"id":${id},"data":${JSON.stringify(data)}},"id":${id}}}`;
}

/** An untracked event's frame tail: what tRPC sends for a plain `yield data`. */
export function untrackedFrameTail(data: unknown): string {
  return `,"result":{"type":"data","data":${JSON.stringify(data)}}}`;
}
