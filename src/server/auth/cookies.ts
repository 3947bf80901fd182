export const sessionCookieName = 'parley_session';

export interface CookieOptions {
  secure: boolean;
}

export function sessionCookie(token: string, expiresAt: Date, options: CookieOptions): string {
  return serialise(token, `Expires=${expiresAt.toUTCString()}`, options);
}

export function blankSessionCookie(options: CookieOptions): string {
  return serialise('', 'Max-Age=0', options);
}

function serialise(value: string, lifetime: string, { secure }: CookieOptions): string {
  return [`${sessionCookieName}=${value}`, 'HttpOnly', 'SameSite=Lax', 'Path=/', lifetime, secure && 'Secure']
    .filter(Boolean)
    .join('; ');
}

export function readCookie(header: string | undefined, name: string): string | null {
  if (!header) return null;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return null; // a mangled cookie is no session, not a server error
      }
    }
  }
  return null;
}
