import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chattyLimits,
  newClientId,
  people,
  privateRoomOf,
  publicRoomId,
  say,
  sayEach,
} from './helpers/chat.ts';
import { codeOf, rejection } from './helpers/errors.ts';
import type { Client, Person } from './helpers/people.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';

let server: TestServer;
let publicRoom: number;
let ann: Person;
let ben: Person;

beforeAll(async () => {
  server = await startTestServer({ env: { ...chattyLimits, RATE_SEARCHES_PER_MINUTE: '100000' } });
  [ann, ben] = await people(server, 'Ann Archer', 'Ben Baker');
  publicRoom = await publicRoomId(ann.client);
});

afterAll(async () => {
  await server?.close();
});

/** A word no other test writes ('k' is no hex digit, so the random part cannot make one by chance). */
const newWord = () => `k${randomBytes(3).toString('hex')}`;

type HistoryPage = Awaited<ReturnType<Client['chat']['history']['query']>>;
/** A page opened at a place (`aroundSeq`, `afterSeq`) says where the next newer page starts. */
const newerCursorOf = (page: HistoryPage): number | null | undefined =>
  'newerCursor' in page ? (page.newerCursor as number | null) : undefined;

async function bodiesFound(client: Client, query: string, roomId?: number): Promise<string[]> {
  const { items } = await client.search.messages.query({ query, roomId, limit: 50 });
  return items.map((hit) => hit.message.body);
}

/** The words a result marks, as the client would show them. */
const marked = (snippet: { text: string; highlights: { start: number; end: number }[] }) =>
  snippet.highlights.map((h) => snippet.text.slice(h.start, h.end));

describe('searching messages', () => {
  it('finds a message by a word whatever its case, with the words that matched marked in plain text', async () => {
    const word = newWord();
    const sent = await say(
      ben.client,
      publicRoom,
      `Lunch at the ${word.toUpperCase()} café? <b>bring</b> snacks`,
    );
    await say(ben.client, publicRoom, 'Something else entirely');

    const { items, nextCursor } = await ann.client.search.messages.query({ query: `${word} cafÉ` });

    expect(items).toHaveLength(1);
    expect(items[0]?.message).toMatchObject({ id: sent.id, roomId: publicRoom, seq: sent.seq });
    expect(items[0]?.message.sender.displayName).toBe('Ben Baker');
    expect(items[0]?.room).toMatchObject({ id: publicRoom, kind: 'public' });
    // Markup people type stays text: the snippet is the message's own characters.
    expect(items[0]?.snippet.text).toBe(sent.body);
    expect(marked(items[0]!.snippet)).toEqual([word.toUpperCase(), 'café']);
    expect(nextCursor).toBeNull();
  });

  it('needs every word, and takes the last one as the start of a longer word', async () => {
    const word = newWord();
    await sayEach(ann.client, publicRoom, [
      `${word} planning meeting at noon`,
      `${word} planning at noon`,
      `the meeting about ${word}`,
    ]);

    expect(await bodiesFound(ben.client, `${word} meet`)).toEqual(
      expect.arrayContaining([`${word} planning meeting at noon`, `the meeting about ${word}`]),
    );
    expect(await bodiesFound(ben.client, `${word} meet`)).toHaveLength(2);
    expect(await bodiesFound(ben.client, `${word} planning noon`)).toHaveLength(2);
  });

  it('puts the best match first: the words close together in a short message', async () => {
    const word = newWord();
    await sayEach(ben.client, publicRoom, [
      `${word} is mentioned once here, in a long message about many other things entirely, ${'and more '.repeat(8)}`,
      `${word} ${word}`,
    ]);

    expect(await bodiesFound(ann.client, word)).toEqual([
      `${word} ${word}`,
      expect.stringContaining('mentioned once'),
    ]);
  });

  it('cuts a long message to the stretch around the match and says so', async () => {
    const word = newWord();
    await say(
      ann.client,
      publicRoom,
      `${'filler words here '.repeat(30)}the ${word} is here ${'and more '.repeat(40)}`,
    );

    const [hit] = (await ben.client.search.messages.query({ query: word })).items;

    expect(hit?.snippet.cutBefore).toBe(true);
    expect(hit?.snippet.cutAfter).toBe(true);
    expect(hit?.snippet.text.length).toBeLessThanOrEqual(240);
    expect(marked(hit!.snippet)).toEqual([word]);
  });

  it('pages through many hits without repeating one', async () => {
    const word = newWord();
    await sayEach(
      ann.client,
      publicRoom,
      Array.from({ length: 5 }, (_, i) => `${word} number ${i}`),
    );
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await ben.client.search.messages.query({ query: word, limit: 2, cursor });
      seen.push(...page.items.map((hit) => hit.message.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);

    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(5);
  });

  it('shows a hit as history shows the message: its quote and reactions too', async () => {
    const word = newWord();
    const original = await say(ann.client, publicRoom, 'Who brings the snacks?');
    const { id } = await ben.client.chat.send.mutate({
      roomId: publicRoom,
      clientId: newClientId(),
      body: `${word} I do`,
      replyToId: original.id,
    });
    await ann.client.chat.react.mutate({ messageId: id, emoji: '👍', on: true });

    const [hit] = (await ben.client.search.messages.query({ query: word })).items;
    const history = await ben.client.chat.history.query({ roomId: publicRoom, limit: 5 });

    expect(hit?.message.replyTo).toMatchObject({ id: original.id, excerpt: 'Who brings the snacks?' });
    expect(hit?.message.reactions).toMatchObject([{ emoji: '👍', count: 1 }]);
    expect(hit?.message).toEqual(history.items.find((message) => message.id === id));
  });

  it('never finds a deleted message', async () => {
    const word = newWord();
    const gone = await say(ann.client, publicRoom, `${word} oops, wrong room`);
    await ann.client.chat.delete.mutate({ messageId: gone.id });

    expect(await bodiesFound(ben.client, word)).toEqual([]);
  });
});

describe('every word people type is found, whatever stands around it', () => {
  it('finds the words of a comparison written with < and >', async () => {
    const word = newWord();
    const sent = await say(ann.client, publicRoom, `if x<${word} and width>height then swap`);

    for (const query of [word, `${word} and width`, `width>height ${word}`]) {
      expect(await bodiesFound(ben.client, query)).toEqual([sent.body]);
    }
    const [hit] = (await ben.client.search.messages.query({ query: `width ${word}` })).items;
    expect(marked(hit!.snippet)).toEqual([word, 'width']);
  });

  it('finds pasted code by its identifiers, tags and calls included', async () => {
    const word = newWord();
    const sent = await say(
      ben.client,
      publicRoom,
      `<script>alert(1)</script><img src=x onerror=${word}()> and then user.${word}Count++`,
    );

    expect(await bodiesFound(ann.client, `alert ${word}`)).toEqual([sent.body]);
    expect(await bodiesFound(ann.client, `onerror ${word}`)).toEqual([sent.body]);
    expect(await bodiesFound(ann.client, `${word}Count`)).toEqual([sent.body]);
    const [hit] = (await ann.client.search.messages.query({ query: `script img ${word}` })).items;
    expect(marked(hit!.snippet)).toEqual(['script', 'script', 'img', word, `${word}Count`]);
  });

  it('finds a web address by its host, its path or the whole of it, and a mail address by its name', async () => {
    const word = newWord();
    const link = await say(
      ann.client,
      publicRoom,
      `Release notes: https://example.com/${word}/notes?draft=1`,
    );
    const mail = await say(ann.client, publicRoom, `or write to ${word}@example.org`);

    expect(await bodiesFound(ben.client, 'example.com')).toContain(link.body);
    expect(await bodiesFound(ben.client, `example.com/${word}`)).toEqual([link.body]);
    expect(await bodiesFound(ben.client, `https://example.com/${word}/notes`)).toEqual([link.body]);
    expect(await bodiesFound(ben.client, `${word}@example.org`)).toEqual([mail.body]);
    expect(await bodiesFound(ben.client, word)).toEqual(expect.arrayContaining([link.body, mail.body]));
    const [hit] = (await ben.client.search.messages.query({ query: `example.com/${word}` })).items;
    expect(marked(hit!.snippet)).toEqual(['example', 'com', word]);
  });

  it('finds words whose letters carry vowel signs and other marks: Thai, Hindi, Tamil, Arabic', async () => {
    const word = newWord();
    const sent = await say(ben.client, publicRoom, `${word} สวัสดี ครับ, नमस्ते दुनिया, வணக்கம், مَرْحَبًا`);

    for (const greeting of ['สวัสดี', 'नमस्ते', 'வணக்கம்', 'مَرْحَبًا']) {
      expect(await bodiesFound(ann.client, `${word} ${greeting}`)).toEqual([sent.body]);
    }
    const [hit] = (await ann.client.search.messages.query({ query: `नमस्ते ${word}` })).items;
    expect(marked(hit!.snippet)).toEqual([word, 'नमस्ते']);
  });
});

describe('whose messages a search reaches', () => {
  it("finds one's own private conversations and the public room, never other people's private rooms", async () => {
    const [cleo, dan, eve] = await people(server, 'Cleo', 'Dan', 'Eve');
    const word = newWord();
    const cleoAndDan = await privateRoomOf(cleo, dan);
    const danAndEve = await privateRoomOf(dan, eve);
    await say(cleo.client, cleoAndDan.id, `${word} between Cleo and Dan`);
    await say(dan.client, danAndEve.id, `${word} between Dan and Eve`);
    await say(eve.client, publicRoom, `${word} for everyone`);

    expect(new Set(await bodiesFound(cleo.client, word))).toEqual(
      new Set([`${word} between Cleo and Dan`, `${word} for everyone`]),
    );
    expect(await bodiesFound(dan.client, word)).toHaveLength(3);
    expect(await bodiesFound(cleo.client, word, cleoAndDan.id)).toEqual([`${word} between Cleo and Dan`]);
    // A private room is named after the other person, as in the reader's room list.
    const [hit] = (await dan.client.search.messages.query({ query: word, roomId: cleoAndDan.id })).items;
    expect(hit?.room).toEqual({ id: cleoAndDan.id, kind: 'private', name: 'Cleo' });
  });

  it("refuses to search a room one cannot read, and says a room does not exist when it doesn't", async () => {
    const [fay, gus, hal] = await people(server, 'Fay', 'Gus', 'Hal');
    const word = newWord();
    const theirs = await privateRoomOf(gus, hal);
    await say(gus.client, theirs.id, `${word} private words`);

    const refused = await rejection(fay.client.search.messages.query({ query: word, roomId: theirs.id }));
    expect(refused.data?.code).toBe('FORBIDDEN');
    expect(refused.message).toMatch(/not a member/);
    expect(await codeOf(fay.client.search.messages.query({ query: word, roomId: 999_999 }))).toBe(
      'NOT_FOUND',
    );
    expect(await bodiesFound(fay.client, word)).toEqual([]);
  });

  it('keeps a private history searchable after an unfriend', async () => {
    const [ida, jon] = await people(server, 'Ida', 'Jon');
    const word = newWord();
    const room = await privateRoomOf(ida, jon);
    await say(jon.client, room.id, `${word} the address is 12 Elm Street`);
    await ida.client.friends.remove.mutate({ userId: jon.id });

    expect(await bodiesFound(ida.client, `${word} elm`)).toEqual([`${word} the address is 12 Elm Street`]);
    expect(await bodiesFound(ida.client, word, room.id)).toHaveLength(1);
  });

  it('leaves out the conversation with someone who blocked the reader, as the room list does', async () => {
    const [kai, lou] = await people(server, 'Kai', 'Lou');
    const word = newWord();
    const room = await privateRoomOf(kai, lou);
    await say(lou.client, room.id, `${word} see you soon`);
    await lou.client.friends.block.mutate({ userId: kai.id });

    expect(await bodiesFound(kai.client, word)).toEqual([]);
    expect(await bodiesFound(lou.client, word)).toEqual([`${word} see you soon`]);
  });

  it('is for signed-in people', async () => {
    const visitor = server.client();
    expect(await codeOf(visitor.search.messages.query({ query: 'hello' }))).toBe('UNAUTHORIZED');
  });
});

describe('what a search refuses', () => {
  it.each([
    ['one character', 'a', /at least 2 characters/],
    ['more than 100 characters', 'x'.repeat(101), /at most 100 characters/],
    ['no letters or digits', '?!', /letters or digits/],
    ['more than 8 words', 'a b c d e f g h i', /at most 8 words/],
  ])('refuses %s, saying why next to the search field', async (_, query, reason) => {
    const error = await rejection(ann.client.search.messages.query({ query }));
    expect(error.data?.code).toBe('BAD_REQUEST');
    expect(error.data?.fieldErrors?.query?.join(' ')).toMatch(reason);
  });

  it('refuses a cursor it did not give', async () => {
    expect(await codeOf(ann.client.search.messages.query({ query: 'hello', cursor: "1' or 1=1" }))).toBe(
      'BAD_REQUEST',
    );
  });

  it('limits how often one person searches, saying how long to wait', async () => {
    const limited = await startTestServer({ env: { ...chattyLimits, RATE_SEARCHES_PER_MINUTE: '2' } });
    try {
      const [kim] = await people(limited, 'Kim');
      await kim!.client.search.messages.query({ query: 'hello' });
      await kim!.client.search.messages.query({ query: 'hello' });
      const error = await rejection(kim!.client.search.messages.query({ query: 'hello' }));
      expect(error.data?.code).toBe('TOO_MANY_REQUESTS');
      expect(error.data?.retryAfterSeconds).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });
});

describe('opening the history at a message', () => {
  it('loads the messages around a search hit, with a way on in both directions', async () => {
    const [lea, max] = await people(server, 'Lea', 'Max');
    const room = await privateRoomOf(lea, max);
    const sent = await sayEach(
      lea.client,
      room.id,
      Array.from({ length: 20 }, (_, i) => `message ${i + 1}`),
    );
    const hit = sent[9]!;

    const around = await max.client.chat.history.query({ roomId: room.id, aroundSeq: hit.seq, limit: 6 });
    expect(around.items.map((m) => m.body)).toEqual([
      'message 13',
      'message 12',
      'message 11',
      'message 10',
      'message 9',
      'message 8',
    ]);

    const newer = await max.client.chat.history.query({
      roomId: room.id,
      afterSeq: newerCursorOf(around)!,
      limit: 6,
    });
    expect(newer.items.map((m) => m.body)).toEqual([
      'message 19',
      'message 18',
      'message 17',
      'message 16',
      'message 15',
      'message 14',
    ]);
    const newest = await max.client.chat.history.query({
      roomId: room.id,
      afterSeq: newerCursorOf(newer)!,
      limit: 6,
    });
    expect(newest.items.map((m) => m.body)).toEqual(['message 20']);
    expect(newerCursorOf(newest)).toBeNull();

    // Older pages go on as before, from the window's oldest message.
    const older = await max.client.chat.history.query({
      roomId: room.id,
      beforeSeq: around.nextCursor!,
      limit: 3,
    });
    expect(older.items.map((m) => m.body)).toEqual(['message 7', 'message 6', 'message 5']);
  });

  it('takes one place to start from at a time', async () => {
    const error = await rejection(
      ann.client.chat.history.query({ roomId: publicRoom, beforeSeq: 5, aroundSeq: 3 }),
    );
    expect(error.data?.code).toBe('BAD_REQUEST');
  });
});
