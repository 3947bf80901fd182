import type { EntityManager } from '@mikro-orm/postgresql';
import { Batched } from './batched.ts';

/**
 * Look-ups by id gathered into statements that read many (`read`: the rows with these ids, in any order): one
 * statement for every look-up that arrives while the one before is out, two out at most. Undefined for an id that
 * has no row. `source`: the entity manager whose database they read (the ORM's global one).
 */
export function gatheredById<Id, Row extends { id: Id }>(
  source: EntityManager,
  read: (em: EntityManager, ids: readonly Id[]) => Promise<Row[]>,
): (id: Id) => Promise<Row | undefined> {
  return gathered(source, read, (id) => id);
}

/**
 * As `gatheredById`, for look-ups that say more than an id (how many of a room's events, say): `read` is given each
 * id's look-up once (the last asked, if several were).
 */
export function gathered<Item, Id, Row extends { id: Id }>(
  source: EntityManager,
  read: (em: EntityManager, items: readonly Item[]) => Promise<Row[]>,
  idOf: (item: Item) => Id,
): (item: Item) => Promise<Row | undefined> {
  // One entity manager for every batch: the statement is raw, loads no entities and runs in no transaction, and
  // a fork per batch cost a storm's upgrades ~50 µs a batch (docs/performance.md, entry 39).
  const em = source.fork();
  const batched = new Batched<Item, Row | undefined>(
    async (items) => {
      const each = [...new Map(items.map((item) => [idOf(item), item])).values()];
      const found = new Map((await read(em, each)).map((row) => [row.id, row]));
      return items.map((item) => found.get(idOf(item)));
    },
    { concurrency: 2, maxBatch: 500 },
  );
  return (item) => batched.call(item);
}
