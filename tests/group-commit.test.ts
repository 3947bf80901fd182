/**
 * Group commit: sends to one room that arrive together are stored by one statement, yet each is acknowledged on
 * its own — stored once, at dense positions in the order given, delivered live in that order — and a send refused
 * among them is refused alone.
 */
import { expect, it } from 'vitest';
import {
  chattyLimits,
  followRoom,
  type Message,
  newClientId,
  people,
  publicRoomId,
  received,
  say,
} from './helpers/chat.ts';
import { codeOf } from './helpers/errors.ts';
import type { Person } from './helpers/people.ts';
import { serverSuite } from './helpers/server-suite.ts';

const suite = serverSuite({ env: chattyLimits });

/** How each acknowledged message is stored: its position, copies, and how many transactions stored them all. */
async function storedBy(roomId: number, sent: readonly Message[]) {
  const { rows } = await suite.db.query<{ client_id: string; seq: string; copies: string }>(
    `select client_id, min(seq) as seq, count(*) as copies from messages
      where room_id = $1 and client_id = any($2::text[]) group by client_id`,
    [roomId, sent.map((message) => message.clientId)],
  );
  // Rows written by one statement share its transaction id.
  const [transactions] = (
    await suite.db.query<{ count: string }>(
      'select count(distinct xmin::text) from messages where room_id = $1 and client_id = any($2::text[])',
      [roomId, sent.map((message) => message.clientId)],
    )
  ).rows;
  return {
    seqByClientId: new Map(rows.map((row) => [row.client_id, Number(row.seq)])),
    copies: rows.map((row) => Number(row.copies)),
    transactions: Number(transactions?.count),
  };
}

/** Every person sends `each` messages at once, all of them in flight together. */
function sendTogether(senders: readonly Person[], roomId: number, each: number) {
  return Promise.allSettled(
    senders.flatMap((person) =>
      Array.from({ length: each }, (_, i) => say(person.client, roomId, `${person.displayName} ${i}`)),
    ),
  );
}

const dense = (seqs: number[]) => {
  const sorted = [...seqs].sort((a, b) => a - b);
  return sorted.every((seq, i) => i === 0 || seq === (sorted[i - 1] ?? 0) + 1);
};

it('many sends at once to one room: each acknowledged and stored once, dense, live in order, fewer statements', async () => {
  const senders = await people(suite.server, 'Ann', 'Ben', 'Cat', 'Dan', 'Eve', 'Fay', 'Gus', 'Hal');
  const roomId = await publicRoomId(senders[0].client);
  const { items } = await senders[0].client.chat.history.query({ roomId, limit: 1 });
  const watching = followRoom(senders[0].client, roomId, String(items[0]?.seq ?? 0));

  const answers = await sendTogether(senders, roomId, 8);
  const sent = answers.map((answer) => (answer.status === 'fulfilled' ? answer.value : null));
  expect(sent.filter((message) => message === null)).toEqual([]);
  const messages = sent.filter((message): message is Message => message !== null);

  const stored = await storedBy(roomId, messages);
  expect(stored.copies).toEqual(messages.map(() => 1));
  for (const message of messages) expect(stored.seqByClientId.get(message.clientId)).toBe(message.seq);
  expect(dense(messages.map((message) => message.seq))).toBe(true);
  expect(stored.transactions).toBeLessThan(messages.length);

  const live = await received(watching, messages.length);
  const positions = live.map((event) => Number(event.id));
  expect(positions).toEqual([...positions].sort((a, b) => a - b));
  expect(new Set(positions)).toEqual(new Set(messages.map((message) => message.seq)));
  watching.stop();
});

it('a send refused among others (a muted sender) is refused alone: the others are stored, dense', async () => {
  const [muted, ...senders] = await people(suite.server, 'Mute', 'Ivy', 'Jon', 'Kim', 'Lou');
  const roomId = await publicRoomId(muted.client);
  await suite.db.query(`update users set muted_until = now() + interval '1 hour' where id = $1`, [muted.id]);

  const [refusal, answers] = await Promise.all([
    codeOf(say(muted.client, roomId, 'shh')),
    sendTogether(senders, roomId, 4),
  ]);
  expect(refusal).toBe('FORBIDDEN');
  const messages = answers.flatMap((answer) => (answer.status === 'fulfilled' ? [answer.value] : []));
  expect(messages).toHaveLength(16);
  const stored = await storedBy(roomId, messages);
  expect(stored.copies).toEqual(messages.map(() => 1));
  expect(dense(messages.map((message) => message.seq))).toBe(true);
  const { rows } = await suite.db.query('select 1 from messages where sender_id = $1', [muted.id]);
  expect(rows).toEqual([]);
});

it('a retry sent together with its first copy and others: one copy, and the others stored once', async () => {
  const [ann, ben] = await people(suite.server, 'Ann', 'Ben');
  const roomId = await publicRoomId(ann.client);
  const clientId = newClientId();
  const answers = await Promise.all([
    say(ann.client, roomId, 'once', clientId),
    say(ann.client, roomId, 'once', clientId),
    ...[0, 1, 2, 3, 4, 5].map((i) => say(ben.client, roomId, `Ben ${i}`)),
  ]);
  const [first, retry, ...others] = answers;
  expect(retry?.id).toBe(first?.id);
  const stored = await storedBy(roomId, answers);
  expect(stored.copies).toEqual(answers.slice(1).map(() => 1));
  expect(dense([first?.seq ?? 0, ...others.map((message) => message.seq)])).toBe(true);
});
