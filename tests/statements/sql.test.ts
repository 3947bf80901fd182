import { describe, expect, it } from 'vitest';
import { list, type Sql, sql } from '../../src/server/db/statements/sql.ts';

// The raw SQL tag remembers each template's text: a statement built again from the same pieces must come out as
// the same text, and one built from other nested pieces as its own.

const byIds = (ids: number[], order: Sql) => sql`select id from users where id in (${list(ids)}) ${order}`;

describe('the sql tag', () => {
  it('builds the same statement again as the same text, with the new values', () => {
    const first = byIds([1, 2], sql`order by id`);
    const again = byIds([3, 4], sql`order by id`);
    expect(again.text).toBe('select id from users where id in (?, ?) order by id');
    expect(again.text).toBe(first.text);
    expect(again.params).toEqual([3, 4]);
  });

  it('builds a statement whose nested pieces changed from those pieces', () => {
    byIds([1, 2], sql`order by id`);
    const other = byIds([5, 6, 7], sql`order by id desc limit ${10}`);
    expect(other.text).toBe('select id from users where id in (?, ?, ?) order by id desc limit ?');
    expect(other.params).toEqual([5, 6, 7, 10]);
    expect(byIds([8], sql``).text).toBe('select id from users where id in (?) ');
  });
});
