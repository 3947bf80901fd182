import { FrameSocket } from '../load/frame-socket.ts';
import { answeredKeepAlive } from '../load/socket-call.ts';

/** What a web tab also follows besides the public room (`bench/socket-memory.ts --tabs`). */
export interface TabStreams {
  /** The owner's notifications (id 2), started once its first count arrived. */
  notifications?: boolean;
  /** A private room (id 3), followed from position 0 as after loading its empty history. */
  privateRoomId?: number | null;
  /** The session's news (`auth.onSession`, id 4), started once it said "active". */
  session?: boolean;
}

/**
 * Opens a socket signed in by `token` (from 127.0.0.`1 + index % 8`, so that ports do not run out) and resolves
 * once its subscription to `roomId` has started, following the room from position 0 as the connections
 * scenario's clients do; and, when asked, once the other streams of a tab have started too.
 */
export async function followRoom(
  wsUrl: string,
  token: string,
  roomId: number,
  index = 0,
  tab: TabStreams = {},
  onFrame?: (frame: Buffer) => void,
): Promise<FrameSocket> {
  let waiting = 1 + (tab.notifications ? 1 : 0) + (tab.privateRoomId ? 1 : 0) + (tab.session ? 1 : 0);
  let started!: () => void;
  let failed!: (error: Error) => void;
  const allStarted = new Promise<void>((resolve, reject) => {
    started = resolve;
    failed = reject;
  });
  const socket = await FrameSocket.open(wsUrl, {
    headers: { authorization: `Bearer ${token}` },
    localAddress: `127.0.0.${1 + (index % 8)}`,
    onText: (data, socket) => {
      if (answeredKeepAlive(data, socket)) return;
      onFrame?.(data);
      if (waiting === 0) return;
      const streamStarted =
        data.includes('"started"') && (data.includes('"id":1') || data.includes('"id":3'));
      // The notifications stream has started once its first count arrived.
      if (streamStarted || data.includes('"notifications.read"') || data.includes('"active"')) {
        if (--waiting === 0) started();
      } else if (data.includes('"error"')) failed(new Error(String(data)));
    },
    onClose: (why) => failed(new Error(`closed before its streams started (${why})`)),
  });
  const subscribe = (id: number, path: string, input?: unknown) =>
    socket.send(JSON.stringify({ id, method: 'subscription', params: { path, input } }));
  subscribe(1, 'chat.onRoomEvent', { roomId, lastEventId: '0' });
  if (tab.notifications) subscribe(2, 'notifications.onEvent');
  if (tab.privateRoomId) subscribe(3, 'chat.onRoomEvent', { roomId: tab.privateRoomId, lastEventId: '0' });
  if (tab.session) subscribe(4, 'auth.onSession');
  await allStarted;
  return socket;
}
