import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { messageIdSchema } from '../../shared/chat.ts';
import { defineCommand } from '../command.ts';
import { isTransient, UsageError } from '../errors.ts';
import { uploadImages } from '../images.ts';
import { readAll } from '../prompt.ts';
import { resolveRoom } from '../resolve.ts';

const retryDelaysMs = [500, 1_000, 2_000, 4_000];

export const send = defineCommand({
  name: 'send',
  usage: '<room> [text...] [--image <file> [--alt <description>]]... [--reply-to <message id>]',
  summary: 'send a message to a room',
  details: [
    'A room is `public`, a room id, or @username for the private room with a friend.',
    'Words after the room are joined with spaces; `-` reads the message from stdin.',
    'A network failure is retried with the same message id, so the message is never sent twice.',
    '--reply-to <id> answers a message of the same room (`parley tail` shows ids with --json).',
    '--image <file> attaches a PNG, JPEG, WebP or still GIF (up to 4; repeat the option); the text may then be left out.',
    '--alt <description> says what an image shows, for people who cannot see it: the first --alt goes with the first --image.',
    '',
    'Examples: parley send public "hello, everyone"',
    '          echo "build is green" | parley send @ann -',
    '          parley send public --reply-to 1234 "I will bring it"',
    '          parley send @ann --image build-graph.png --alt "Build minutes per day, rising" "slower since Monday"',
  ],
  options: {
    'reply-to': { type: 'string' },
    image: { type: 'string', multiple: true },
    alt: { type: 'string', multiple: true },
  },
  arity: [1, Number.POSITIVE_INFINITY],
  async run(cli, { positionals, values }) {
    const [roomText = '', ...words] = positionals;
    const replyToId = values['reply-to'] ?? null;
    if (replyToId !== null && !messageIdSchema.safeParse(replyToId).success) {
      throw new UsageError('--reply-to takes a message id: a number.', 'send');
    }
    const images = values.image ?? [];
    const descriptions = values.alt ?? [];
    if (descriptions.length > images.length)
      throw new UsageError('Each --alt describes one --image.', 'send');
    if (words.length === 0 && images.length === 0) throw new UsageError('Missing arguments.', 'send');
    const body = words.length === 1 && words[0] === '-' ? (await readAll()).trim() : words.join(' ');
    if (!body.trim() && images.length === 0) throw new UsageError('The message is empty.', 'send');
    const client = cli.signedIn();
    const room = await resolveRoom(client, roomText);
    const attachmentIds = images.length
      ? await uploadImages(client, room.id, images, descriptions)
      : undefined;
    // One id for this message, kept across retries: the server stores it once however often it arrives.
    const clientId = `cli_${randomBytes(12).toString('base64url')}`;
    for (let attempt = 0; ; attempt++) {
      try {
        const input = { roomId: room.id, clientId, body, replyToId, attachmentIds };
        const message = await client.chat.send.mutate(input);
        cli.out.result(message, () => `Sent to ${room.name} (message ${message.id}).`);
        return;
      } catch (error) {
        const delay = retryDelaysMs[attempt];
        if (delay === undefined || !isTransient(error)) throw error;
        cli.out.notice(`(Sending failed: ${(error as Error).message}; trying again.)`);
        await sleep(delay);
      }
    }
  },
});
