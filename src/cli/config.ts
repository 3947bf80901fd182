/**
 * Where `parley login` keeps its token: $PARLEY_CONFIG_DIR, else $XDG_CONFIG_HOME/parley, else ~/.config/parley.
 * The folder is private (0700) and the file readable only by its owner (0600): it holds a credential.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { CliError } from './errors.ts';

export interface StoredLogin {
  url: string;
  token: string;
  tokenId: string;
  username: string;
}

const fields = ['url', 'token', 'tokenId', 'username'] as const;

function isStoredLogin(value: unknown): value is StoredLogin {
  return (
    typeof value === 'object' &&
    value !== null &&
    fields.every((field) => typeof (value as Record<string, unknown>)[field] === 'string')
  );
}

export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PARLEY_CONFIG_DIR) return path.resolve(env.PARLEY_CONFIG_DIR);
  const base = env.XDG_CONFIG_HOME ? path.resolve(env.XDG_CONFIG_HOME) : path.join(homedir(), '.config');
  return path.join(base, 'parley');
}

export const configFile = (env?: NodeJS.ProcessEnv) => path.join(configDir(env), 'config.json');

export async function readLogin(file = configFile()): Promise<StoredLogin | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(text);
  } catch {}
  if (!isStoredLogin(parsed)) {
    throw new CliError(`${file} is not a Parley login file; delete it or run \`parley login\` again.`);
  }
  const { url, token, tokenId, username } = parsed;
  return { url, token, tokenId, username };
}

/** Written to a private temporary file first and renamed, so the token is never readable by others, even briefly. */
export async function writeLogin(login: StoredLogin, file = configFile()): Promise<void> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
  const temporary = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, `${JSON.stringify(login, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    await chmod(temporary, 0o600);
    await rename(temporary, file);
  } finally {
    await rm(temporary, { force: true });
  }
}

export async function deleteLogin(file = configFile()): Promise<boolean> {
  try {
    await rm(file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/** `http://Host:3000/` and `http://host:3000` are one server: a stored token is sent only to the server it came from. */
export function normalizeUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new CliError(`${value} is not a URL; give one like http://localhost:3000.`, 2);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliError(`${value} is not an http(s) URL.`, 2);
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}
