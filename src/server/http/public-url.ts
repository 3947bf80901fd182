import type { Config } from '../config.ts';

/** Builds an absolute link to a page of the app, for places outside it (mails). */
export type PublicUrl = (pathname: string) => string;

/**
 * `PUBLIC_URL` when set, else the address this instance listens on. Never the request's Host header: a caller
 * chooses that, and a reset link pointing at their site would hand them the token (reset-link poisoning).
 */
export function publicUrlOf(config: Config, listeningPort: () => number): PublicUrl {
  return (pathname) => `${config.publicUrl ?? localUrl(config.host, listeningPort())}${pathname}`;
}

function localUrl(host: string, port: number): string {
  const name = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${name}:${port}`;
}
