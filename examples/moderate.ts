/**
 * A moderation pass, for an admin's token: deletes reported messages, and recent public-room messages nobody
 * reported yet, that contain a banned word; leaves every other report for a person to judge. Prints what it did.
 *
 *   PARLEY_TOKEN=parley_… BANNED_WORDS=scam,spam node --import tsx examples/moderate.ts [--dry-run]
 */
import { createParleyClient } from '../src/sdk/index.ts';

const parley = createParleyClient({
  url: process.env.PARLEY_URL ?? 'http://localhost:3000',
  token: process.env.PARLEY_TOKEN,
});
const dryRun = process.argv.includes('--dry-run');

// Say plainly what is missing, rather than failing on the first admin call.
const me = await parley.auth.me.query().catch(() => null);
if (me?.role !== 'admin') {
  console.error(
    me
      ? `@${me.username} is not an admin: this script needs an admin's token.`
      : "Set PARLEY_TOKEN to an admin's API token.",
  );
  process.exit(1);
}
const bannedWords = (process.env.BANNED_WORDS ?? 'scam,spam')
  .split(',')
  .map((word) => word.trim().toLowerCase())
  .filter(Boolean);

/** The first banned word in `text`, as a whole word, in any case. */
function bannedWordIn(text: string): string | undefined {
  const words = new Set(text.toLowerCase().split(/[^\p{L}\p{N}]+/u));
  return bannedWords.find((word) => words.has(word));
}

const handled = new Set<string>();
let deleted = 0;
let left = 0;

// Reports first: resolving one as `delete` removes the message and closes every report on it.
for (let cursor: string | null = null; ; ) {
  const page = await parley.admin.reports.list.query({ status: 'open', cursor });
  for (const report of page.items) {
    const { message } = report;
    if (handled.has(message.id)) continue;
    const word = bannedWordIn(message.body);
    if (!word) {
      left++;
      console.log(`left report ${report.id} on message ${message.id} for a person ("${report.reason}")`);
      continue;
    }
    handled.add(message.id);
    if (!dryRun) await parley.admin.reports.resolve.mutate({ reportId: report.id, action: 'delete' });
    deleted++;
    console.log(`deleted reported message ${message.id} by @${message.sender.username}: contains "${word}"`);
  }
  if (!page.nextCursor) break;
  cursor = page.nextCursor;
}

// Then what nobody reported: the public room's last 100 messages.
const room = await parley.chat.publicRoom.query();
const { items } = await parley.chat.history.query({ roomId: room.id, limit: 100 });
for (const message of items) {
  const word = message.deletedAt ? undefined : bannedWordIn(message.body);
  if (!word || handled.has(message.id)) continue;
  handled.add(message.id);
  if (!dryRun)
    await parley.admin.messages.delete.mutate({ messageId: message.id, reason: `banned word "${word}"` });
  deleted++;
  console.log(`deleted message ${message.id} by @${message.sender.username}: contains "${word}"`);
}

console.log(
  `${dryRun ? 'Would delete' : 'Deleted'} ${deleted} message(s); ${left} report(s) left for a person.`,
);
