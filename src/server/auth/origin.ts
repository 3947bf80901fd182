import type { IncomingHttpHeaders } from 'node:http';

/**
 * CSRF defence for cookies: a request whose Origin is present and foreign, or that the browser marks cross-site,
 * is refused. A request with no Origin comes from a script, which cannot carry a victim's cookie.
 */
export function isSameOriginOrScript(
  headers: IncomingHttpHeaders,
  encrypted: boolean,
  allowedOrigins: readonly string[],
  trustProxy: boolean,
): boolean {
  if (headers['sec-fetch-site'] === 'cross-site') return false;
  const origin = headers.origin;
  if (!origin) return true;
  if (allowedOrigins.includes(origin)) return true;
  const forwarded = trustProxy ? String(headers['x-forwarded-proto'] ?? '').split(',')[0] : '';
  const scheme = forwarded || (encrypted ? 'https' : 'http');
  return headers.host !== undefined && origin === `${scheme}://${headers.host}`;
}
