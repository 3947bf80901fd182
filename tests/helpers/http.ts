/**
 * Raw tRPC over HTTP, for tests where the wire matters: status codes, Set-Cookie, Origin, Retry-After.
 * Parley has no transformer, so a single (unbatched) call is plain JSON: POST /trpc/<path> with the input as the
 * body for a mutation, GET /trpc/<path>?input=<json> for a query.
 */

export interface TrpcErrorBody {
  message: string;
  data: {
    code: string;
    httpStatus: number;
    fieldErrors?: Record<string, string[] | undefined>;
    retryAfterSeconds?: number;
  };
}

export interface RawResponse {
  status: number;
  headers: Headers;
  /** The procedure's answer when it succeeded. */
  data: unknown;
  error: TrpcErrorBody | null;
}

export type HeaderMap = Record<string, string>;

export async function rawMutation(
  baseUrl: string,
  path: string,
  input?: unknown,
  headers: HeaderMap = {},
): Promise<RawResponse> {
  const response = await fetch(`${baseUrl}/trpc/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: input === undefined ? undefined : JSON.stringify(input),
  });
  return read(response);
}

export async function rawQuery(
  baseUrl: string,
  path: string,
  input?: unknown,
  headers: HeaderMap = {},
): Promise<RawResponse> {
  const query = input === undefined ? '' : `?input=${encodeURIComponent(JSON.stringify(input))}`;
  return read(await fetch(`${baseUrl}/trpc/${path}${query}`, { headers }));
}

async function read(response: Response): Promise<RawResponse> {
  const body = (await response.json()) as { result?: { data: unknown }; error?: TrpcErrorBody };
  return {
    status: response.status,
    headers: response.headers,
    data: body.result?.data,
    error: body.error ?? null,
  };
}

export interface SetCookie {
  name: string;
  value: string;
  /** Attribute names in lower case; flags such as HttpOnly map to `true`. */
  attributes: Record<string, string | true>;
}

/** Every Set-Cookie of a response, parsed. */
export function setCookies(headers: Headers): SetCookie[] {
  return headers.getSetCookie().map((line) => {
    const [pair = '', ...parts] = line.split(';').map((part) => part.trim());
    const eq = pair.indexOf('=');
    const attributes: Record<string, string | true> = {};
    for (const part of parts) {
      const at = part.indexOf('=');
      if (at < 0) attributes[part.toLowerCase()] = true;
      else attributes[part.slice(0, at).toLowerCase()] = part.slice(at + 1);
    }
    return { name: pair.slice(0, eq), value: pair.slice(eq + 1), attributes };
  });
}

export const sessionCookieName = 'parley_session';

/** The session cookie a response sets, or null when it sets none. */
export function sessionCookieOf(headers: Headers): SetCookie | null {
  return setCookies(headers).find((cookie) => cookie.name === sessionCookieName) ?? null;
}

/** The `Cookie` request header a browser would send for this session token. */
export function cookieHeader(sessionToken: string): string {
  return `${sessionCookieName}=${sessionToken}`;
}
