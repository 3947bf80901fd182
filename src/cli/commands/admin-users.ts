/** Moderators' actions on people and messages: `parley admin ban|unban|mute|unmute|delete`. */
import { defineCommand } from '../command.ts';
import { resolveUser } from '../resolve.ts';

const reason = { reason: { type: 'string', short: 'r' } } as const;
const until = { until: { type: 'string' } } as const;
const userHelp = 'A user is @username or a user id.';

const untilText = (iso: string) => (iso.startsWith('9999-') ? 'permanently' : `until ${iso}`);

export const ban = defineCommand({
  name: 'admin ban',
  usage: '<user> --reason <text> [--until <ISO time>]',
  summary: 'ban someone: every session and token of theirs ends at once',
  details: [
    userHelp,
    'Without --until the ban is permanent.',
    '',
    'Example: parley admin ban @spammer --reason "link spam" --until 2030-01-01T00:00:00Z',
  ],
  options: { ...reason, ...until },
  arity: [1, 1],
  required: ['reason'],
  async run(cli, { values, positionals }) {
    const client = cli.signedIn();
    const user = await resolveUser(client, positionals[0] ?? '', { asAdmin: true });
    const result = await client.admin.users.ban.mutate({
      userId: user.id,
      reason: values.reason ?? '',
      until: values.until,
    });
    cli.out.result({ user, ...result }, () => `Banned @${user.username} ${untilText(result.until)}.`);
  },
});

export const unban = defineCommand({
  name: 'admin unban',
  usage: '<user>',
  summary: 'lift a ban',
  details: [userHelp],
  arity: [1, 1],
  async run(cli, { positionals }) {
    const client = cli.signedIn();
    const user = await resolveUser(client, positionals[0] ?? '', { asAdmin: true });
    const result = await client.admin.users.unban.mutate({ userId: user.id });
    cli.out.result({ user, ...result }, () => `Lifted the ban on @${user.username}.`);
  },
});

export const mute = defineCommand({
  name: 'admin mute',
  usage: '<user> --until <ISO time> --reason <text>',
  summary: 'stop someone sending messages until a time',
  details: [
    userHelp,
    '',
    'Example: parley admin mute @ann --until 2030-01-01T00:00:00Z --reason "cool down"',
  ],
  options: { ...reason, ...until },
  arity: [1, 1],
  required: ['until', 'reason'],
  async run(cli, { values, positionals }) {
    const client = cli.signedIn();
    const user = await resolveUser(client, positionals[0] ?? '', { asAdmin: true });
    const result = await client.admin.users.mute.mutate({
      userId: user.id,
      reason: values.reason ?? '',
      until: values.until ?? '',
    });
    cli.out.result({ user, ...result }, () => `Muted @${user.username} until ${result.until}.`);
  },
});

export const unmute = defineCommand({
  name: 'admin unmute',
  usage: '<user>',
  summary: 'lift a mute',
  details: [userHelp],
  arity: [1, 1],
  async run(cli, { positionals }) {
    const client = cli.signedIn();
    const user = await resolveUser(client, positionals[0] ?? '', { asAdmin: true });
    const result = await client.admin.users.unmute.mutate({ userId: user.id });
    cli.out.result({ user, ...result }, () => `Lifted the mute on @${user.username}.`);
  },
});

export const deleteMessage = defineCommand({
  name: 'admin delete',
  usage: '<message id> --reason <text>',
  summary: 'remove a message for everyone (its words stay only in the audit log)',
  details: ['Message ids are shown by `parley tail` (and in its --json output).'],
  options: reason,
  arity: [1, 1],
  required: ['reason'],
  async run(cli, { values, positionals }) {
    const messageId = positionals[0] ?? '';
    const message = await cli
      .signedIn()
      .admin.messages.delete.mutate({ messageId, reason: values.reason ?? '' });
    cli.out.result(message, () => `Deleted message ${message.id}.`);
  },
});
