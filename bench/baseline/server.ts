/**
 * The reference every fan-out figure is compared with: a bare `ws` server that relays each text frame a client
 * sends to every other connected client, unchanged. No auth, no storage, no protocol: the floor of what a
 * delivery costs on this machine. Prints `listening <port>` when ready.
 */
import { WebSocketServer } from 'ws';

const wss = new WebSocketServer({
  host: '127.0.0.1',
  port: Number(process.env.PORT ?? 0),
  perMessageDeflate: false,
});
wss.on('connection', (socket) => {
  socket.on('message', (data, isBinary) => {
    if (isBinary) return;
    const frame = data.toString();
    for (const client of wss.clients) if (client !== socket && client.readyState === 1) client.send(frame);
  });
});
wss.on('listening', () => {
  const address = wss.address();
  process.stdout.write(`listening ${typeof address === 'string' ? address : address?.port}\n`);
});
process.once('SIGTERM', () => wss.close(() => process.exit(0)));
