import type { EntityManager } from '@mikro-orm/postgresql';
import { list, sql } from '../../db/sql.ts';
import { type MessageView, selectMessages } from './messages.ts';

/** The messages with these ids as the API shows them, in the order given (ids not found are left out). */
export async function messagesByIds(em: EntityManager, ids: readonly string[]): Promise<MessageView[]> {
  if (ids.length === 0) return [];
  const found = await selectMessages(em, sql`m.id in (${list(ids)})`);
  const byId = new Map(found.map((message) => [message.id, message]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}
