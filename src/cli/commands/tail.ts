import { type TRPCClient, TRPCClientError } from '@trpc/client';
import type { AppRouter } from '../../sdk/index.ts';
import { defineCommand } from '../command.ts';
import { CliError, UsageError } from '../errors.ts';
import { formatMessage, type Message, messageLine, type RoomEventType, stateOf } from '../messages.ts';
import { resolveRoom } from '../resolve.ts';

/** The server closes a socket with this code when its token or session has ended (revoked, banned). */
const sessionEndedCode = 4401;

export const tail = defineCommand({
  name: 'tail',
  usage: '<room> [--history <n>]',
  summary: 'print a room live: the last messages, then each new one as it arrives',
  details: [
    'A room is `public`, a room id, or @username. When the connection drops, tail reconnects by itself and',
    'picks up after the last event it printed, so nothing is lost or shown twice. Ctrl-C stops it.',
    'With --json, each message is one line: {"type","position","message"}, type being history,',
    'message.created, message.edited or message.deleted. Status notes go to stderr.',
    '',
    '  -n, --history <n>   how many earlier messages to print first (default 20, at most 100)',
  ],
  options: { history: { type: 'string', short: 'n', default: '20' } },
  arity: [1, 1],
  async run(cli, { values, positionals }) {
    const historySize = Number(values.history);
    if (!Number.isInteger(historySize) || historySize < 0 || historySize > 100) {
      throw new UsageError('--history is a number from 0 to 100.', 'tail');
    }
    let finish: (error: unknown) => void = () => {};
    const finished = new Promise<unknown>((resolve) => {
      finish = resolve;
    });
    const stop = () => finish(null);
    process.once('SIGINT', stop).once('SIGTERM', stop);
    const connection = cli.connect({
      onSocketClose: (code) => {
        if (code === sessionEndedCode) {
          finish(new CliError('The server ended this session: the token was revoked or the account banned.'));
        }
      },
    });
    const { client } = connection;
    try {
      const room = await resolveRoom(client, positionals[0] ?? '');
      // Even with --history 0, the newest position is where the live stream resumes from, so nothing falls between.
      const { items } = await client.chat.history.query({ roomId: room.id, limit: Math.max(historySize, 1) });
      const shown = new Map<string, string>();
      const print = (type: RoomEventType | 'history', position: number, message: Message) =>
        cli.out.result(messageLine(type, position, message), () => formatMessage(message, type));
      for (const message of items.slice(0, historySize).reverse()) {
        shown.set(message.id, stateOf(message));
        print('history', message.seq, message);
      }
      let last = items[0]?.seq ?? 0;
      let started = false;
      const tokenCheck = throttledTokenCheck(client);
      let lost = false;
      const subscription = client.chat.onRoomEvent.subscribe(
        { roomId: room.id, lastEventId: String(last) },
        {
          onStarted() {
            if (!started) cli.out.notice(`Following ${room.name}; Ctrl-C to stop.`);
            else if (lost) cli.out.notice('Reconnected.');
            started = true;
            lost = false;
          },
          onData({ id, data }) {
            const position = Number(id);
            if (position <= last) return; // already printed: a replay after a reconnect
            last = position;
            if (data.type !== 'message.created' && shown.get(data.message.id) === stateOf(data.message))
              return;
            print(data.type, position, data.message);
          },
          onConnectionStateChange(state) {
            if (state.state !== 'connecting' || !state.error) return;
            if (!lost) cli.out.notice('Connection lost; reconnecting…');
            lost = true;
            if (cli.token) tokenCheck.run(finish);
          },
          onError: (error) => finish(error),
          onComplete: () => finish(new CliError('The server ended the stream.')),
        },
      );
      const outcome = await finished;
      subscription.unsubscribe();
      if (outcome) throw outcome;
    } finally {
      process.off('SIGINT', stop).off('SIGTERM', stop);
      await connection.close();
    }
  },
});

/**
 * A socket that keeps failing to reconnect may be refused for good (a token revoked while we were away): ask over
 * HTTP, at most every few seconds, and end on UNAUTHORIZED rather than retry forever.
 */
function throttledTokenCheck(client: TRPCClient<AppRouter>) {
  let lastAt = 0;
  return {
    run(finish: (error: unknown) => void) {
      if (Date.now() - lastAt < 5_000) return;
      lastAt = Date.now();
      client.auth.me.query().catch((error: unknown) => {
        if (error instanceof TRPCClientError && error.data?.code === 'UNAUTHORIZED') finish(error);
      });
    },
  };
}
