import { defineCommand } from '../command.ts';
import { table, who } from '../output.ts';

export const friends = defineCommand({
  name: 'friends',
  usage: '',
  summary: 'list your friends, online ones first',
  arity: [0, 0],
  async run(cli) {
    const { items } = await cli.signedIn().friends.list.query();
    const sorted = [...items].sort(
      (a, b) => Number(b.online) - Number(a.online) || a.username.localeCompare(b.username),
    );
    cli.out.result({ items: sorted }, () =>
      sorted.length === 0
        ? 'No friends yet.'
        : table(
            sorted.map((friend) => [
              friend.online ? '●' : '○',
              who(friend),
              friend.online ? 'online' : 'offline',
            ]),
          ),
    );
  },
});
