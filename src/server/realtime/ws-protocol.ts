/**
 * The two places Parley touches tRPC's WebSocket protocol itself, so that a room's live events can be written as
 * one pre-built frame per message instead of going through a tRPC pipeline per subscriber:
 * - reading: each subscription request's id is attached (under a symbol no client can send) to its input, where a
 *   procedure's middleware can find it — the id is what tRPC puts in every frame of that subscription;
 * - writing: a tracked event's frame, byte for byte what `@trpc/server` 11 sends for `tracked(id, data)`, so the
 *   stock `wsLink` reads it and resumes from it.
 */

/** Where the subscription's request lives on its raw input. A symbol: JSON cannot carry one, so no client can. */
const subscriptionRequestKey = Symbol('parley.subscriptionRequest');

export interface SubscriptionRequest {
  id: number | string;
  jsonrpc: '2.0' | undefined;
}

function tagSubscription(message: unknown): void {
  if (typeof message !== 'object' || message === null) return;
  const { id, jsonrpc, method, params } = message as Record<string, unknown>;
  if (method !== 'subscription' || typeof params !== 'object' || params === null) return;
  const input = (params as { input?: unknown }).input;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return;
  if (typeof id !== 'number' && typeof id !== 'string') return;
  // tRPC spreads the input to add `lastEventId`; a spread copies enumerable symbol-keyed properties too.
  (input as Record<symbol, SubscriptionRequest>)[subscriptionRequestKey] = {
    id,
    jsonrpc: jsonrpc === '2.0' ? '2.0' : undefined,
  };
}

/** tRPC's JSON encoder, plus the tagging above on the way in. */
export const wsEncoder = {
  encode: (data: unknown): string => JSON.stringify(data),
  decode(data: string | Buffer): unknown {
    if (typeof data !== 'string') throw new Error('Parley speaks JSON in text frames.');
    const parsed: unknown = JSON.parse(data);
    if (Array.isArray(parsed)) for (const message of parsed) tagSubscription(message);
    else tagSubscription(parsed);
    return parsed;
  },
};

export function subscriptionRequestOf(rawInput: unknown): SubscriptionRequest | null {
  if (typeof rawInput !== 'object' || rawInput === null) return null;
  return (rawInput as Record<symbol, SubscriptionRequest | undefined>)[subscriptionRequestKey] ?? null;
}

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
