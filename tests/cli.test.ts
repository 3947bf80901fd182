/**
 * `npx parley`: the command line, run as a person or a script would run it — a child process talking to a real
 * server, with its login kept in its own config folder.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../src/server/db/database.ts';
import { newClientId } from './helpers/chat.ts';
import { type CliOptions, type RunningCli, runCli, spawnCli } from './helpers/cli.ts';
import { blue, red, twoTone } from './helpers/images.ts';
import { createTestDatabase, startTestServer, type TestServer } from './helpers/server.ts';
import { type Account, registerUser, roomyLimits, uniqueUsername } from './helpers/users.ts';

let server: TestServer;
let configRoot: string;
/** Long-running commands a test started; one that failed midway must not leave them behind. */
const running: RunningCli[] = [];

beforeAll(async () => {
  server = await startTestServer({ env: roomyLimits });
  configRoot = await mkdtemp(path.join(tmpdir(), 'parley-cli-'));
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((cli) => cli.stop('SIGKILL')));
});

afterAll(async () => {
  await server?.close();
  if (configRoot) await rm(configRoot, { recursive: true, force: true });
});

/** Someone with a terminal of their own: their config folder, and `parley …` run as them. */
function terminalOf(name: string, url = server.url) {
  const options: CliOptions = {
    configDir: path.join(configRoot, `${name}-${randomBytes(3).toString('hex')}`),
    url,
  };
  return {
    configFile: path.join(options.configDir, 'config.json'),
    run: (args: string[], more: Partial<CliOptions> = {}) => runCli(args, { ...options, ...more }),
    spawn(args: string[]) {
      const cli = spawnCli(args, options);
      running.push(cli);
      return cli;
    },
  };
}
type Terminal = ReturnType<typeof terminalOf>;

async function loggedIn(account: Account, url = server.url): Promise<Terminal> {
  const terminal = terminalOf(account.username, url);
  const result = await terminal.run(['login', account.username], { input: `${account.password}\n` });
  expect(result, result.stderr).toMatchObject({ code: 0 });
  return terminal;
}

const jsonLines = (lines: readonly string[]) => lines.filter(Boolean).map((line) => JSON.parse(line));

describe('parley login', () => {
  it('takes the password from stdin and keeps a personal token in a file only I can read', async () => {
    const ann = await registerUser(server);
    const terminal = terminalOf('ann');

    const result = await terminal.run(['login', ann.username], { input: `${ann.password}\n` });

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Logged in to ${server.url} as @${ann.username}`);
    expect(result.stdout + result.stderr).not.toContain(ann.password);
    expect((await stat(terminal.configFile)).mode & 0o777).toBe(0o600);
    expect((await stat(path.dirname(terminal.configFile))).mode & 0o777).toBe(0o700);
    const stored = JSON.parse(await readFile(terminal.configFile, 'utf8'));
    expect(stored).toEqual({
      url: server.url,
      token: expect.stringMatching(/^parley_/),
      tokenId: expect.any(String),
      username: ann.username,
    });
    const tokens = await server.client({ cookie: ann.cookie }).auth.tokens.list.query();
    expect(tokens).toEqual([
      expect.objectContaining({ id: stored.tokenId, name: expect.stringMatching(/^parley-cli@/) }),
    ]);
  });

  it('refuses a wrong password with the server’s words, and stores nothing', async () => {
    const ann = await registerUser(server);
    const terminal = terminalOf('ann');

    const result = await terminal.run(['login', ann.username], { input: 'not my password\n' });

    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr.trim().split('\n').at(-1)).toBe('parley: Wrong username, email or password.');
    await expect(stat(terminal.configFile)).rejects.toThrow(/ENOENT/);
  });
  it('without --url says which server it is using, and where that choice came from', async () => {
    const ann = await registerUser(server);
    const terminal = terminalOf('ann');

    const fromEnvironment = await terminal.run(['login', ann.username], { input: `${ann.password}\n` });
    expect(fromEnvironment.code).toBe(0);
    expect(fromEnvironment.stderr).toContain(
      `Using ${server.url} (from $PARLEY_URL; --url chooses another).`,
    );

    // Nothing set and nobody logged in: the default, said out loud rather than assumed.
    const nowhere = await runCli(['login', ann.username], {
      configDir: path.join(configRoot, `nobody-${randomBytes(3).toString('hex')}`),
      input: `${ann.password}\n`,
    });
    expect(nowhere.stderr).toContain('Using http://localhost:3000 (the default; --url chooses another).');

    const withUrl = await terminal.run(['login', ann.username, '--url', server.url], {
      input: `${ann.password}\n`,
    });
    expect(withUrl.code).toBe(0);
    expect(withUrl.stderr).not.toContain('Using ');
  });
});

describe('parley whoami', () => {
  it('says who I am, to a person and to a script', async () => {
    const ann = await registerUser(server, { displayName: 'Ann Lee' });
    const terminal = await loggedIn(ann);

    const human = await terminal.run(['whoami']);
    const script = await terminal.run(['whoami', '--json']);

    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`@${ann.username} (Ann Lee)`);
    expect(human.stdout).toContain(ann.email);
    expect(script.code).toBe(0);
    expect(JSON.parse(script.stdout)).toEqual(ann.me);
  });

  it('says so when I am not logged in', async () => {
    const result = await terminalOf('nobody').run(['whoami']);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Not logged in to ${server.url}`);
  });
});

describe('parley send', () => {
  it('posts to the public room, where everyone reads it', async () => {
    const ann = await registerUser(server);
    const terminal = await loggedIn(ann);
    const text = `hello from the terminal ${randomBytes(3).toString('hex')}`;

    const result = await terminal.run(['send', 'public', '--json', text]);

    expect(result.code).toBe(0);
    const sent = JSON.parse(result.stdout);
    const reader = server.client();
    const room = await reader.chat.publicRoom.query();
    const { items } = await reader.chat.history.query({ roomId: room.id, limit: 20 });
    const stored = items.find((message) => message.id === sent.id);
    expect(stored).toMatchObject({ body: text, roomId: room.id, sender: { id: ann.me.id } });
  });

  it('replies to a message with --reply-to, and refuses an id that is not one', async () => {
    const ann = await registerUser(server);
    const terminal = await loggedIn(ann);
    const first = JSON.parse((await terminal.run(['send', 'public', '--json', 'Who has the keys?'])).stdout);

    const result = await terminal.run(['send', 'public', '--json', '--reply-to', first.id, 'I do']);
    const bad = await terminal.run(['send', 'public', '--reply-to', 'latest', 'I do']);

    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      body: 'I do',
      replyTo: { id: first.id, excerpt: 'Who has the keys?', deleted: false },
    });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--reply-to takes a message id');
  });
});

describe('parley send --image', () => {
  it('attaches pictures from files, with or without words, and tail prints where each is served', async () => {
    const ann = await registerUser(server, { displayName: 'Ann Lee' });
    const terminal = await loggedIn(ann);
    const folder = await mkdtemp(path.join(tmpdir(), 'parley-images-'));
    const graph = path.join(folder, 'graph.png');
    await writeFile(graph, await twoTone(300, 100, red, blue).png().toBuffer());

    const captioned = await terminal.run([
      ...['send', 'public', '--json', '--image', graph],
      ...['--alt', 'Build minutes per day, rising', 'the build graph'],
    ]);
    const bare = await terminal.run(['send', 'public', '--json', '--image', graph, '--image', graph]);
    const missing = await terminal.run(['send', 'public', '--image', path.join(folder, 'nope.png')]);

    expect(captioned.code, captioned.stderr).toBe(0);
    const sent = JSON.parse(captioned.stdout);
    expect(sent).toMatchObject({
      body: 'the build graph',
      attachments: [{ width: 300, height: 100, alt: 'Build minutes per day, rising' }],
    });
    expect(JSON.parse(bare.stdout)).toMatchObject({ body: '', attachments: [{ alt: '' }, { alt: '' }] });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such file');
    const tail = terminal.spawn(['tail', 'public', '-n', '5']);
    const line = await tail.nextLine((l) => l.includes(sent.attachments[0].url));
    expect(line).toBe(`    (image 300×100: ${sent.attachments[0].url})`);
    expect(await tail.stop('SIGINT')).toBe(0);
    await rm(folder, { recursive: true, force: true });
  });
});

describe('parley friends, and sending to a friend', () => {
  it('lists my friends with who is online, and sends to our private room by @username', async () => {
    const ann = await registerUser(server);
    const ben = await registerUser(server, { displayName: 'Ben Ode' });
    const anns = server.client({ cookie: ann.cookie });
    const request = await anns.friends.sendRequest.mutate({ userId: ben.me.id });
    if (request.status === 'pending') {
      await server.client({ cookie: ben.cookie }).friends.accept.mutate({ requestId: request.requestId });
    }
    const terminal = await loggedIn(ann);

    const human = await terminal.run(['friends']);
    const script = await terminal.run(['friends', '--json']);
    const sent = await terminal.run(['send', `@${ben.username}`, 'just', 'between', 'us']);

    expect(human).toMatchObject({ code: 0, stdout: expect.stringContaining(`@${ben.username} (Ben Ode)`) });
    expect(JSON.parse(script.stdout)).toEqual({
      items: [expect.objectContaining({ id: ben.me.id, username: ben.username, online: false })],
    });
    expect(sent.code, sent.stderr).toBe(0);
    const room = await anns.chat.openPrivate.mutate({ userId: ben.me.id });
    const { items } = await server.client({ cookie: ben.cookie }).chat.history.query({ roomId: room.id });
    expect(items.map((message) => message.body)).toEqual(['just between us']);
  });

  it('will not open a private room with someone who is not a friend', async () => {
    const ann = await registerUser(server);
    const stranger = await registerUser(server);
    const terminal = await loggedIn(ann);

    const result = await terminal.run(['send', `@${stranger.username}`, 'hi']);

    expect(result).toMatchObject({
      code: 1,
      stderr: 'parley: You can only message people who are your friends.\n',
    });
  });
});

describe('parley tail', () => {
  it('follows a room live, and after a dropped connection carries on with nothing lost or repeated', async () => {
    // Two instances of one deployment: the one `tail` uses goes down and comes back on the same port, while
    // people keep talking through the other.
    const database = await createTestDatabase();
    const shared = {
      databaseUrl: database.url,
      redisPrefix: `parley-test:${randomBytes(4).toString('hex')}:`,
    };
    const port = await freePort();
    const onPort = { ...shared, env: { ...roomyLimits, PORT: String(port) } };
    let followed = await startTestServer(onPort);
    const other = await startTestServer({ ...shared, env: roomyLimits });
    try {
      const [ann, ben] = [await registerUser(other), await registerUser(other)];
      const terminal = await loggedIn(ann, followed.url);
      const bens = other.client({ cookie: ben.cookie });
      const roomId = (await bens.chat.publicRoom.query()).id;
      const say = (body: string) => bens.chat.send.mutate({ roomId, clientId: newClientId(), body });
      const tail = terminal.spawn(['tail', 'public', '--json', '--history', '0']);
      // After a drop the client retries with a growing pause (2 s, 4 s, 8 s…): allow for a slow restart.
      const arrived = (body: string) => tail.nextLine((line) => line.includes(`"body":"${body}"`), 0, 40_000);
      await tail.said('Following');

      await say('before the drop');
      await arrived('before the drop');
      await followed.close();
      await tail.said('Connection lost');
      await say('while it was down');
      followed = await startTestServer(onPort);
      await arrived('while it was down');
      await say('after it came back');
      await arrived('after it came back');
      await new Promise((resolve) => setTimeout(resolve, 300)); // room for a duplicate to show up, if there were one

      const events = jsonLines(tail.lines);
      expect(events.map((event) => [event.type, event.message.body])).toEqual([
        ['message.created', 'before the drop'],
        ['message.created', 'while it was down'],
        ['message.created', 'after it came back'],
      ]);
      expect(events.map((event) => event.position)).toEqual(events.map((event) => event.message.seq));
      expect(events.every((event) => event.message.sender.username === ben.username)).toBe(true);
      expect(await tail.stop('SIGINT')).toBe(0);
    } finally {
      await followed.close();
      await other.close();
      await database.drop();
    }
  }, 90_000);

  it('prints the last messages first, as a person reads them', async () => {
    const ann = await registerUser(server, { displayName: 'Ann Lee' });
    const terminal = await loggedIn(ann);
    const text = `earlier words ${randomBytes(3).toString('hex')}`;
    await terminal.run(['send', 'public', text]);

    const tail = terminal.spawn(['tail', 'public', '-n', '5']);
    const line = await tail.nextLine((l) => l.includes(text));

    expect(line).toMatch(new RegExp(`^\\d\\d:\\d\\d:\\d\\d @${ann.username} \\(Ann Lee\\): ${text}$`));
    await tail.said('Following');
    expect(await tail.stop('SIGINT')).toBe(0);
  });
});

describe('parley create-admin and parley admin', () => {
  it('makes the first admin from the database, who can then ban someone: the banned token stops working', async () => {
    const boss = await registerUser(server);
    const carl = await registerUser(server);
    const database = { env: { DATABASE_URL: server.databaseUrl } };

    const promoted = await terminalOf('setup').run(
      ['create-admin', '--username', boss.username, '--json'],
      database,
    );

    expect(promoted.code, promoted.stderr).toBe(0);
    expect(JSON.parse(promoted.stdout)).toMatchObject({ id: boss.me.id, role: 'admin', outcome: 'promoted' });

    const bossTerminal = await loggedIn(boss);
    const carlTerminal = await loggedIn(carl);
    const carlsTail = carlTerminal.spawn(['tail', 'public', '-n', '0']);
    await carlsTail.said('Following');

    const ban = await bossTerminal.run(['admin', 'ban', `@${carl.username}`, '--reason', 'spam links']);

    expect(ban).toMatchObject({ code: 0, stdout: `Banned @${carl.username} permanently.\n` });
    const whoami = await carlTerminal.run(['whoami']);
    expect(whoami.code).toBe(1);
    expect(whoami.stderr).toContain('That API token is not valid.');
    expect(await carlsTail.exited).toBe(1);
    expect(carlsTail.stderr()).toContain('ended this session');
    const audit = await bossTerminal.run(['admin', 'audit', '--json']);
    expect(JSON.parse(audit.stdout).items[0]).toMatchObject({
      action: 'user.ban',
      actor: { id: boss.me.id },
      target: { id: carl.me.id },
      reason: 'spam links',
    });
  }, 40_000);

  it('creates a new admin with a password from stdin, who can log in', async () => {
    const username = uniqueUsername('root');
    const password = 'a long admin password';

    const created = await terminalOf('setup').run(
      ['create-admin', '--username', username, '--email', `${username}@example.com`, '--password-stdin'],
      { input: `${password}\n`, env: { DATABASE_URL: server.databaseUrl } },
    );

    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toContain(`Created @${username}`);
    const admin = await loggedIn({ username, password } as Account);
    const me = JSON.parse((await admin.run(['whoami', '--json'])).stdout);
    expect(me).toMatchObject({ username, role: 'admin' });
    const stats = await admin.run(['admin', 'stats', '--json']);
    expect(JSON.parse(stats.stdout)).toMatchObject({
      users: expect.any(Number),
      instances: expect.any(Array),
    });
  });

  it('keeps admin commands to admins', async () => {
    const ann = await registerUser(server);
    const terminal = await loggedIn(ann);

    const result = await terminal.run(['admin', 'stats']);

    expect(result).toMatchObject({ code: 1, stderr: 'parley: Admins only.\n' });
  });
});

describe('parley logout', () => {
  it('revokes the token and deletes the file', async () => {
    const ann = await registerUser(server);
    const terminal = await loggedIn(ann);
    const { token } = JSON.parse(await readFile(terminal.configFile, 'utf8'));

    const result = await terminal.run(['logout']);

    expect(result.code).toBe(0);
    await expect(stat(terminal.configFile)).rejects.toThrow(/ENOENT/);
    const script = server.client({ token });
    await expect(script.auth.me.query()).rejects.toThrow('That API token is not valid.');
    expect(await server.client({ cookie: ann.cookie }).auth.tokens.list.query()).toEqual([]);
  });
});

describe('usage', () => {
  it.concurrent.each([
    [[], 'Usage: parley <command>'],
    [['frobnicate'], 'there is no command "frobnicate"'],
    [['whoami', '--frob'], "Unknown option '--frob'"],
    [['send', 'public'], 'Missing arguments'],
    [['admin', 'ban', '@someone'], '--reason is required'],
    [['admin'], 'admin needs a subcommand'],
    [['tail', 'public', '--history', 'lots'], '--history is a number'],
  ])('parley %j is a usage error: exit 2', async (args: string[], message: string) => {
    const result = await terminalOf('typo').run(args);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stdout).toBe('');
  });

  it('--help shows each command’s usage and exits 0', async () => {
    const general = await terminalOf('help').run(['--help']);
    const send = await terminalOf('help').run(['send', '--help']);

    expect(general.code).toBe(0);
    for (const command of [
      'login',
      'logout',
      'whoami',
      'send',
      'tail',
      'friends',
      'admin ban',
      'create-admin',
    ]) {
      expect(general.stdout).toContain(`  ${command} `);
    }
    expect(send).toMatchObject({
      code: 0,
      stdout: expect.stringContaining(
        'Usage: parley send <room> [text...] [--image <file> [--alt <description>]]...',
      ),
    });
  });
});

describe('parley react', () => {
  it('adds an emoji to a message and takes it back, and refuses one that is not on the list', async () => {
    const ann = await registerUser(server);
    const terminal = await loggedIn(ann);
    const sent = JSON.parse((await terminal.run(['send', 'public', '--json', 'react to me'])).stdout);

    const added = await terminal.run(['react', sent.id, '🎉']);
    expect(added).toMatchObject({ code: 0, stdout: `Message ${sent.id}: 🎉 1.\n` });
    const removed = await terminal.run(['react', sent.id, '🎉', '--remove', '--json']);
    expect(JSON.parse(removed.stdout)).toMatchObject({ id: sent.id, reactions: [] });
    const refused = await terminal.run(['react', sent.id, 'lol']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('Pick one emoji from the list.');
  });
});
