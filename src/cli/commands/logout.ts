import { TRPCClientError } from '@trpc/client';
import { defineCommand } from '../command.ts';
import { deleteLogin } from '../config.ts';

export const logout = defineCommand({
  name: 'logout',
  usage: '',
  summary: 'revoke the stored token and forget it',
  details: [
    'The file is deleted even when the server cannot be reached; the token is then left to expire by hand.',
  ],
  arity: [0, 0],
  async run(cli) {
    const login = cli.saved;
    if (!login) {
      cli.out.result({ ok: true, revoked: false }, () => 'Not logged in.');
      return;
    }
    let revoked = false;
    let problem: string | null = null;
    try {
      await cli
        .connect({ url: login.url, token: login.token })
        .client.auth.tokens.revoke.mutate({ id: login.tokenId });
      revoked = true;
    } catch (error) {
      // A token that no longer works (revoked elsewhere, a ban) has nothing left to revoke.
      const code = error instanceof TRPCClientError ? error.data?.code : undefined;
      if (code !== 'UNAUTHORIZED' && code !== 'NOT_FOUND') problem = (error as Error).message;
    }
    await deleteLogin(cli.configFile);
    if (problem)
      cli.out.notice(`parley: could not revoke token ${login.tokenId} at ${login.url}: ${problem}`);
    cli.out.result(
      { ok: true, revoked, username: login.username, url: login.url },
      () => `Logged out @${login.username} from ${login.url}${revoked ? '; the token is revoked' : ''}.`,
    );
  },
});
