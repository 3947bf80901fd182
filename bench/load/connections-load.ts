/**
 * The connections load generator: many authenticated sockets (from several 127.0.0.x addresses, so the ports do
 * not run out), each following the public room and resuming after a lost connection from the last position it
 * saw, as the stock client does. First a crowd of other people connects to the fresh server, follows the room
 * and, asked, leaves (the server's code is compiled while it connects: see `ConnectionsRequest.freshTokens`).
 * Asked, the tracked crowd connects; it reports when everyone is connected and subscribed, then, asked, how long
 * until every socket has caught up to a given position after a restart, and whether anything was missed.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { followRoom } from '../lib/follow-room.ts';
import { inWaves, leaveAll, timedCrowd } from '../lib/waves.ts';
import { FrameSocket } from './frame-socket.ts';
import { answeredKeepAlive } from './socket-call.ts';

export interface ConnectionsRequest {
  wsUrl: string;
  roomId: number;
  /**
   * The people of the first crowd, who connect to the freshly started server and leave again: a fresh server
   * spends much of its first seconds compiling its hot code (docs/performance.md, entry 72), so their rate is
   * a fresh server's and the tracked crowd's a running one's.
   */
  freshTokens: string[];
  freshPrivateRoomIds: (number | null)[];
  tokens: string[];
  addresses: number;
  /** Each socket also opens its notifications, as every web tab does (`--tabs`). */
  notifications: boolean;
  /** The private room each socket also follows (`--tabs`), or null. */
  privateRoomIds: (number | null)[];
}

type Command =
  | { type: 'leave' }
  | { type: 'connect' }
  | { type: 'caughtUp'; position: number; since: number; timeoutMs: number }
  | { type: 'end' };

const nextCommand = () => new Promise<Command>((resolve) => process.once('message', resolve));

/** The first crowd: each follows the room (and, as a tab, its other streams) until started. */
async function freshCrowd(request: ConnectionsRequest): Promise<FrameSocket[]> {
  const follow = (index: number) =>
    followRoom(request.wsUrl, request.freshTokens[index]!, request.roomId, index, {
      notifications: request.notifications,
      privateRoomId: request.freshPrivateRoomIds[index],
    });
  const { opened, connectsPerSecond } = await timedCrowd(request.freshTokens.length, follow);
  process.send?.({ progress: { connectsPerSecond } });
  return opened;
}

const trackedIdMarker = Buffer.from('"id":"');
/**
 * How every frame of the public room's stream (request id 1) begins, up to its type: read at the frame's head, not
 * searched for. Three searches through every frame were half the generator's CPU in a restart storm, and on a slow
 * host the generator's core, not the server's, set the time the storm took (docs/performance.md, entry 70).
 */
const publicRoomHead = Buffer.from('{"id":1,"result":{"type":"');
const startedType = Buffer.from('started"');
/** Whether `part` is in `frame` at `at`: a loop, cheaper for a few bytes than `Buffer.compare`'s native call. */
function startsWith(frame: Buffer, part: Buffer, at = 0): boolean {
  if (frame.length < at + part.length) return false;
  for (let i = 0; i < part.length; i++) if (frame[at + i] !== part[i]) return false;
  return true;
}
const readNumber = (frame: Buffer, from: number, end: number) => {
  let value = 0;
  for (let i = from; i < frame.length && frame[i] !== end; i++) value = value * 10 + (frame[i]! - 48);
  return value;
};

interface Client {
  last: number;
  live: boolean;
  gaps: number;
  duplicates: number;
  reconnects: number;
}

async function run(request: ConnectionsRequest) {
  const clients: Client[] = request.tokens.map(() => ({
    last: -1,
    live: false,
    gaps: 0,
    duplicates: 0,
    reconnects: 0,
  }));
  let live = 0;
  /** Why sockets ended, by error code or close code: after a restart, what the reconnecting clients met. */
  const endings = new Map<string, number>();
  const ended = (why: string) => endings.set(why, (endings.get(why) ?? 0) + 1);
  const connect = (index: number): Promise<void> =>
    new Promise((resolve) => {
      const client = clients[index]!;
      let settled = false;
      const settle = () => {
        if (settled) return;
        settled = true;
        resolve();
      };
      const retry = (why: string) => {
        ended(why);
        if (client.live) live--;
        client.live = false;
        settle();
        client.reconnects++;
        // Like the stock client: back off a little, with a spread, and resume from the last position seen.
        setTimeout(() => void connect(index), 200 + Math.random() * 800);
      };
      const onFrame = (data: Buffer, socket: FrameSocket) => {
        if (answeredKeepAlive(data, socket)) return;
        // The notifications stream (id 2) and the private room's (id 3) start too: not the public room's.
        if (!startsWith(data, publicRoomHead)) return;
        if (startsWith(data, startedType, publicRoomHead.length)) {
          client.live = true;
          live++;
          settle();
          return;
        }
        const at = data.lastIndexOf(trackedIdMarker);
        if (at < 0) return;
        const position = readNumber(data, at + trackedIdMarker.length, 34);
        if (client.last >= 0 && position <= client.last) client.duplicates++;
        else {
          if (client.last >= 0 && position > client.last + 1) client.gaps += position - client.last - 1;
          client.last = position;
        }
      };
      const subscribe = (socket: FrameSocket) => {
        // From the last position seen; at first from 0, as a client does after loading the (empty) history:
        // "started" comes before the stream is live, and a message sent in between must not be missed.
        const input = { roomId: request.roomId, lastEventId: String(Math.max(client.last, 0)) };
        socket.send(
          JSON.stringify({ id: 1, method: 'subscription', params: { path: 'chat.onRoomEvent', input } }),
        );
        if (request.notifications) {
          socket.send(
            JSON.stringify({ id: 2, method: 'subscription', params: { path: 'notifications.onEvent' } }),
          );
        }
        const privateRoom = request.privateRoomIds[index];
        if (privateRoom) {
          // Nobody talks there: the tab resumes it from the start, as after loading its (empty) history.
          const room = { roomId: privateRoom, lastEventId: '0' };
          socket.send(
            JSON.stringify({
              id: 3,
              method: 'subscription',
              params: { path: 'chat.onRoomEvent', input: room },
            }),
          );
        }
      };
      FrameSocket.open(request.wsUrl, {
        headers: { authorization: `Bearer ${request.tokens[index]}` },
        localAddress: `127.0.0.${1 + (index % request.addresses)}`,
        onText: onFrame,
        onClose: retry,
      }).then(subscribe, (error: NodeJS.ErrnoException) => retry(error.code ?? error.message.slice(0, 40)));
    });

  const fresh = await freshCrowd(request);
  if ((await nextCommand()).type !== 'leave')
    throw new Error('the fresh crowd expected to be asked to leave');
  await leaveAll(fresh);
  process.send?.({ progress: { left: fresh.length } });
  if ((await nextCommand()).type !== 'connect')
    throw new Error('the tracked crowd expected to be asked to connect');
  const start = performance.now();
  await inWaves(0, clients.length, connect);
  while (live < clients.length) await sleep(10);
  const seconds = (performance.now() - start) / 1000;
  process.send?.({
    progress: { connected: clients.length, connectsPerSecond: Math.round(clients.length / seconds) },
  });

  for (;;) {
    const command = await nextCommand();
    if (command.type === 'end') break;
    if (command.type !== 'caughtUp') throw new Error(`unexpected command ${command.type}`);
    const deadline = Date.now() + command.timeoutMs;
    endings.clear();
    // By phase: each second, how many sockets are open and subscribed again, and how many have caught up.
    const timeline: [seconds: number, live: number, caughtUp: number][] = [];
    const behindNow = () => clients.filter((c) => c.last < command.position).length;
    for (let nextMark = Date.now(); behindNow() && Date.now() < deadline; await sleep(10)) {
      if (Date.now() < nextMark) continue;
      timeline.push([
        Math.round((Date.now() - command.since) / 100) / 10,
        live,
        clients.length - behindNow(),
      ]);
      nextMark += 1_000;
    }
    const behind = behindNow();
    process.send?.({
      progress: {
        caughtUpSeconds: Math.round(Date.now() - command.since) / 1000,
        behind,
        gaps: clients.reduce((n, c) => n + c.gaps, 0),
        duplicates: clients.reduce((n, c) => n + c.duplicates, 0),
        reconnects: clients.reduce((n, c) => n + c.reconnects, 0),
        endings: Object.fromEntries(endings),
        timeline,
      },
    });
  }
  return { done: true };
}

process.once('message', (request: ConnectionsRequest) => {
  run(request).then(
    (answer) => process.send?.(answer, undefined, {}, () => process.exit(0)),
    (error: Error) =>
      process.send?.({ error: error.stack ?? String(error) }, undefined, {}, () => process.exit(1)),
  );
});
