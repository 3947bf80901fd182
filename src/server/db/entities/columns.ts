import { type EntitySchema, p } from '@mikro-orm/core';

/** When the row was made: the database's clock (`default now()`), or the entity manager's when it inserts it. */
export const createdAt = () =>
  p
    .datetime()
    .defaultRaw('now()')
    .onCreate(() => new Date());

/**
 * A column holding the id of a row of `target`, with its foreign key as the migrations name it
 * (`<table>_<column>_fkey`). The property holds the id itself (`mapToPk`), not a loaded entity.
 */
// biome-ignore lint/suspicious/noExplicitAny: MikroORM's own bound for a relation's target (p.manyToOne).
export const reference = <Target extends EntitySchema<any, any>>(
  target: Target,
  table: string,
  column: string,
  onDelete: 'cascade' | 'set null',
) =>
  p
    .manyToOne(target)
    .fieldName(column)
    .mapToPk()
    .foreignKeyName(`${table}_${column}_fkey`)
    .deleteRule(onDelete)
    .updateRule('no action');
