import { defineCommand } from '../command.ts';

/** "🎉 2 · 👍 1", or a word when there are none. */
const summary = (reactions: readonly { emoji: string; count: number }[]) =>
  reactions.length ? reactions.map((r) => `${r.emoji} ${r.count}`).join(' · ') : 'no reactions';

export const react = defineCommand({
  name: 'react',
  usage: '<message id> <emoji> [--remove]',
  summary: 'add an emoji reaction to a message, or take yours back',
  details: [
    'The emoji is one from the picker’s list (👍 ❤️ 😂 🎉 …); message ids are in `parley tail --json`.',
    'Adding twice, or removing what is not there, changes nothing.',
    '',
    'Examples: parley react 42 👍',
    '          parley react 42 👍 --remove',
  ],
  options: { remove: { type: 'boolean' } },
  arity: [2, 2],
  async run(cli, { values, positionals }) {
    const [messageId = '', emoji = ''] = positionals;
    const message = await cli.signedIn().chat.react.mutate({ messageId, emoji, on: !values.remove });
    cli.out.result(message, () => `Message ${message.id}: ${summary(message.reactions)}.`);
  },
});
