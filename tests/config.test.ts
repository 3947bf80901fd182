import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/server/config.ts';

/** The message of the ConfigError that `env` causes; fails the test when it loads, or fails another way. */
function configErrorFor(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error(`Expected ${JSON.stringify(env)} to be refused.`);
}

describe('configuration from the environment', () => {
  it('refuses a PORT that is not a number, naming PORT', () => {
    const message = configErrorFor({ PORT: 'abc' });

    expect(message).toMatch(/\bPORT\b/);
    expect(message).not.toMatch(/DATABASE_URL|EMBEDDED_PG_PORT/);
  });

  it('refuses a PORT out of range', () => {
    expect(configErrorFor({ PORT: '70000' })).toMatch(/\bPORT\b/);
  });

  it.each([
    ['not a URL', 'not a url'],
    ['not PostgreSQL', 'mysql://root@127.0.0.1:3306/parley'],
  ])('refuses a DATABASE_URL that is %s, naming DATABASE_URL', (_, value) => {
    const message = configErrorFor({ DATABASE_URL: value });

    expect(message).toContain('DATABASE_URL');
    expect(message).not.toMatch(/\bPORT\b/);
  });

  it('names every bad variable at once', () => {
    const message = configErrorFor({ PORT: 'abc', DATABASE_URL: 'nope', RATE_LOGIN_PER_MINUTE: '0' });

    expect(message).toMatch(/\bPORT\b/);
    expect(message).toContain('DATABASE_URL');
    expect(message).toContain('RATE_LOGIN_PER_MINUTE');
  });

  it('needs nothing set: port 3000, an embedded database, no Redis, protective limits', () => {
    const config = loadConfig({});

    expect(config.port).toBe(3000);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.redisUrl).toBeUndefined();
    expect(config.cookieSecure).toBe(false);
    expect(config.limits.loginPerMinute).toBe(10);
    expect(config.limits.registerPerHour).toBe(20);
  });

  it('treats an empty variable as unset, as a blank line in .env means', () => {
    expect(loadConfig({ PORT: '', REDIS_URL: '' })).toMatchObject({ port: 3000, redisUrl: undefined });
  });

  it('reads the values it is given', () => {
    const config = loadConfig({
      PORT: '8080',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/parley',
      REDIS_URL: 'redis://127.0.0.1:6379',
      ALLOWED_ORIGINS: 'https://app.example, https://admin.example',
      NODE_ENV: 'production',
      ROOM_STREAM_CROWD_JOINS: '100',
      ROOM_STREAM_CROWD_WINDOW_MS: '60000',
    });

    expect(config).toMatchObject({
      port: 8080,
      databaseUrl: 'postgres://postgres@127.0.0.1:5432/parley',
      redisUrl: 'redis://127.0.0.1:6379',
      allowedOrigins: ['https://app.example', 'https://admin.example'],
      cookieSecure: true,
      roomStreamCrowd: { arrivals: 100, windowMs: 60_000 },
    });
  });
});
