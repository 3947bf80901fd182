import { hostname } from 'node:os';
import { defineCommand } from '../command.ts';
import { writeLogin } from '../config.ts';
import type { Cli } from '../context.ts';
import { UsageError } from '../errors.ts';
import { ask, askPassword, interactive } from '../prompt.ts';

const urlOrigins = {
  environment: 'from $PARLEY_URL',
  login: 'where you last logged in',
  default: 'the default',
} as const;

export const login = defineCommand({
  name: 'login',
  usage: '[<username or email>] [--password-stdin]',
  summary: 'sign in, and keep a personal API token for the other commands',
  details: [
    'Asks for the password without echoing it. From a pipe, or with --password-stdin, the password is the first',
    'line of stdin. The token is named parley-cli@<this host> and stored, readable only by you, in',
    '$PARLEY_CONFIG_DIR, $XDG_CONFIG_HOME/parley or ~/.config/parley (config.json).',
    '',
    '  --password-stdin   read the password from stdin',
    '',
    'Example: parley login ann --url https://chat.example.com',
  ],
  options: { 'password-stdin': { type: 'boolean' } },
  arity: [0, 1],
  async run(cli, { values, positionals }) {
    if (cli.urlSource !== 'flag')
      cli.out.notice(`Using ${cli.url} (${urlOrigins[cli.urlSource]}; --url chooses another).`);
    const name = positionals[0] ?? (interactive() ? await ask('Username or email: ') : '');
    if (!name) throw new UsageError('Give your username or email: parley login <username>.', 'login');
    const password = await askPassword(`Password for ${name} at ${cli.url}: `, values['password-stdin']);
    // Without the old token: a revoked one would make even this call fail.
    const anonymous = cli.connect({ token: null }).client;
    const created = await anonymous.auth.createToken.mutate({
      login: name,
      password,
      name: `parley-cli@${hostname()}`.slice(0, 60),
    });
    const me = await cli.connect({ token: created.token }).client.auth.me.query();
    if (!me) throw new Error('The server did not accept the token it has just issued.');
    await writeLogin(
      { url: cli.url, token: created.token, tokenId: created.id, username: me.username },
      cli.configFile,
    );
    await revokePrevious(cli);
    cli.out.result(
      { url: cli.url, username: me.username, tokenId: created.id, configFile: cli.configFile },
      () => `Logged in to ${cli.url} as @${me.username}. Token ${created.id} saved in ${cli.configFile}.`,
    );
  },
});

/** The token this login replaces is of no more use: revoke it, without waiting long for a server that is gone. */
async function revokePrevious(cli: Cli): Promise<void> {
  const previous = cli.saved;
  if (!previous) return;
  const client = cli.connect({ url: previous.url, token: previous.token }).client;
  await client.auth.tokens.revoke
    .mutate({ id: previous.tokenId }, { signal: AbortSignal.timeout(3_000) })
    .catch(() =>
      cli.out.notice(`(Could not revoke the previous token ${previous.tokenId} at ${previous.url}.)`),
    );
}
