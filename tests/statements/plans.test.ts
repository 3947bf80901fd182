/**
 * How PostgreSQL runs the hot prepared statements once a database holds people: each with one plan, whatever its
 * batch, so a pooled connection stops planning it after its first few runs; and each row reached by its key, so a
 * send or a look-up costs the same in a database of a thousand rooms as in one of ten.
 *
 * With plan_cache_mode auto, PostgreSQL plans a prepared statement for its values until a generic plan costs no
 * more than those plans did. Planned for a one-row batch, the send's and the credential look-ups' plans cost less,
 * so they were planned again on a quarter of the sends (~1.8 ms each) and on more than half the look-ups
 * (docs/performance.md, entry 34).
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiTokensWithOwners, sessionsWithOwners } from '../../src/server/db/statements/auth.ts';
import { appendMessages } from '../../src/server/db/statements/chat.ts';
import { statementDatabase } from '../helpers/statement-db.ts';

const db = statementDatabase();
let client: pg.Client;

/**
 * A thousand people in 500 private rooms of friends, 20 messages in each, a token and a session each, and
 * PostgreSQL's statistics of it all.
 */
async function seedPeople() {
  await client.query(`
    insert into users (username, display_name, email, password_hash)
      select 'plan' || i, 'Plan ' || i, 'plan' || i || '@example.com', 'not-a-hash' from generate_series(1, 1000) i;
    insert into api_tokens (id, user_id, name, secret_hash, created_at)
      select 'token-' || id, id, 'script', '\\x01', now() from users;
    insert into sessions (id, user_id, secret_hash, created_at, last_verified_at, expires_at)
      select 'session-' || id, id, '\\x01', now(), now(), now() + interval '30 days' from users;
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

interface SentStatement {
  sql: string;
  bindings: unknown[];
}

/** The prepared statement `run` sends (its numbered text and its values), in a transaction rolled back after. */
async function statementOf(run: (em: EntityManager) => Promise<unknown>): Promise<SentStatement> {
  const knex = db.orm().em.getConnection().getKnex();
  const sent: (SentStatement & { options?: { name?: string } })[] = [];
  const listen = (query: SentStatement) => sent.push(query);
  knex.on('query', listen);
  const tx = db.em();
  await tx.begin();
  try {
    await run(tx);
  } finally {
    await tx.rollback();
    knex.off('query', listen);
  }
  const [prepared] = sent.filter((query) => query.options?.name);
  if (!prepared) throw new Error('No prepared statement was sent');
  return prepared;
}

/** A value written as SQL, for EXECUTE's arguments (EXPLAIN of a prepared statement takes no bound values). */
function literal(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (!Array.isArray(value)) return client.escapeLiteral(String(value));
  const items = value.map((item) =>
    item === null || item === undefined ? 'NULL' : `"${String(item).replace(/[\\"]/g, '\\$&')}"`,
  );
  return client.escapeLiteral(`{${items.join(',')}}`);
}

/**
 * The plan PostgreSQL runs for the statement with its values, the plan cache forced as asked, with its estimates:
 * PostgreSQL keeps the generic plan only where it costs no more than the plans made for the values.
 */
async function planOf(statement: SentStatement, mode: 'force_generic_plan' | 'force_custom_plan') {
  await client.query(`set plan_cache_mode = ${mode}`);
  await client.query(`prepare planned as ${statement.sql}`);
  try {
    const plan = await client.query<{ 'QUERY PLAN': string }>(
      `explain execute planned(${statement.bindings.map(literal).join(', ')})`,
    );
    return plan.rows.map((row) => row['QUERY PLAN']).join('\n');
  } finally {
    await client.query('deallocate planned');
  }
}

const someone = async () =>
  (await client.query<{ id: number }>("select id from users where username = 'plan500'")).rows[0]!.id;

/** Each hot statement as one caller sends it: one send, one token, one session. */
const hotStatements: [string, () => Promise<SentStatement>][] = [
  [
    'a send into a private room',
    async () => {
      const { rows } = await client.query<{ id: number; user_low: number }>(
        "select id, user_low from rooms where kind = 'private' order by id desc limit 1",
      );
      const [room] = rows;
      return statementOf((em) =>
        appendMessages(em, [{ roomId: room!.id, senderId: room!.user_low, clientId: 'p', body: 'hi' }]),
      );
    },
  ],
  [
    'a token look-up',
    async () => {
      const id = `token-${await someone()}`;
      return statementOf((em) => apiTokensWithOwners(em, [id]));
    },
  ],
  [
    'a session look-up',
    async () => {
      const id = `session-${await someone()}`;
      return statementOf((em) => sessionsWithOwners(em, [id]));
    },
  ],
];

beforeAll(async () => {
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
  await seedPeople();
});
afterAll(() => client.end());

describe('the hot statements in a database with people in it', () => {
  it.each(hotStatements)(
    '%s has the same plan and costs whether planned for its values or for any: PostgreSQL keeps that one',
    async (_, sent) => {
      const statement = await sent();
      expect(await planOf(statement, 'force_custom_plan')).toBe(
        await planOf(statement, 'force_generic_plan'),
      );
    },
  );

  it.each(hotStatements)('%s reaches every row by its key, scanning no table whole', async (_, sent) => {
    const plan = await planOf(await sent(), 'force_generic_plan');
    expect(plan).toContain('Index Scan');
    expect(plan).not.toMatch(
      /Seq Scan on (rooms|room_members|friendships|users|messages|api_tokens|sessions)\b/,
    );
  });
});
