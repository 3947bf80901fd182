import { createHash } from 'node:crypto';
import type { EntityManager, Knex } from '@mikro-orm/postgresql';
import type { ClientBase, QueryResultRow } from 'pg';

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
 * It hands the statement to the `pg` connection itself, taken from knex's pool (or the transaction's), rather than
 * through a knex query: knex's runner, its placeholder rewriting and its error formatting cost a hot statement
 * about as much Node CPU again as `pg` does (~55 µs a statement; docs/performance.md, entry 28).
 */
export async function queryPrepared<Row>(em: EntityManager, fragment: Sql): Promise<Row[]> {
  const knex = em.getTransactionContext<Knex.Transaction>() ?? em.getKnex();
  const pool = knex.client as ConnectionSource;
  const { name, text } = prepared(fragment.text);
  const started = Date.now();
  const logged = { query: fragment.text, params: [...fragment.params] };
  try {
    const connection = await pool.acquireConnection();
    try {
      const values = fragment.params.map(bindable);
      // Told as knex tells every query it sends (tests count statements by it).
      pool.emit('query', { method: 'raw', sql: text, bindings: values, options: { name } });
      const { rows } = await connection.query<Row & QueryResultRow>({ name, text, values });
      em.config.getLogger().logQuery({ took: Date.now() - started, results: rows.length, ...logged });
      return rows;
    } finally {
      await pool.releaseConnection(connection);
    }
  } catch (error) {
    em.config.getLogger().logQuery({ took: Date.now() - started, level: 'error', ...logged });
    throw em.getDriver().convertException(error as Error);
  }
}

/** What knex's client gives: a pooled `pg` connection (a transaction's client always gives its own). */
interface ConnectionSource {
  acquireConnection(): Promise<ClientBase>;
  releaseConnection(connection: ClientBase): Promise<void>;
  emit(event: 'query', query: object): boolean;
}

export async function queryPreparedOne<Row>(em: EntityManager, fragment: Sql): Promise<Row | undefined> {
  return (await queryPrepared<Row>(em, fragment))[0];
}

/** A value as `pg` binds it (its own conversions: JSON for objects, text for numbers); undefined binds as null. */
const bindable = (value: unknown) => (value === undefined ? null : value);

/** Each prepared text's name and numbered form, worked out once: the hot statements run thousands of times a second. */
const preparedTexts = new Map<string, { name: string; text: string }>();

/**
 * A prepared statement's name, from its text (a changed text is another statement, never taken for the old one),
 * and the text with its `?`s numbered as `pg` wants them, as knex numbers them (`\\?` is a literal `?`).
 */
function prepared(text: string): { name: string; text: string } {
  let statement = preparedTexts.get(text);
  if (statement === undefined) {
    let count = 0;
    statement = {
      name: `parley_${createHash('sha1').update(text).digest('base64url').slice(0, 20)}`,
      text: text.replace(/(\\*)\?/g, (_, escapes: string) => (escapes.length % 2 ? '?' : `$${++count}`)),
    };
    preparedTexts.set(text, statement);
  }
  return statement;
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

/**
 * These ids, each once, as the rows of `wanted(id)`: one array behind a subquery, so one text (one plan per
 * connection) serves any number of them, and PostgreSQL keeps the generic plan for it. Join each table to it by key
 * with `lateral (select * from … where ….id = wanted.id offset 0)`, which is read per id through the index where
 * `id = any(…)` was planned as a hash of the tables read whole (docs/performance.md, entry 34).
 */
export function wantedIds(ids: readonly number[] | readonly string[]): Sql {
  return typeof ids[0] === 'string'
    ? sql`(select distinct id from unnest((select ${[...ids]}::text[])) as wanted(id)) wanted`
    : sql`(select distinct id from unnest((select ${[...ids]}::int[])) as wanted(id)) wanted`;
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
