/**
 * How PostgreSQL runs the send's statement (`appendMessages`) once a database holds people: one plan, whatever the
 * batch, so a pooled connection stops planning it after its first few runs; and every row reached by its key, so a
 * send costs the same in a database of a thousand rooms as in one of ten.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendStatement } from '../../src/server/db/statements/chat.ts';
import { numberedPlaceholders } from '../../src/server/db/statements/sql.ts';
import { statementDatabase } from '../helpers/statement-db.ts';

const db = statementDatabase();
let client: pg.Client;

/** A thousand friends in 500 private rooms, 20 messages in each, and PostgreSQL's statistics of it all. */
async function seedConversations() {
  await client.query(`
    insert into users (username, display_name, email, password_hash)
      select 'plan' || i, 'Plan ' || i, 'plan' || i || '@example.com', 'not-a-hash' from generate_series(1, 1000) i;
    insert into friendships (user_low, user_high)
      select id, id + 1 from users where username like 'plan%' and id % 2 = 1 and id + 1 in (select id from users);
    insert into rooms (kind, name, user_low, user_high, position)
      select 'private', 'Direct message', user_low, user_high, 20 from friendships;
    insert into room_members (room_id, user_id, read_seq)
      select id, user_low, 20 from rooms where kind = 'private'
      union all select id, user_high, 20 from rooms where kind = 'private';
    insert into messages (room_id, seq, sender_id, client_id, body, created_at)
      select r.id, s, r.user_low, 'plan-' || r.id || '-' || s, 'message ' || s, now()
      from rooms r, generate_series(1, 20) s where r.kind = 'private';
    analyze;`);
}

/** A value written as SQL, for EXECUTE's arguments (a prepared statement's EXPLAIN takes no bound values). */
function literal(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value))
    return client.escapeLiteral(
      `{${value.map((item) => (item === null || item === undefined ? 'NULL' : `"${String(item).replace(/[\\"]/g, '\\$&')}"`)).join(',')}}`,
    );
  return client.escapeLiteral(String(value));
}

/** The plan PostgreSQL runs for one send into a room of the seeded ones, with the plan cache forced as asked. */
async function planOfOneSend(mode: 'force_generic_plan' | 'force_custom_plan'): Promise<string> {
  const { rows } = await client.query<{ id: number; user_low: number }>(
    "select id, user_low from rooms where kind = 'private' order by id desc limit 1",
  );
  const [room] = rows;
  const statement = appendStatement([
    { roomId: room!.id, senderId: room!.user_low, clientId: 'p', body: 'hi' },
  ]);
  await client.query(`set plan_cache_mode = ${mode}`);
  await client.query(`prepare one_send as ${numberedPlaceholders(statement.text)}`);
  try {
    const plan = await client.query<{ 'QUERY PLAN': string }>(
      `explain (costs off) execute one_send(${statement.params.map(literal).join(', ')})`,
    );
    return plan.rows.map((row) => row['QUERY PLAN']).join('\n');
  } finally {
    await client.query('deallocate one_send');
  }
}

beforeAll(async () => {
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
  await seedConversations();
});
afterAll(() => client.end());

describe('the send statement in a database with people in it', () => {
  it('has the same plan for one send whether planned for its values or for any: PostgreSQL keeps that one', async () => {
    // With plan_cache_mode auto, PostgreSQL plans a prepared statement for its values until a generic plan costs no
    // more than those did; planned for a one-row batch, the send's plans cost less, and every run paid ~1.8 ms of
    // planning for a quarter of a send's PostgreSQL time (docs/performance.md, entry 34).
    expect(await planOfOneSend('force_custom_plan')).toBe(await planOfOneSend('force_generic_plan'));
  });

  it('reaches every room, member, friendship, person and message by its key, scanning no table whole', async () => {
    const plan = await planOfOneSend('force_generic_plan');
    expect(plan).toContain('Index Scan using rooms_pkey');
    expect(plan).not.toMatch(/Seq Scan on (rooms|room_members|friendships|users|messages)\b/);
  });
});
