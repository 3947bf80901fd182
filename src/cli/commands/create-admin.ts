import { defineCommand } from '../command.ts';
import { CliError, UsageError } from '../errors.ts';
import { askPassword, interactive } from '../prompt.ts';

export const createAdmin = defineCommand({
  name: 'create-admin',
  usage: '--username <name> [--email <email>] [--display-name <name>] [--password-stdin]',
  summary: 'make the first admin of a new install (talks to the database, not to a server)',
  details: [
    'Promotes the user with that username to admin, or creates them as an admin when there is none (then',
    '--email is needed and the password is asked for, twice, or read from the first line of stdin).',
    "When promoting, --email, if given, must be that account's: a guard against a mistyped username.",
    "Uses the server's database: DATABASE_URL, or the embedded PostgreSQL in PARLEY_DATA_DIR (default .parley),",
    'whether or not the server is running. Recorded in the audit log as user.create-admin.',
    '',
    'Example: parley create-admin --username ann --email ann@example.com',
  ],
  local: true,
  options: {
    username: { type: 'string' },
    email: { type: 'string' },
    'display-name': { type: 'string' },
    'password-stdin': { type: 'boolean' },
  },
  arity: [0, 0],
  required: ['username'],
  async run(cli, { values }) {
    const username = values.username ?? '';
    const { openLocalDatabase } = await import('../database.ts');
    const admins = await import('../../server/services/admins.ts');
    const database = await openLocalDatabase();
    try {
      const existing = await admins.findUserByUsername(database.em, username);
      if (!existing && !values.email) {
        throw new UsageError(
          `There is no user called ${username}: give --email to create one.`,
          'create-admin',
        );
      }
      const password = existing ? undefined : await newPassword(username, values['password-stdin']);
      const result = await admins.createOrPromoteAdmin(database.em, {
        username,
        email: values.email,
        password,
        displayName: values['display-name'],
      });
      cli.out.result(result, () =>
        result.outcome === 'created'
          ? `Created @${result.username} <${result.email}> as an admin (user ${result.id}).`
          : result.outcome === 'promoted'
            ? `@${result.username} is now an admin.`
            : `@${result.username} was already an admin.`,
      );
    } finally {
      await database.close();
    }
  },
});

async function newPassword(username: string, fromStdin = false): Promise<string> {
  const password = await askPassword(`Password for the new admin ${username}: `, fromStdin);
  if (!fromStdin && interactive()) {
    const again = await askPassword('Again, to be sure: ');
    if (again !== password) throw new CliError('The passwords differ; nothing was changed.');
  }
  return password;
}
