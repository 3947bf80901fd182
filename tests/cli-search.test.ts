import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newClientId } from './helpers/chat.ts';
import { runCli } from './helpers/cli.ts';
import { startTestServer, type TestServer } from './helpers/server.ts';
import { type Account, registerUser, roomyLimits } from './helpers/users.ts';

let server: TestServer;
let configRoot: string;

beforeAll(async () => {
  server = await startTestServer({ env: roomyLimits });
  configRoot = await mkdtemp(path.join(tmpdir(), 'parley-cli-search-'));
});

afterAll(async () => {
  await server?.close();
  if (configRoot) await rm(configRoot, { recursive: true, force: true });
});

async function loggedIn(account: Account) {
  const options = { configDir: path.join(configRoot, account.username), url: server.url };
  const login = await runCli(['login', account.username], { ...options, input: `${account.password}\n` });
  expect(login, login.stderr).toMatchObject({ code: 0 });
  return (args: string[]) => runCli(args, options);
}

describe('parley search', () => {
  it('finds messages from the terminal, the matched words marked, and gives scripts the whole page', async () => {
    const ann = await registerUser(server);
    const parley = await loggedIn(ann);
    const word = `k${randomBytes(3).toString('hex')}`;
    const client = server.client({ cookie: ann.cookie });
    const room = await client.chat.publicRoom.query();
    await client.chat.send.mutate({
      roomId: room.id,
      clientId: newClientId(),
      body: `the ${word} report is out`,
    });

    const human = await parley(['search', word]);
    const script = await parley(['search', word, '--room', 'public', '--json']);

    expect(human.code).toBe(0);
    expect(human.stdout).toContain(`the *${word}* report is out`);
    expect(human.stdout).toContain(`@${ann.username}`);
    expect(JSON.parse(script.stdout)).toMatchObject({
      items: [{ message: { roomId: room.id } }],
      nextCursor: null,
    });
  });

  it('says why a search cannot run', async () => {
    const parley = await loggedIn(await registerUser(server));

    const tooShort = await parley(['search', 'a']);

    expect(tooShort.code).toBe(1);
    expect(tooShort.stderr).toContain('at least 2 characters');
  });
});
