import type { EntityManager } from '@mikro-orm/postgresql';

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

/** `sql\`select … where id = ${id}\`` → text with `?` placeholders and the values apart; fragments nest. */
export function sql(strings: TemplateStringsArray, ...values: unknown[]): Sql {
  let text = strings[0] ?? '';
  const params: unknown[] = [];
  values.forEach((value, i) => {
    if (value instanceof Sql) {
      text += value.text;
      params.push(...value.params);
    } else {
      text += '?';
      params.push(value);
    }
    text += strings[i + 1] ?? '';
  });
  return new Sql(text, params);
}

/** Runs a fragment in the entity manager's current transaction, if any. */
export function query<Row>(em: EntityManager, fragment: Sql): Promise<Row[]> {
  return em.execute<Row[]>(fragment.text, [...fragment.params]);
}

export async function queryOne<Row>(em: EntityManager, fragment: Sql): Promise<Row | undefined> {
  return (await query<Row>(em, fragment))[0];
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
