/**
 * The first admin of a new install, made from the database (`parley create-admin` calls this service): a new
 * account validated as a registration is, or an existing one promoted; either way written to the audit log.
 */
import { describe, expect, it } from 'vitest';
import { createOrPromoteAdmin, findUserByUsername } from '../src/server/services/admins.ts';
import { serverSuite } from './helpers/server-suite.ts';
import { registerUser, roomyLimits, uniqueUsername } from './helpers/users.ts';

const suite = serverSuite({ env: roomyLimits });

const em = () => suite.server.deps.orm.em.fork();

async function auditOf(userId: number) {
  const { rows } = await suite.db.query(
    `select actor_id, action, details from audit_log where target_user_id = $1 order by id`,
    [userId],
  );
  return rows;
}

async function failure(call: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = await call.then(
    () => null,
    (e: unknown) => e as { code: string; message: string },
  );
  if (!error) throw new Error('Expected the call to fail.');
  return { code: error.code, message: error.message };
}

describe('createOrPromoteAdmin', () => {
  it('creates an admin who can sign in, is in the public room, and is in the audit log', async () => {
    const username = uniqueUsername('first');

    const result = await createOrPromoteAdmin(em(), {
      username,
      email: `${username.toUpperCase()}@Example.com`,
      password: 'the first admin password',
    });

    expect(result).toEqual({
      id: expect.any(Number),
      username,
      email: `${username}@example.com`,
      role: 'admin',
      outcome: 'created',
    });
    const me = await suite.server.client().auth.createToken.mutate({
      login: username,
      password: 'the first admin password',
      name: 'check',
    });
    const admin = suite.server.client({ token: me.token });
    expect(await admin.auth.me.query()).toMatchObject({ id: result.id, role: 'admin' });
    expect(await admin.admin.stats.query()).toMatchObject({ users: expect.any(Number) });
    expect((await admin.chat.rooms.query()).map((room) => room.kind)).toEqual(['public']);
    expect(await auditOf(result.id)).toEqual([
      { actor_id: null, action: 'user.create-admin', details: { created: true } },
    ]);
  });

  it('promotes an existing user, whatever the case of the name, once', async () => {
    const ann = await registerUser(suite.server);

    const first = await createOrPromoteAdmin(em(), {
      username: ann.username.toUpperCase(),
      email: ann.email,
    });
    const again = await createOrPromoteAdmin(em(), { username: ann.username });

    expect(first).toMatchObject({ id: ann.me.id, username: ann.username, outcome: 'promoted' });
    expect(again).toMatchObject({ id: ann.me.id, outcome: 'unchanged' });
    expect(await suite.server.client({ cookie: ann.cookie }).auth.me.query()).toMatchObject({
      role: 'admin',
    });
    expect(await auditOf(ann.me.id)).toEqual([
      { actor_id: null, action: 'user.create-admin', details: { created: false, from: 'user' } },
    ]);
  });

  it('will not promote an account whose email is not the one given', async () => {
    const ann = await registerUser(suite.server);

    const refused = await failure(
      createOrPromoteAdmin(em(), { username: ann.username, email: 'someone.else@example.com' }),
    );

    expect(refused.code).toBe('CONFLICT');
    expect((await findUserByUsername(em(), ann.username))?.role).toBe('user');
    expect(await auditOf(ann.me.id)).toEqual([]);
  });

  it('checks a new account as registration does', async () => {
    const taken = await registerUser(suite.server);
    const username = uniqueUsername('new');
    const email = `${username}@example.com`;
    const attempts = [
      createOrPromoteAdmin(em(), { username, email, password: 'short' }),
      createOrPromoteAdmin(em(), { username, email: 'not an email', password: 'long enough password' }),
      createOrPromoteAdmin(em(), { username: 'no spaces allowed', email, password: 'long enough password' }),
      createOrPromoteAdmin(em(), { username, email: taken.email, password: 'long enough password' }),
      createOrPromoteAdmin(em(), { username, email }),
      createOrPromoteAdmin(em(), { username, password: 'long enough password' }),
    ];

    const refusals = await Promise.all(attempts.map(failure));

    expect(refusals).toEqual([
      { code: 'BAD_REQUEST', message: 'Password must be at least 8 characters.' },
      { code: 'BAD_REQUEST', message: 'Enter a valid email address.' },
      { code: 'BAD_REQUEST', message: 'Username may use only letters, digits, _ . and -.' },
      { code: 'CONFLICT', message: 'That email is already registered.' },
      { code: 'BAD_REQUEST', message: 'Give a password for the new admin.' },
      { code: 'BAD_REQUEST', message: `There is no user called ${username}: give an email to create one.` },
    ]);
    expect(await findUserByUsername(em(), username)).toBeNull();
  });
});
