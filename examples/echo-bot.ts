/**
 * An echo bot for the public room: to every message that starts with "!echo " it answers "echo: <the rest>".
 *
 *   PARLEY_URL=http://localhost:3000 PARLEY_TOKEN=parley_… node --import tsx examples/echo-bot.ts
 */
import { createParleyClient } from '../src/sdk/index.ts';

const url = process.env.PARLEY_URL ?? 'http://localhost:3000';
const token = process.env.PARLEY_TOKEN;
if (!token) {
  console.error(
    'Set PARLEY_TOKEN to a personal API token (auth.createToken, or the one `parley login` stored).',
  );
  process.exit(2);
}

const parley = createParleyClient({ url, token });
const me = await parley.auth.me.query();
if (!me) throw new Error('The server does not accept that token.');
const room = await parley.chat.publicRoom.query();
const trigger = '!echo ';

const subscription = parley.chat.onRoomEvent.subscribe(
  { roomId: room.id },
  {
    async onData({ data }) {
      const { message } = data;
      if (data.type !== 'message.created' || message.sender.id === me.id) return;
      if (!message.body.startsWith(trigger)) return;
      const text = message.body.slice(trigger.length).trim();
      if (!text) return;
      // The reply's clientId comes from the message it answers: if the bot sees a message twice (a reconnect, a
      // restart), the server keeps one reply.
      await parley.chat.send
        .mutate({
          roomId: room.id,
          clientId: `echo_reply_${message.id}`,
          body: `echo: ${text}`,
          // A true reply: readers see the message it answers quoted above it.
          replyToId: message.id,
        })
        .catch((error: Error) => console.error(`Could not reply to message ${message.id}: ${error.message}`));
    },
    onError(error) {
      console.error(error.message);
      process.exit(1);
    },
  },
);

console.log(`Echoing in ${room.name} as @${me.username}; Ctrl-C to stop.`);
process.once('SIGINT', () => {
  subscription.unsubscribe();
  process.exit(0);
});
