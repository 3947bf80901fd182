import { z } from 'zod';

/** Every environment variable Parley reads, parsed once at start-up. `.env.example` documents each one. */
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const positiveInt = z.coerce.number().int().positive();
const csv = z.string().transform((s) =>
  s
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean),
);

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  REDIS_KEY_PREFIX: z.string().default('parley:'),
  PARLEY_DATA_DIR: z.string().min(1).default('.parley'),
  EMBEDDED_PG_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  ALLOWED_ORIGINS: csv.default([]),
  TRUST_PROXY: bool.default(false),
  COOKIE_SECURE: bool.optional(),
  SESSION_TTL_DAYS: positiveInt.default(30),
  // Where links in mails point; unset: http://localhost:<port> (HOST when it names one interface).
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  // Unset: mails are logged and kept under PARLEY_DATA_DIR/mail instead of sent.
  SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
  MAIL_FROM: z.string().min(3).default('Parley <parley@localhost>'),
  PASSWORD_RESET_TTL_MINUTES: positiveInt.max(24 * 60).default(30),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
  SHUTDOWN_DEADLINE_SECONDS: z.coerce.number().min(0).max(600).default(10),
  // Limits: protective by default, each adjustable.
  RATE_LOGIN_PER_MINUTE: positiveInt.default(10),
  RATE_REGISTER_PER_HOUR: positiveInt.default(20),
  RATE_MUTATIONS_PER_MINUTE: positiveInt.default(300),
  RATE_READS_PER_MINUTE: positiveInt.default(300),
  RATE_TYPING_PER_MINUTE: positiveInt.default(120),
  RATE_QUERIES_PER_MINUTE: positiveInt.default(600),
  RATE_SEARCHES_PER_MINUTE: positiveInt.default(30),
  WS_CALLS_PER_MINUTE: positiveInt.default(600),
  HTTP_MAX_BODY_BYTES: positiveInt.default(1_000_000),
  // The web app and the SDK put at most 10 calls in one request (httpBatchLink's maxItems).
  HTTP_MAX_BATCH_SIZE: z.coerce.number().int().min(10).default(20),
  // Unset: room for a reconnecting client, which resends all its subscriptions in one frame.
  WS_MAX_BATCH_SIZE: positiveInt.optional(),
  WS_MAX_PAYLOAD_BYTES: positiveInt.default(64_000),
  WS_MAX_CONNECTIONS_PER_USER: positiveInt.default(20),
  WS_MAX_ANONYMOUS_PER_IP: positiveInt.default(20),
  WS_CONNECTION_PARAMS_TIMEOUT_MS: z.coerce.number().int().min(100).default(5_000),
  WS_MAX_SUBSCRIPTIONS_PER_SOCKET: positiveInt.default(50),
  WS_MAX_BUFFERED_BYTES: positiveInt.default(4_000_000),
  ROOM_STREAM_RECENT_EVENTS: z.coerce.number().int().min(0).max(100_000).default(500),
  // Its queue is four arrays of this length, made at start: 24 bytes an event kept, ~24 MB at the most.
  ROOM_STREAM_RECENT_TOTAL: z.coerce.number().int().min(0).max(1_000_000).default(20_000),
  // Their frames, in one buffer made at start whose pages take memory as frames fill them (one is ~0.4 KB).
  ROOM_STREAM_RECENT_BYTES: z.coerce.number().int().min(0).max(1_000_000_000).default(16_000_000),
  // A crowd joining a room's stream (a restart's reconnects): so many joins within the window (by default 100 a second).
  ROOM_STREAM_CROWD_JOINS: positiveInt.default(20),
  ROOM_STREAM_CROWD_WINDOW_MS: positiveInt.max(600_000).default(200),
  API_TOKENS_PER_USER: positiveInt.default(20),
  AVATAR_UPLOADS_PER_HOUR: positiveInt.default(20),
  FRIEND_REQUESTS_PER_PERSON_PER_HOUR: positiveInt.default(3),
  RATE_PASSWORD_RESET_PER_HOUR: positiveInt.default(5),
  REACTIONS_PER_MINUTE: positiveInt.default(60),
  REACTION_EMOJI_PER_MESSAGE: positiveInt.default(20),
  MENTIONS_PER_MESSAGE: positiveInt.default(20),
  IMAGE_MAX_BYTES: positiveInt.max(50_000_000).default(10_000_000),
  IMAGE_MAX_PIXELS: positiveInt.max(200_000_000).default(40_000_000),
  IMAGE_UPLOADS_PER_HOUR: positiveInt.default(60),
  IMAGE_UNSENT_HOURS: positiveInt.default(24),
});

export type Config = ReturnType<typeof toConfig>;

function toConfig(env: z.infer<typeof envSchema>) {
  const production = env.NODE_ENV === 'production';
  return {
    env: env.NODE_ENV,
    production,
    port: env.PORT,
    host: env.HOST,
    databaseUrl: env.DATABASE_URL,
    redisUrl: env.REDIS_URL,
    redisKeyPrefix: env.REDIS_KEY_PREFIX,
    dataDir: env.PARLEY_DATA_DIR,
    embeddedPgPort: env.EMBEDDED_PG_PORT,
    allowedOrigins: env.ALLOWED_ORIGINS,
    trustProxy: env.TRUST_PROXY,
    cookieSecure: env.COOKIE_SECURE ?? production,
    sessionTtlMs: env.SESSION_TTL_DAYS * 24 * 60 * 60 * 1000,
    publicUrl: env.PUBLIC_URL?.replace(/\/+$/, ''),
    mail: { smtpUrl: env.SMTP_URL, from: env.MAIL_FROM },
    passwordResetTtlMs: env.PASSWORD_RESET_TTL_MINUTES * 60 * 1000,
    logLevel: env.LOG_LEVEL,
    shutdownDeadlineMs: env.SHUTDOWN_DEADLINE_SECONDS * 1000,
    /** Recent events kept for resumes: each room stream's most, and all of the instance's streams together. */
    roomStreamRecent: {
      perStream: env.ROOM_STREAM_RECENT_EVENTS,
      total: env.ROOM_STREAM_RECENT_TOTAL,
      bytes: env.ROOM_STREAM_RECENT_BYTES,
    },
    /** While such a crowd joins a busy room's stream, its live writes wait to go out together (see `LiveRounds`). */
    roomStreamCrowd: { arrivals: env.ROOM_STREAM_CROWD_JOINS, windowMs: env.ROOM_STREAM_CROWD_WINDOW_MS },
    limits: {
      loginPerMinute: env.RATE_LOGIN_PER_MINUTE,
      registerPerHour: env.RATE_REGISTER_PER_HOUR,
      mutationsPerMinute: env.RATE_MUTATIONS_PER_MINUTE,
      readsPerMinute: env.RATE_READS_PER_MINUTE,
      typingPerMinute: env.RATE_TYPING_PER_MINUTE,
      queriesPerMinute: env.RATE_QUERIES_PER_MINUTE,
      searchesPerMinute: env.RATE_SEARCHES_PER_MINUTE,
      wsCallsPerMinute: env.WS_CALLS_PER_MINUTE,
      httpMaxBodyBytes: env.HTTP_MAX_BODY_BYTES,
      httpMaxBatchSize: env.HTTP_MAX_BATCH_SIZE,
      wsMaxBatchSize: env.WS_MAX_BATCH_SIZE ?? env.WS_MAX_SUBSCRIPTIONS_PER_SOCKET + 10,
      wsMaxPayloadBytes: env.WS_MAX_PAYLOAD_BYTES,
      wsMaxConnectionsPerUser: env.WS_MAX_CONNECTIONS_PER_USER,
      wsMaxAnonymousPerIp: env.WS_MAX_ANONYMOUS_PER_IP,
      wsConnectionParamsTimeoutMs: env.WS_CONNECTION_PARAMS_TIMEOUT_MS,
      wsMaxSubscriptionsPerSocket: env.WS_MAX_SUBSCRIPTIONS_PER_SOCKET,
      wsMaxBufferedBytes: env.WS_MAX_BUFFERED_BYTES,
      apiTokensPerUser: env.API_TOKENS_PER_USER,
      avatarUploadsPerHour: env.AVATAR_UPLOADS_PER_HOUR,
      friendRequestsPerPersonPerHour: env.FRIEND_REQUESTS_PER_PERSON_PER_HOUR,
      passwordResetsPerHour: env.RATE_PASSWORD_RESET_PER_HOUR,
      reactionsPerMinute: env.REACTIONS_PER_MINUTE,
      reactionEmojiPerMessage: env.REACTION_EMOJI_PER_MESSAGE,
      mentionsPerMessage: env.MENTIONS_PER_MESSAGE,
      imageMaxBytes: env.IMAGE_MAX_BYTES,
      imageMaxPixels: env.IMAGE_MAX_PIXELS,
      imageUploadsPerHour: env.IMAGE_UPLOADS_PER_HOUR,
      imageUnsentMs: env.IMAGE_UNSENT_HOURS * 60 * 60 * 1000,
    },
  };
}

export class ConfigError extends Error {}

/** Parses the environment; a bad value throws a ConfigError that names the variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return toConfig(parsed.data);
}
