/** What every command gets: where the server is, who we are there, the typed client, and the output. */
import type { TRPCClient } from '@trpc/client';
import {
  type AppRouter,
  connectParley,
  type ParleyClientOptions,
  type ParleyConnection,
} from '../sdk/index.ts';
import { configFile, normalizeUrl, readLogin, type StoredLogin } from './config.ts';
import { CliError } from './errors.ts';
import type { Output } from './output.ts';

type ConnectOptions = Partial<Pick<ParleyClientOptions, 'url' | 'onSocketClose'>> & { token?: string | null };

export const defaultUrl = 'http://localhost:3000';

/** Where `url` came from, so a command can say which server it chose when the person did not. */
export type UrlSource = 'flag' | 'environment' | 'login' | 'default';

export interface Cli {
  url: string;
  urlSource: UrlSource;
  out: Output;
  configFile: string;
  /** The stored login, when it is for this server. */
  stored: StoredLogin | null;
  /** Whatever login is stored, for this server or another. */
  saved: StoredLogin | null;
  /** PARLEY_TOKEN, or the stored login's token when it is for this server. */
  token: string | undefined;
  /** A client that sends the token, if there is one (the public room can be read without). */
  client(): TRPCClient<AppRouter>;
  /** The client, or "not logged in" when there is no token. */
  signedIn(): TRPCClient<AppRouter>;
  /** A connection of its own: with another token (`null`: none), or one that watches how its socket closes. */
  connect(options?: ConnectOptions): ParleyConnection;
  close(): Promise<void>;
}

/** `--url`, else PARLEY_URL, else the server of the stored login, else localhost. */
export async function createCli(values: { url?: string }, out: Output): Promise<Cli> {
  const file = configFile();
  let login: StoredLogin | null = null;
  try {
    login = await readLogin(file);
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    out.notice(`parley: ${error.message}`);
  }
  const urlSource: UrlSource = values.url
    ? 'flag'
    : process.env.PARLEY_URL
      ? 'environment'
      : login
        ? 'login'
        : 'default';
  const url = normalizeUrl(values.url || process.env.PARLEY_URL || login?.url || defaultUrl);
  // A token goes only to the server that issued it, never to another --url.
  const stored = login && normalizeUrl(login.url) === url ? login : null;
  const token = process.env.PARLEY_TOKEN || stored?.token;
  const connections: ParleyConnection[] = [];
  const connect = (options: ConnectOptions = {}) => {
    const connection = connectParley({
      url: options.url ?? url,
      token: options.token === undefined ? token : (options.token ?? undefined),
      onSocketClose: options.onSocketClose,
    });
    connections.push(connection);
    return connection;
  };
  let shared: ParleyConnection | undefined;
  const client = () => {
    shared ??= connect();
    return shared.client;
  };
  return {
    url,
    urlSource,
    out,
    configFile: file,
    stored,
    saved: login,
    token,
    client,
    signedIn() {
      if (!token) {
        const elsewhere = login ? ` (you are logged in to ${login.url})` : '';
        throw new CliError(
          `Not logged in to ${url}${elsewhere}. Run \`parley login\` first.`,
          1,
          'UNAUTHORIZED',
        );
      }
      return client();
    },
    connect,
    async close() {
      await Promise.all(connections.map((connection) => connection.close()));
    },
  };
}
