/** `parley admin reset-password <user>`: mails someone a link to choose a new password (as Admin › Users does). */
import { defineCommand } from '../command.ts';
import { resolveUser } from '../resolve.ts';

export const resetPassword = defineCommand({
  name: 'admin reset-password',
  usage: '<user>',
  summary: 'mail someone a link to choose a new password (audited)',
  details: [
    'A user is @username or a user id.',
    'Their password keeps working until they use the link; using it signs them out everywhere.',
    '',
    'Example: parley admin reset-password @ann',
  ],
  arity: [1, 1],
  async run(cli, { positionals }) {
    const client = cli.signedIn();
    const user = await resolveUser(client, positionals[0] ?? '', { asAdmin: true });
    const result = await client.admin.users.sendPasswordReset.mutate({ userId: user.id });
    cli.out.result(
      { user, ...result },
      () => `Mailed a password-reset link to @${user.username} (${result.email}).`,
    );
  },
});
