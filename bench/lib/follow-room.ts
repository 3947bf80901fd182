import WebSocket from 'ws';

/**
 * Opens a socket signed in by `token` (from 127.0.0.`1 + index % 8`, so that ports do not run out) and resolves
 * once its subscription to `roomId` has started, following the room from position 0 as the connections
 * scenario's clients do.
 */
export function followRoom(
  wsUrl: string,
  token: string,
  roomId: number,
  index = 0,
  /** Also opens the owner's notifications (id 2), as every web tab does, and resolves once both started. */
  notifications = false,
): Promise<WebSocket> {
  const socket = new WebSocket(wsUrl, {
    perMessageDeflate: false,
    headers: { authorization: `Bearer ${token}` },
    localAddress: `127.0.0.${1 + (index % 8)}`,
  });
  return new Promise((resolve, reject) => {
    socket.once('open', () => {
      const input = { roomId, lastEventId: '0' };
      socket.send(
        JSON.stringify({ id: 1, method: 'subscription', params: { path: 'chat.onRoomEvent', input } }),
      );
      if (notifications) {
        socket.send(
          JSON.stringify({ id: 2, method: 'subscription', params: { path: 'notifications.onEvent' } }),
        );
      }
    });
    let waiting = notifications ? 2 : 1;
    socket.on('message', (data: Buffer) => {
      // The notifications stream has started once its first count arrived.
      const started = data.includes('"started"') && data.includes('"id":1');
      if (started || data.includes('"notifications.read"')) {
        if (--waiting === 0) resolve(socket);
      } else if (data.includes('"error"')) reject(new Error(String(data)));
    });
    socket.once('error', reject);
  });
}
