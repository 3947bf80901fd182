/**
 * A call without a query string (`/trpc/chat.send`: every mutation a script sends) names a procedure in letters,
 * digits, `_`, `.`, `,` and `-` after a letter: a URL parser would change nothing in it, and skipping one saved ~2 %
 * of an HTTP send's CPU. So with a socket's `/trpc` or `/ws`, parsed three times per connect before (entry 39).
 * Anything else goes through `URL`: dot segments, escapes, a query.
 */
const plainTarget = /^\/trpc(?:\/[A-Za-z][\w.,-]*)?$|^\/ws$/;

/** The path and query of a request's target (`req.url`), as `new URL(target, base)` reads them. */
export function requestTarget(target: string): { pathname: string; searchParams: URLSearchParams } {
  if (plainTarget.test(target)) return { pathname: target, searchParams: new URLSearchParams() };
  return new URL(target, 'http://local');
}

/** Whether a socket's target asks it to wait for its connectionParams (`?connectionParams=1`, from tRPC's wsLink). */
export function awaitsConnectionParams(target = '/'): boolean {
  return target.includes('?') && requestTarget(target).searchParams.get('connectionParams') === '1';
}
