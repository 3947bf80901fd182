/**
 * A restart storm, small: an instance crashes while many readers follow the public room, and the room keeps
 * talking through a second instance. When it comes back every reader reconnects at once, each with its own token,
 * and resumes from the last event it saw: each one ends with every event once, in order.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { apiTokenPrefix } from '../src/server/auth/api-tokens.ts';
import { issueToken } from '../src/server/auth/secrets.ts';
import { freePort } from '../src/server/db/database.ts';
import { chattyLimits } from './helpers/chat.ts';
import { rawMutation, rawQuery } from './helpers/http.ts';
import { processSuite } from './helpers/process-suite.ts';
import { eventually, pause, socketUrl } from './helpers/sockets.ts';
import { registerUser } from './helpers/users.ts';

// More than one turn's writes (500): live events reach them in rounds spread over turns.
const readerCount = 600;
const suite = processSuite();
/** Every reader made, stopped after the file even if a test failed midway (they would reconnect for ever). */
const readers: Reader[] = [];
const env = { ...chattyLimits, WS_MAX_CONNECTIONS_PER_USER: String(readerCount * 2) };

afterAll(() => {
  for (const reader of readers) reader.stop();
});

const startServer = (port: number) => suite.spawn(port, env);

/** Personal tokens for `userId`, written straight to the table: a script's owner would make them one by one. */
async function tokensOf(userId: number, count: number): Promise<string[]> {
  const tokens = Array.from({ length: count }, () => issueToken(apiTokenPrefix));
  await suite.db.query(
    `insert into api_tokens (id, user_id, name, secret_hash, created_at)
     select id, $2, 'reader', hash, now() from unnest($1::text[], $3::bytea[]) as t(id, hash)`,
    [tokens.map((t) => t.id), userId, tokens.map((t) => t.secretHash)],
  );
  return tokens.map((t) => t.token);
}

/** A reader as a script holds one: a socket with its token, reconnecting after a drop from the last position. */
interface Reader {
  positions: number[];
  live: boolean;
  stop(): void;
}

function follow(url: string, token: string, roomId: number, from: number): Reader {
  const reader: Reader = { positions: [], live: false, stop: () => {} };
  let stopped = false;
  let socket: WebSocket;
  const connect = () => {
    socket = new WebSocket(socketUrl(url), { headers: { authorization: `Bearer ${token}` } });
    socket.on('error', () => {});
    socket.once('open', () => {
      const lastEventId = String(reader.positions.at(-1) ?? from);
      const input = { roomId, lastEventId };
      socket.send(
        JSON.stringify({ id: 1, method: 'subscription', params: { path: 'chat.onRoomEvent', input } }),
      );
    });
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { result?: { type: string; id?: string } };
      if (frame.result?.type === 'started') reader.live = true;
      if (frame.result?.id) reader.positions.push(Number(frame.result.id));
    });
    socket.once('close', () => {
      reader.live = false;
      // All at once, as after a crash: a short pause with a spread, then from the last position seen.
      if (!stopped) setTimeout(connect, 50 + Math.random() * 200);
    });
  };
  connect();
  reader.stop = () => {
    stopped = true;
    socket.close();
  };
  return reader;
}

it('after a crash, many readers reconnecting at once all resume: every event once, in order', async () => {
  const [portA, portB] = [await freePort(), await freePort()];
  let a = await startServer(portA);
  const b = await startServer(portB);
  const ann = await registerUser(b, { displayName: 'Ann' });
  const cookie = { cookie: ann.cookie };
  const roomId = ((await rawQuery(b.url, 'chat.publicRoom', undefined, cookie)).data as { id: number }).id;
  const send = (body: string) =>
    rawMutation(
      b.url,
      'chat.send',
      { roomId, clientId: `storm-${randomBytes(6).toString('hex')}`, body },
      cookie,
    );
  const first = (await send('before the readers')).data as { seq: number };

  const tokens = await tokensOf(ann.me.id, readerCount);
  readers.push(...tokens.map((token) => follow(a.url, token, roomId, first.seq)));
  await eventually(() => (readers.every((r) => r.live) ? true : undefined), 'every reader live', 20_000);

  // The room keeps talking through B while A crashes and comes back.
  let talking = true;
  const talk = (async () => {
    for (let i = 0; talking; i++) {
      await send(`storm message ${i}`);
      await pause(20);
    }
  })();
  await pause(300);
  await a.stop('SIGKILL');
  await pause(500);
  a = await startServer(portA);
  await eventually(() => (readers.every((r) => r.live) ? true : undefined), 'every reader back', 20_000);
  await pause(300);
  talking = false;
  await talk;
  const last = ((await send('the storm is over')).data as { seq: number }).seq;

  await eventually(
    () => (readers.every((r) => r.positions.at(-1) === last) ? true : undefined),
    'every reader caught up',
    20_000,
  );
  const dense = Array.from({ length: last - first.seq }, (_, i) => first.seq + 1 + i);
  for (const reader of readers) expect(reader.positions).toEqual(dense);
  // Two instances started, one crashed and started again, 600 sockets twice: more than a plain test's 30 s when the
  // machine is busy.
}, 90_000);
