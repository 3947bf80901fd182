import path from 'node:path';
import { Migrator } from '@mikro-orm/migrations';
import { type EntityManager, MikroORM, type Options, PostgreSqlDriver } from '@mikro-orm/postgresql';
import { migrationsList } from '../../../migrations/index.ts';
import type { Logger } from '../logger.ts';
import { projectRoot } from '../paths.ts';
import { BoundedMemoryCacheAdapter } from './bounded-cache.ts';
import { entities } from './entities/index.ts';

export type Orm = MikroORM;

const migrationsDir = path.join(projectRoot, 'migrations');

export function ormOptions(databaseUrl: string): Options {
  return {
    driver: PostgreSqlDriver,
    clientUrl: databaseUrl,
    entities,
    extensions: [Migrator],
    migrations: {
      path: migrationsDir,
      pathTs: migrationsDir,
      // Imported like any module (under tsx, vitest or a bundler), not found by globbing at run time.
      migrationsList,
      emit: 'ts',
      transactional: true,
      allOrNothing: true,
      // New migrations are diffed from the entities against the database itself (after the existing ones ran),
      // not against a snapshot file that could drift.
      snapshot: false,
      // Progress goes through the app's logger (openDatabase), not straight to stdout.
      silent: true,
    },
    // Entities are defined with defineEntity; nothing to discover by reflection.
    discovery: { warnWhenNoEntities: false },
    debug: false,
    // Only queries that ask for it are cached (`cache: [key, ms]`): what never changes, like a room's members.
    resultCache: { adapter: BoundedMemoryCacheAdapter, expiration: 1000, options: { maxEntries: 10_000 } },
    // Idle connections past the least are closed after 30 s, looked for every 10 s: tarn's default of every second
    // was one of an idle instance's few wake-ups (docs/performance.md, entry 84).
    pool: { min: 1, max: 10, reapIntervalMillis: 10_000 },
  };
}

/**
 * A memory kept per ORM, made on first use from whichever entity manager asks (all of an ORM's forks share its
 * configuration, by which it is found): services that remember what they read keep it here rather than in module
 * state, since tests run several instances, each on its own database, in one process.
 */
export function perOrm<T>(make: (em: EntityManager) => T): (em: EntityManager) => T {
  const memories = new WeakMap<object, T>();
  return (em) => {
    let memory = memories.get(em.config);
    if (memory === undefined) {
      memory = make(em);
      memories.set(em.config, memory);
    }
    return memory;
  };
}

/** Connects and applies every pending migration, so a fresh database is ready to serve. */
export async function openDatabase(databaseUrl: string, log?: Logger): Promise<Orm> {
  const orm = await MikroORM.init(ormOptions(databaseUrl));
  const applied = await orm.migrator.up();
  if (applied.length) log?.info('Applied database migrations', { migrations: applied.map((m) => m.name) });
  return orm;
}

/**
 * An entity manager that forks itself on first use. Calls that may never reach the database (a socket's upgrade
 * whose credential is remembered, a subscription whose room is remembered) then pay no fork (~40–50 µs each,
 * docs/performance.md, entry 17); the first method called forks, and every call after goes to that fork.
 */
export function forkOnUse(orm: Orm): EntityManager {
  return new Proxy(orm.em, new ForkOnUse(orm));
}

/**
 * The proxy's handler, as an object whose methods are shared: made twice per connect, named closures would cost
 * each a property table and a microsecond more (tsx's `keepNames`, docs/performance.md, entries 25 and 27).
 */
class ForkOnUse implements ProxyHandler<EntityManager> {
  private fork: EntityManager | null = null;

  constructor(private readonly orm: Orm) {}

  get(global: EntityManager, key: string | symbol): unknown {
    // Every fork shares the ORM's configuration, by which per-ORM memories (rooms, say) are found: no fork.
    if (key === 'config') return global.config;
    // A fork not made yet is in no transaction: the send path asks on every send, and then goes on without it.
    if (key === 'isInTransaction' && !this.fork) return inNoTransaction;
    const em = this.forked();
    const value: unknown = Reflect.get(em, key, em);
    return typeof value === 'function' ? value.bind(em) : value;
  }

  set(_: EntityManager, key: string | symbol, value: unknown): boolean {
    return Reflect.set(this.forked(), key, value);
  }

  private forked(): EntityManager {
    this.fork ??= this.orm.em.fork();
    return this.fork;
  }
}

const inNoTransaction = () => false;
