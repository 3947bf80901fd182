import { defineCommand } from '../command.ts';
import { CliError } from '../errors.ts';

export const whoami = defineCommand({
  name: 'whoami',
  usage: '',
  summary: 'show who the stored token signs in as',
  arity: [0, 0],
  async run(cli) {
    const me = await cli.signedIn().auth.me.query();
    if (!me)
      throw new CliError('The server does not know this token. Run `parley login` again.', 1, 'UNAUTHORIZED');
    cli.out.result(me, () => [
      `@${me.username}${me.displayName !== me.username ? ` (${me.displayName})` : ''}${me.role === 'admin' ? ', admin' : ''}`,
      `email ${me.email}, id ${me.id}, at ${cli.url}`,
    ]);
  },
});
