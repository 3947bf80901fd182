import type { EntityManager } from '@mikro-orm/postgresql';
import { isoTime, queryOne, sql } from '../../db/sql.ts';

/** A mute in force: until when (ISO, UTC) and the moderator's reason. */
export interface ActiveMute {
  until: string;
  reason: string | null;
}

/** The caller's own mute, if one is in force, so the web app can say so before they try to send. */
export async function activeMute(em: EntityManager, userId: number): Promise<ActiveMute | null> {
  const row = await queryOne<{ muted_until: string; mute_reason: string | null }>(
    em,
    sql`select muted_until, mute_reason from users where id = ${userId} and muted_until > now()`,
  );
  return row ? { until: isoTime(row.muted_until)!, reason: row.mute_reason } : null;
}
