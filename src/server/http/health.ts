import type { ServerResponse } from 'node:http';
import type { Deps } from '../deps.ts';
import { withTimeout } from '../timeout.ts';

type DependencyState = 'ok' | 'down';

export interface Health {
  /** `degraded`: serving without Redis (limits and presence per instance); `down`: cannot serve. */
  status: 'ok' | 'degraded' | 'down';
  database: DependencyState;
  redis: DependencyState | 'absent';
}

/** Each check answers within this, so a load balancer's probe never hangs on a dependency that does. */
const checkTimeoutMs = 1_000;
/** Probes arriving together (several load balancers, a retry storm) share one check. */
const reuseMs = 1_000;

async function probe(work: () => Promise<unknown>): Promise<DependencyState> {
  try {
    await withTimeout(work(), checkTimeoutMs);
    return 'ok';
  } catch {
    return 'down'; // the reason is logged where the dependency is used; the probe only reports the state
  }
}

async function check(deps: Deps): Promise<Health> {
  const { redis } = deps;
  const [database, redisState] = await Promise.all([
    probe(() => deps.orm.em.getConnection().execute('select 1')),
    redis
      ? redis.status === 'ready'
        ? probe(() => redis.ping())
        : Promise.resolve<DependencyState>('down')
      : Promise.resolve('absent' as const),
  ]);
  const status = database === 'down' ? 'down' : redisState === 'down' ? 'degraded' : 'ok';
  return { status, database, redis: redisState };
}

/**
 * `/healthz`: which dependency is down, as JSON. HTTP 503 only when the instance cannot serve (no database);
 * without Redis it serves on (200, `degraded`), since taking every instance out would be worse.
 */
export function healthEndpoint(deps: Deps) {
  let last: { at: number; health: Promise<Health> } | null = null;
  return async (res: ServerResponse): Promise<void> => {
    if (!last || Date.now() - last.at > reuseMs) last = { at: Date.now(), health: check(deps) };
    const health = await last.health;
    res
      .writeHead(health.status === 'down' ? 503 : 200, {
        'Content-Type': 'application/json',
        'Cache-Control': 'no-store',
      })
      .end(JSON.stringify(health));
  };
}
