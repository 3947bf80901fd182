import { type EntitySchema, p } from '@mikro-orm/core';

/** When the row was made: the database's clock (`default now()`), or the entity manager's when it inserts it. */
export const createdAt = () =>
  p
    .datetime()
    .defaultRaw('now()')
    .onCreate(() => new Date());

// biome-ignore lint/suspicious/noExplicitAny: MikroORM's own bound for a relation's target (p.manyToOne).
type Target = EntitySchema<any, any>;

/**
 * A many-to-one relation to `target` through `column`, with its foreign key as the migrations name it
 * (`<table>_<column>_fkey`): queries can populate it, and the property holds the related entity.
 */
export const related = <T extends Target>(target: T, table: string, column: string, onDelete: OnDelete) =>
  p
    .manyToOne(target)
    .fieldName(column)
    .foreignKeyName(`${table}_${column}_fkey`)
    .deleteRule(onDelete)
    .updateRule('no action');

/** The same relation, with the property holding only the related row's id (`mapToPk`). */
export const reference = <T extends Target>(target: T, table: string, column: string, onDelete: OnDelete) =>
  related(target, table, column, onDelete).mapToPk();

type OnDelete = 'cascade' | 'set null';
