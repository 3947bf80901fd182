import { createHash } from 'node:crypto';
import type { EntityManager, Knex } from '@mikro-orm/postgresql';

/*
 * The raw SQL tag, for the named statements beside this file only: everything else queries through the entity
 * manager. Each statement maps its rows to entity types itself, and tests/statements/ reads every column it returns.
 */

/** A parameterised SQL fragment: values never enter the text, so nothing a user types can change the query. */
export class Sql {
  constructor(
    readonly text: string,
    readonly params: readonly unknown[],
  ) {}
}

/**
 * Each template's text as last built, with the nested fragments' texts it was built from. A statement built again
 * from the same pieces (the hot ones are, thousands of times a second) gets the same string back, already flat:
 * its prepared name is then a lookup by identity, not a hash of a few kilobytes, and nothing is concatenated.
 */
const builtTexts = new WeakMap<TemplateStringsArray, { nested: string[]; text: string }>();

/** `sql\`select … where id = ${id}\`` → text with `?` placeholders and the values apart; fragments nest. */
export function sql(strings: TemplateStringsArray, ...values: unknown[]): Sql {
  const params: unknown[] = [];
  const nested: string[] = [];
  for (const value of values) {
    if (value instanceof Sql) {
      nested.push(value.text);
      params.push(...value.params);
    } else params.push(value);
  }
  const built = builtTexts.get(strings);
  if (built && sameTexts(built.nested, nested)) return new Sql(built.text, params);
  let text = strings[0] ?? '';
  values.forEach((value, i) => {
    text += value instanceof Sql ? value.text : '?';
    text += strings[i + 1] ?? '';
  });
  builtTexts.set(strings, { nested, text });
  return new Sql(text, params);
}

function sameTexts(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((text, i) => text === b[i]);
}

/** Runs a fragment in the entity manager's current transaction, if any. */
export function query<Row>(em: EntityManager, fragment: Sql): Promise<Row[]> {
  return em.execute<Row[]>(fragment.text, [...fragment.params]);
}

export async function queryOne<Row>(em: EntityManager, fragment: Sql): Promise<Row | undefined> {
  return (await query<Row>(em, fragment))[0];
}

/**
 * Runs a fragment as a named prepared statement, its values bound apart (`$1..$n`): `pg` sends the text once per
 * pooled connection and PostgreSQL keeps its plan (a generic one from the sixth run on), where `query` inlines the
 * values into a simple query that is parsed and planned on every call (docs/performance.md, entry 15). For the
 * hot statements only, each with one text whatever its inputs (a batch as arrays, not a row of values each): every
 * distinct text keeps a plan (~0.5 MB for the append) on every pooled connection for the connection's life.
 * As `query` does, it runs in the entity manager's current transaction, if any, is logged by MikroORM's logger,
 * and fails with MikroORM's exceptions (a reused clientId is a UniqueConstraintViolationException).
 */
export async function queryPrepared<Row>(em: EntityManager, fragment: Sql): Promise<Row[]> {
  const statement = em
    .getKnex()
    .raw<{ rows: Row[] }>(fragment.text, fragment.params.map(bindable))
    .options({ name: preparedName(fragment.text) });
  const transaction = em.getTransactionContext<Knex.Transaction>();
  if (transaction) statement.transacting(transaction);
  const started = Date.now();
  const logged = { query: fragment.text, params: [...fragment.params] };
  try {
    const { rows } = await statement;
    em.config.getLogger().logQuery({ ...logged, took: Date.now() - started, results: rows.length });
    return rows;
  } catch (error) {
    em.config.getLogger().logQuery({ ...logged, took: Date.now() - started, level: 'error' });
    throw em.getDriver().convertException(error as Error);
  }
}

export async function queryPreparedOne<Row>(em: EntityManager, fragment: Sql): Promise<Row | undefined> {
  return (await queryPrepared<Row>(em, fragment))[0];
}

/** A value as `pg` binds it (its own conversions: JSON for objects, text for numbers); knex refuses undefined. */
const bindable = (value: unknown) => (value === undefined ? null : (value as Knex.Value));

/** Each prepared text's name, worked out once: the hot statements run thousands of times a second. */
const preparedNames = new Map<string, string>();

/** A prepared statement's name, from its text: a changed text is another statement, never taken for the old one. */
function preparedName(text: string): string {
  let name = preparedNames.get(text);
  if (name === undefined) {
    name = `parley_${createHash('sha1').update(text).digest('base64url').slice(0, 20)}`;
    preparedNames.set(text, name);
  }
  return name;
}

/** Escapes LIKE's wildcards so a search for `50%` means the characters, not a pattern. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** `in (${list(ids)})`: one placeholder per value; never call it with an empty list. */
export function list(values: readonly unknown[]): Sql {
  if (values.length === 0) throw new Error('sql list() needs at least one value');
  return new Sql(values.map(() => '?').join(', '), values);
}

/** Fragments one after another, separated by commas (rows of a `values` list, say) or by `separator`. */
export function joined(fragments: readonly Sql[], separator = ', '): Sql {
  return new Sql(
    fragments.map((f) => f.text).join(separator),
    fragments.flatMap((f) => f.params),
  );
}

/** A timestamp as a raw row carries it (text, or a Date inside some drivers' paths) → a Date; null stays. */
export const dateOrNull = (time: string | Date | null) => (time === null ? null : new Date(time));
