import type { EntityManager } from '@mikro-orm/postgresql';
import { User } from '../../db/entities/index.ts';

/** A mute in force: until when (ISO, UTC) and the moderator's reason. */
export interface ActiveMute {
  until: string;
  reason: string | null;
}

/** The caller's own mute, if one is in force, so the web app can say so before they try to send. */
export async function activeMute(em: EntityManager, userId: number): Promise<ActiveMute | null> {
  const user = await em.findOne(
    User,
    { id: userId, mutedUntil: { $gt: new Date() } },
    { fields: ['mutedUntil', 'muteReason'] },
  );
  return user?.mutedUntil ? { until: user.mutedUntil.toISOString(), reason: user.muteReason ?? null } : null;
}
