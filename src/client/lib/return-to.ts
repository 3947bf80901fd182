/** The query parameter the login page reads to send someone back where they were going. */
const param = 'next';

/**
 * The page to return to after logging in, when `next` is a path on this site; anything else (another origin,
 * `//evil.example`, `javascript:`) is ignored, so the parameter cannot become an open redirect.
 */
export function returnPath(search: string): string | null {
  const next = new URLSearchParams(search).get(param);
  if (!next?.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return null;
  const url = new URL(next, window.location.origin);
  if (url.origin !== window.location.origin) return null;
  const path = `${url.pathname}${url.search}${url.hash}`;
  return path.startsWith('/login') || path.startsWith('/register') ? null : path;
}

/** `/login`, carrying the page asked for (unless that is the home page, where login lands anyway). */
export function loginHref(from: { pathname: string; search: string; hash: string }): string {
  const path = `${from.pathname}${from.search}${from.hash}`;
  return path === '/' ? '/login' : `/login?${param}=${encodeURIComponent(path)}`;
}
