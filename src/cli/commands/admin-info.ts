/** What moderators read: `parley admin audit` and `parley admin stats`. */
import { defineCommand } from '../command.ts';
import { UsageError } from '../errors.ts';
import { shortTime, table, who } from '../output.ts';

export const audit = defineCommand({
  name: 'admin audit',
  usage: '[--limit <n>] [--cursor <id>]',
  summary: "the audit log, newest first: every moderator's act",
  details: [
    '  --limit <n>     entries per page (default 50, at most 100)',
    '  --cursor <id>   continue below this entry (the last page ends by printing the next cursor)',
  ],
  options: { limit: { type: 'string', default: '50' }, cursor: { type: 'string' } },
  arity: [0, 0],
  async run(cli, { values }) {
    const limit = Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100)
      throw new UsageError('--limit is from 1 to 100.', 'admin audit');
    const page = await cli.signedIn().admin.audit.list.query({ limit, cursor: values.cursor });
    cli.out.result(page, () => {
      if (page.items.length === 0) return 'The audit log is empty.';
      const rows = page.items.map((entry) => [
        entry.id,
        shortTime(entry.createdAt),
        entry.actor ? who(entry.actor) : '(system)',
        entry.action,
        entry.target ? who(entry.target) : entry.targetMessageId ? `message ${entry.targetMessageId}` : '-',
        entry.reason ?? '',
      ]);
      const lines = table([['ID', 'WHEN', 'BY', 'ACTION', 'TARGET', 'REASON'], ...rows]);
      return page.nextCursor ? [...lines, `More: parley admin audit --cursor ${page.nextCursor}`] : lines;
    });
  },
});

const mib = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MiB`;

export const stats = defineCommand({
  name: 'admin stats',
  usage: '',
  summary: "users, today's messages, open reports, and each live server instance",
  arity: [0, 0],
  async run(cli) {
    const stats = await cli.signedIn().admin.stats.query();
    cli.out.result(stats, () => [
      `users ${stats.users}, messages today ${stats.messagesToday}, open reports ${stats.openReports}, connected people ${stats.connectedPeople}`,
      ...table([
        ['INSTANCE', 'SOCKETS', 'PEOPLE', 'MEMORY', 'LOOP LAG'],
        ...stats.instances.map((instance) => [
          instance.instanceId.slice(0, 8),
          String(instance.sockets),
          String(instance.people),
          mib(instance.rssBytes),
          `${instance.eventLoopLagMs.toFixed(1)} ms`,
        ]),
      ]),
    ]);
  },
});
