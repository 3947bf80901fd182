import WebSocket from 'ws';

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
export function followRoom(
  wsUrl: string,
  token: string,
  roomId: number,
  index = 0,
  tab: TabStreams = {},
): Promise<WebSocket> {
  const socket = new WebSocket(wsUrl, {
    perMessageDeflate: false,
    headers: { authorization: `Bearer ${token}` },
    localAddress: `127.0.0.${1 + (index % 8)}`,
  });
  const subscribe = (id: number, path: string, input?: unknown) =>
    socket.send(JSON.stringify({ id, method: 'subscription', params: { path, input } }));
  return new Promise((resolve, reject) => {
    socket.once('open', () => {
      subscribe(1, 'chat.onRoomEvent', { roomId, lastEventId: '0' });
      if (tab.notifications) subscribe(2, 'notifications.onEvent');
      if (tab.privateRoomId)
        subscribe(3, 'chat.onRoomEvent', { roomId: tab.privateRoomId, lastEventId: '0' });
      if (tab.session) subscribe(4, 'auth.onSession');
    });
    let waiting = 1 + (tab.notifications ? 1 : 0) + (tab.privateRoomId ? 1 : 0) + (tab.session ? 1 : 0);
    socket.on('message', (data: Buffer) => {
      const started = data.includes('"started"') && (data.includes('"id":1') || data.includes('"id":3'));
      // The notifications stream has started once its first count arrived.
      if (started || data.includes('"notifications.read"') || data.includes('"active"')) {
        if (--waiting === 0) resolve(socket);
      } else if (data.includes('"error"')) reject(new Error(String(data)));
    });
    socket.once('error', reject);
  });
}
