import type { Snippet } from '../../shared/search.ts';
import { defineCommand } from '../command.ts';
import { UsageError } from '../errors.ts';
import { printable, who } from '../output.ts';
import { resolveRoom } from '../resolve.ts';

/** The snippet on one line, each matched word between asterisks (a terminal has no highlighter). */
export function markedSnippet(snippet: Snippet): string {
  let text = '';
  let at = 0;
  for (const { start, end } of snippet.highlights) {
    text += `${snippet.text.slice(at, start)}*${snippet.text.slice(start, end)}*`;
    at = end;
  }
  text += snippet.text.slice(at);
  const line = printable(text).replace(/\s+/g, ' ').trim();
  return `${snippet.cutBefore ? '…' : ''}${line}${snippet.cutAfter ? '…' : ''}`;
}

export const search = defineCommand({
  name: 'search',
  usage: '<words...> [--room <room>] [--limit <n>]',
  summary: 'find messages in the public room and your conversations, best match first',
  details: [
    'Every word must appear; the last one may begin a longer word. Matched words are shown *like this*.',
    'A room is `public`, a room id, or @username for the private room with a friend; without it, every room.',
    '',
    'Example: parley search deploy friday --room public',
  ],
  options: { room: { type: 'string' }, limit: { type: 'string' } },
  arity: [1, Number.POSITIVE_INFINITY],
  async run(cli, { values, positionals }) {
    const limit = values.limit === undefined ? 20 : Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 50) {
      throw new UsageError('--limit is a number from 1 to 50.', 'search');
    }
    const client = cli.signedIn();
    const room = values.room ? await resolveRoom(client, values.room) : null;
    const page = await client.search.messages.query({
      query: positionals.join(' '),
      roomId: room?.id,
      limit,
    });
    cli.out.result(page, () =>
      page.items.length === 0
        ? 'No messages match.'
        : page.items.flatMap((hit) => [
            `${printable(hit.room.name)} · ${who(hit.message.sender)} · ${hit.message.createdAt} · message ${hit.message.seq}`,
            `  ${markedSnippet(hit.snippet)}`,
          ]),
    );
  },
});
