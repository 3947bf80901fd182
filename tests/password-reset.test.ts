import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/server/config.ts';
import { createLogger } from '../src/server/logger.ts';
import { createMailer, keptMails } from '../src/server/mail/mailer.ts';
import { signUpAdmin, wholeAuditLog } from './helpers/admin.ts';
import { runCli } from './helpers/cli.ts';
import { connectDatabase } from './helpers/db.ts';
import { rejection } from './helpers/errors.ts';
import { rawMutation, sessionCookieOf } from './helpers/http.ts';
import { type Mailbox, parseMessage, resetLinkIn, startMailbox, tokenOf } from './helpers/mailbox.ts';
import { signUp } from './helpers/people.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';
import { watchSession } from './helpers/sockets.ts';
import { type Account, logIn, registerUser, roomyLimits, uniqueUsername } from './helpers/users.ts';

// Password reset by mail, against a real SMTP server in this process: the mail arrives with a link, the link works
// once and for a while, everything the old password let in ends, and nobody learns whether an account exists.

let mailbox: Mailbox;
let server: TestServer;
let db: pg.Client;

beforeAll(async () => {
  mailbox = await startMailbox();
  server = await startTestServer({
    env: { ...roomyLimits, SMTP_URL: mailbox.url, RATE_PASSWORD_RESET_PER_HOUR: '1000' },
  });
  db = await connectDatabase(server.databaseUrl);
});

afterAll(async () => {
  await db?.end();
  await server?.close();
  await mailbox?.close();
});

const newPassword = 'a brand new passphrase';

function askForReset(login: string, on: TestServer = server) {
  return on.client().auth.passwordReset.request.mutate({ login });
}

/** Asks for a reset by `login` and reads the `count`th reset mail to the account's address. */
async function resetLinkFor(account: Account, login = account.username, count = 1): Promise<string> {
  await askForReset(login);
  return resetLinkIn(await mailbox.mailTo(account.email, count));
}

function completeReset(token: string, password = newPassword) {
  return rawMutation(server.url, 'auth.passwordReset.complete', { token, newPassword: password });
}

async function resetProblem(token: string): Promise<string> {
  const response = await completeReset(token);
  expect(response.error?.data.code).toBe('BAD_REQUEST');
  return response.error?.message ?? '';
}

describe('asking for a password reset', () => {
  it('mails a link to this app that names my account and says how long it works', async () => {
    const ann = await registerUser(server, { displayName: 'Ann Example' });

    expect(await askForReset(ann.username)).toEqual({ ok: true, validMinutes: 30 });
    const mail = await mailbox.mailTo(ann.email);

    expect(mail.subject).toBe('Reset your Parley password');
    expect(mail.text).toContain('Hello Ann Example,');
    expect(mail.text).toContain(`@${ann.username}`);
    expect(mail.text).toContain('It works once, for 30 minutes');
    expect(resetLinkIn(mail).startsWith(`${server.url}/reset-password#token=reset_`)).toBe(true);
  });

  it('works by email too, in any case', async () => {
    const ann = await registerUser(server);

    await askForReset(ann.email.toUpperCase());

    expect((await mailbox.mailTo(ann.email)).subject).toBe('Reset your Parley password');
  });

  it('answers the same for an account that does not exist, and mails nobody', async () => {
    const ann = await registerUser(server);
    const stranger = uniqueUsername('nobody');

    const forStranger = await askForReset(stranger);
    const forStrangerEmail = await askForReset(`${stranger}@example.com`);
    const forAnn = await askForReset(ann.username);
    await server.deps.background.settled();

    expect(forStranger).toEqual(forAnn);
    expect(forStrangerEmail).toEqual(forAnn);
    expect(mailbox.mailsTo(`${stranger}@example.com`)).toEqual([]);
    expect(mailbox.mailsTo(ann.email)).toHaveLength(1);
  });

  it('stores only a hash of the link’s secret', async () => {
    const ann = await registerUser(server);
    const token = tokenOf(await resetLinkFor(ann));
    const secret = token.split('.')[1] ?? '';

    const { rows } = await db.query<Record<string, unknown>>(
      'select * from password_resets where user_id = $1',
      [ann.me.id],
    );

    expect(rows).toHaveLength(1);
    expect(secret.length).toBeGreaterThanOrEqual(24);
    expect(JSON.stringify(rows)).not.toContain(secret);
    expect(Buffer.from(rows[0]?.secret_hash as Buffer).toString('utf8')).not.toContain(secret);
  });

  it('refuses input that is not a login', async () => {
    const response = await rawMutation(server.url, 'auth.passwordReset.request', { login: 'x'.repeat(300) });

    expect(response.error?.data.code).toBe('BAD_REQUEST');
  });
});

describe('following the link', () => {
  it('says whose password it resets, then sets the new one and signs me in', async () => {
    const ann = await registerUser(server, { displayName: 'Ann Example' });
    const token = tokenOf(await resetLinkFor(ann));

    const link = await server.client().auth.passwordReset.check.query({ token });
    expect(link).toEqual({
      username: ann.username,
      displayName: 'Ann Example',
      expiresAt: expect.any(String),
    });

    const response = await completeReset(token);

    expect(response.error).toBeNull();
    expect(response.data).toEqual(ann.me);
    const cookie = sessionCookieOf(response.headers);
    expect(cookie?.value).toBeTruthy();
    const me = await server.client({ cookie: `parley_session=${cookie?.value}` }).auth.me.query();
    expect(me?.username).toBe(ann.username);
    await expect(logIn(server, ann.username, newPassword)).resolves.toBeTruthy();
    await expect(logIn(server, ann.username, ann.password)).rejects.toThrow(/Wrong username/);
  });

  it('works only once', async () => {
    const ann = await registerUser(server);
    const token = tokenOf(await resetLinkFor(ann));
    expect((await completeReset(token)).error).toBeNull();

    expect(await resetProblem(token)).toMatch(/already used/);
    const check = await rejection(server.client().auth.passwordReset.check.query({ token }));
    expect(check.message).toMatch(/already used/);
  });

  it('stops working when it expires', async () => {
    const ann = await registerUser(server);
    const token = tokenOf(await resetLinkFor(ann));
    // The clock moves on past the link's 30 minutes.
    await db.query(`update password_resets set expires_at = now() - interval '1 minute' where user_id = $1`, [
      ann.me.id,
    ]);

    expect(await resetProblem(token)).toMatch(/expired/);
    await expect(logIn(server, ann.username, ann.password)).resolves.toBeTruthy();
  });

  it('refuses a wrong or mangled token, and leaves the password alone', async () => {
    const ann = await registerUser(server);
    const token = tokenOf(await resetLinkFor(ann));
    const [id] = token.split('.');

    expect(await resetProblem(`${id}.${'a'.repeat(24)}`)).toMatch(/not valid/);
    expect(await resetProblem('reset_nothing.here')).toMatch(/not valid/);
    expect(await resetProblem('hello')).toMatch(/not valid/);
    const tooLong = await completeReset('x'.repeat(500));
    expect(tooLong.error?.data.code).toBe('BAD_REQUEST');
    await expect(logIn(server, ann.username, ann.password)).resolves.toBeTruthy();
  });

  it('refuses a password too short, and keeps the link for a better one', async () => {
    const ann = await registerUser(server);
    const token = tokenOf(await resetLinkFor(ann));

    const short = await completeReset(token, 'short');
    expect(short.error?.data.fieldErrors?.newPassword).toEqual(['Password must be at least 8 characters.']);

    expect((await completeReset(token)).error).toBeNull();
  });

  it('is replaced by a newer link', async () => {
    const ann = await registerUser(server);
    const first = tokenOf(await resetLinkFor(ann, ann.username, 1));
    const second = tokenOf(await resetLinkFor(ann, ann.username, 2));

    expect(await resetProblem(first)).toMatch(/newer reset link/);
    expect((await completeReset(second)).error).toBeNull();
  });

  it('stops working when the password is changed meanwhile', async () => {
    const ann = await registerUser(server);
    const token = tokenOf(await resetLinkFor(ann));

    await server.client({ cookie: ann.cookie }).auth.changePassword.mutate({
      currentPassword: ann.password,
      newPassword: 'changed it myself',
    });

    expect(await resetProblem(token)).toMatch(/password was changed/);
  });

  it('ends every session and API token the old password let in, open sockets included', async () => {
    const ann = await registerUser(server);
    const laptop = await logIn(server, ann.username, ann.password);
    const { token: apiToken } = await server
      .client()
      .auth.createToken.mutate({ login: ann.username, password: ann.password, name: 'backup' });
    const openTab = server.connect({ cookie: laptop.cookie });
    const watch = watchSession(openTab.client);
    expect(await watch.next()).toEqual({ type: 'active' });

    expect((await completeReset(tokenOf(await resetLinkFor(ann)))).error).toBeNull();

    expect(await watch.next()).toEqual({ type: 'ended', reason: 'password-changed' });
    expect(await server.client({ cookie: ann.cookie }).auth.me.query()).toBeNull();
    expect(await server.client({ cookie: laptop.cookie }).auth.me.query()).toBeNull();
    const withToken = await rejection(server.client({ token: apiToken }).auth.me.query());
    expect(withToken.data?.code).toBe('UNAUTHORIZED');
  });
});

describe('an admin sending a reset', () => {
  it('mails the person a link, says where it went, and records it in the audit log', async () => {
    const admin = await signUpAdmin(server, db);
    const bob = await signUp(server, { displayName: 'Bob Example' });

    const sent = await admin.client.admin.users.sendPasswordReset.mutate({ userId: bob.id });

    expect(sent).toEqual({ email: bob.account.email });
    const mail = await mailbox.mailTo(bob.account.email);
    expect(mail.text).toContain('An admin of Parley sent you a link');
    expect((await completeReset(tokenOf(resetLinkIn(mail)))).error).toBeNull();
    const [entry] = await wholeAuditLog(admin.client);
    expect(entry).toMatchObject({
      action: 'user.password-reset',
      actor: { id: admin.id },
      target: { id: bob.id },
    });
  });

  it('works from the command line too', async () => {
    const admin = await signUpAdmin(server, db);
    const bob = await signUp(server);
    const configDir = await mkdtemp(path.join(tmpdir(), 'parley-cli-'));
    const options = { configDir, url: server.url };

    const login = await runCli(['login', admin.username], {
      ...options,
      input: `${admin.account.password}\n`,
    });
    const sent = await runCli(['admin', 'reset-password', `@${bob.username}`], options);
    await rm(configDir, { recursive: true, force: true });

    expect(login.code, login.stderr).toBe(0);
    expect(sent).toMatchObject({
      code: 0,
      stdout: `Mailed a password-reset link to @${bob.username} (${bob.account.email}).\n`,
    });
    expect((await mailbox.mailTo(bob.account.email)).text).toContain('An admin of Parley sent you a link');
  });

  it('does not let a banned person back in, and mails them nothing when they ask themselves', async () => {
    const admin = await signUpAdmin(server, db);
    const bob = await signUp(server);
    await admin.client.admin.users.sendPasswordReset.mutate({ userId: bob.id });
    const token = tokenOf(resetLinkIn(await mailbox.mailTo(bob.account.email)));
    await admin.client.admin.users.ban.mutate({ userId: bob.id, reason: 'Spam' });

    const response = await completeReset(token);
    await askForReset(bob.username);
    await server.deps.background.settled();

    expect(response.error?.data.code).toBe('FORBIDDEN');
    expect(response.error?.message).toMatch(/banned permanently/);
    expect(sessionCookieOf(response.headers)).toBeNull();
    expect(mailbox.mailsTo(bob.account.email)).toHaveLength(1);
  });

  it('is for admins only, and about someone who exists', async () => {
    const admin = await signUpAdmin(server, db);
    const bob = await signUp(server);

    const asBob = await rejection(bob.client.admin.users.sendPasswordReset.mutate({ userId: admin.id }));
    const nobody = await rejection(admin.client.admin.users.sendPasswordReset.mutate({ userId: 999_999 }));

    expect(asBob.data?.code).toBe('FORBIDDEN');
    expect(nobody.data?.code).toBe('NOT_FOUND');
  });
});

describe('throttling', () => {
  let strict: TestServer;

  beforeAll(async () => {
    strict = await startTestServer({
      env: { ...roomyLimits, SMTP_URL: mailbox.url, RATE_PASSWORD_RESET_PER_HOUR: '2' },
    });
  });

  afterAll(async () => {
    await strict?.close();
  });

  it('refuses a third request for one name within the hour, whether or not the account exists', async () => {
    const ann = await registerUser(strict);
    const stranger = uniqueUsername('nobody');

    for (const login of [ann.username, stranger]) {
      await askForReset(login, strict);
      await askForReset(login, strict);
      const refused = await rejection(askForReset(login, strict));
      expect(refused.data?.code).toBe('TOO_MANY_REQUESTS');
      expect(refused.data?.retryAfterSeconds).toBeGreaterThan(0);
    }
  });

  it('mails one account at most that often, by whichever name it is asked for, quietly', async () => {
    const ann = await registerUser(strict);

    await askForReset(ann.username, strict);
    await askForReset(ann.email, strict);
    expect(await askForReset(ann.username, strict)).toEqual({ ok: true, validMinutes: 30 });
    await strict.deps.background.settled();

    expect(mailbox.mailsTo(ann.email)).toHaveLength(2);
  });

  it('refuses one address that asks for many names (four times the budget of one)', async () => {
    const answers: string[] = [];
    for (let asked = 0; asked < 9; asked++) {
      const answer = askForReset(uniqueUsername('many'), strict);
      answers.push(
        await answer.then(
          () => 'ok',
          async () => (await rejection(answer)).data?.code ?? '?',
        ),
      );
    }

    expect(answers.at(-1)).toBe('TOO_MANY_REQUESTS');
  });
});

describe('without a mail server (SMTP_URL unset)', () => {
  let dataDir: string;
  let local: TestServer;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'parley-mail-'));
    local = await startTestServer({ env: { ...roomyLimits, PARLEY_DATA_DIR: dataDir } });
  });

  afterAll(async () => {
    await local?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('keeps the mail in the data folder, where its link works', async () => {
    const ann = await registerUser(local);

    await askForReset(ann.username, local);
    await local.deps.background.settled();

    const [file] = await readdir(path.join(dataDir, 'mail'));
    const raw = await readFile(path.join(dataDir, 'mail', file ?? ''), 'utf8');
    expect(raw).toContain(`To: ${ann.email}`);
    const token = tokenOf(resetLinkIn({ to: [ann.email], ...parseMessage(raw) }));
    const check = await local.client().auth.passwordReset.check.query({ token });
    expect(check.username).toBe(ann.username);
  });

  it('keeps only the newest mails', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'parley-mail-'));
    const mailer = createMailer(loadConfig({ PARLEY_DATA_DIR: folder }), createLogger('silent'));
    for (let n = 1; n <= keptMails + 2; n++) {
      await mailer.send({ to: 'ann@example.com', subject: `Mail ${n}`, text: 'Hello' });
    }
    mailer.close();

    const kept = await readdir(path.join(folder, 'mail'));
    const subjects = await Promise.all(
      kept.map(
        async (name) => /Subject: (.*)/.exec(await readFile(path.join(folder, 'mail', name), 'utf8'))?.[1],
      ),
    );
    await rm(folder, { recursive: true, force: true });

    expect(kept).toHaveLength(keptMails);
    expect(subjects).not.toContain('Mail 1');
    expect(subjects).toContain(`Mail ${keptMails + 2}`);
  });
});

describe('mail settings', () => {
  it('refuse a mail server or public address that is not one, and name the variable', () => {
    expect(() => loadConfig({ SMTP_URL: 'http://mail.example.com' })).toThrow(ConfigError);
    expect(() => loadConfig({ SMTP_URL: 'http://mail.example.com' })).toThrow(/SMTP_URL/);
    expect(() => loadConfig({ PUBLIC_URL: 'ftp://chat.example.com' })).toThrow(/PUBLIC_URL/);
    expect(() => loadConfig({ PASSWORD_RESET_TTL_MINUTES: '0' })).toThrow(/PASSWORD_RESET_TTL_MINUTES/);
  });

  it('take the public address without its trailing slash, and have a sender by default', () => {
    const config = loadConfig({
      PUBLIC_URL: 'https://chat.example.com/',
      SMTP_URL: 'smtps://mail.example.com',
    });

    expect(config.publicUrl).toBe('https://chat.example.com');
    expect(config.mail).toEqual({ smtpUrl: 'smtps://mail.example.com', from: 'Parley <parley@localhost>' });
    expect(config.passwordResetTtlMs).toBe(30 * 60 * 1000);
  });
});
