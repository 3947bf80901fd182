import type { Redis } from 'ioredis';
import type { CredentialCache } from './auth/credential-cache.ts';
import type { CredentialReads } from './auth/credential-reads.ts';
import type { CurrentUsers } from './auth/current-users.ts';
import type { OpenCredentials } from './auth/open-credentials.ts';
import type { BackgroundWork } from './background.ts';
import type { Config } from './config.ts';
import type { Orm } from './db/orm.ts';
import type { RecentUse } from './db/recent-use.ts';
import type { PublicUrl } from './http/public-url.ts';
import type { Logger } from './logger.ts';
import type { Mailer } from './mail/mailer.ts';
import type { EventBus } from './realtime/bus.ts';
import type { InstanceStats } from './realtime/instance-stats.ts';
import type { LiveGroups } from './realtime/live-groups.ts';
import type { Presence } from './realtime/presence.ts';
import type { RateLimiter } from './realtime/rate-limit.ts';
import type { ActivityHub } from './services/chat/activity.ts';
import type { RoomStreams } from './services/chat/events.ts';
import type { RoomAppends } from './services/chat/group-commit.ts';
import type { ReadPositions } from './services/chat/rooms.ts';
import type { ImageStore } from './services/images/store.ts';

/** Everything built once at start-up and passed down: no module holds state of its own. */
export interface Deps {
  config: Config;
  orm: Orm;
  bus: EventBus;
  limiter: RateLimiter;
  presence: Presence;
  instanceStats: InstanceStats;
  /** This instance's live room streams: one bus listener and one position per room, shared by its readers. */
  roomStreams: RoomStreams;
  /** This instance's followers of typing and presence, written to once per signal. */
  activity: ActivityHub;
  /** This instance's sockets following a person's news (`notifications.onEvent`), one bus listener per person. */
  userEvents: LiveGroups;
  /** Who each recent caller is now (role, ban, mute, name), forgotten on every instance when it changes. */
  currentUsers: CurrentUsers;
  /** The sessions and tokens recent calls came with, forgotten on every instance when they end. */
  credentialCache: CredentialCache;
  /** Credential look-ups that memory could not answer, many in one statement. */
  credentialReads: CredentialReads;
  /** Tokens' last use and people's last seen, written in batches a few seconds late. */
  recentUse: RecentUse;
  /** Readers' marks, one statement per batch. */
  readPositions: ReadPositions;
  /** Plain sends, one statement per room for those that arrive together (group commit). */
  roomAppends: RoomAppends;
  /** The credentials this instance's sockets were opened with, re-checked after the bus may have dropped news. */
  openCredentials: OpenCredentials;
  log: Logger;
  /** Work that goes on after a call was answered (mails); shutdown waits for it. */
  background: BackgroundWork;
  /** Sends mail through SMTP_URL, or keeps it in the data folder when there is none. */
  mailer: Mailer;
  /** The files of images sent in messages (local disk under the data folder). */
  images: ImageStore;
  /** Absolute links to the app's pages, for mails. */
  publicUrl: PublicUrl;
  /** The Redis command connection when REDIS_URL is set (for /healthz); features reach Redis through their own. */
  redis: Redis | null;
}
