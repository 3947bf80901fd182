import type { IncomingMessage, ServerResponse } from 'node:http';
import { credentialsOf, resolveCredentials } from '../auth/resolve.ts';
import { forkOnUse } from '../db/orm.ts';
import { type ImageAccess, imageAccess } from '../db/statements/images.ts';
import type { Deps } from '../deps.ts';
import { imageKey } from '../services/chat/images.ts';

const imagePath = /^\/images\/([A-Za-z0-9_-]{24})\/(full|thumb)\.webp$/;

/**
 * Serves `/images/<id>/<full|thumb>.webp`. The public room's images are public, like its history; a private room's
 * go to its two members only, an unsent upload to its uploader only, and a deleted message's to nobody. Everyone
 * else gets the same 404 as for an id that never existed, so an id tells a stranger nothing.
 */
export async function serveImage(deps: Deps, req: IncomingMessage, res: ServerResponse, pathname: string) {
  const match = imagePath.exec(pathname);
  if (!match || (req.method !== 'GET' && req.method !== 'HEAD')) return notFound(res);
  const [, id = '', variant = 'full'] = match;
  const em = deps.orm.em.fork();
  const access = await imageAccess(em, id);
  if (!access) return notFound(res);
  if (access.deleted) return notFound(res);
  const everyone = access.sent && access.roomKind === 'public';
  if (!everyone && !mayView(access, await viewerOf(deps, req))) return notFound(res);
  const bytes = await deps.images.get(imageKey(id, variant === 'thumb' ? 'thumb' : 'full'));
  if (!bytes) return notFound(res);
  res.writeHead(200, {
    'Content-Type': 'image/webp',
    'Content-Length': bytes.length,
    // The bytes under an id never change. A private room's stay out of shared caches; a day, not a year, because
    // a deleted message's image should not outlive it for long in a browser's cache.
    'Cache-Control': everyone ? 'public, max-age=86400' : 'private, max-age=86400',
    'X-Content-Type-Options': 'nosniff',
    'Content-Disposition': 'inline',
  });
  res.end(req.method === 'HEAD' ? undefined : bytes);
}

function mayView(access: ImageAccess, viewerId: number | null): boolean {
  if (viewerId === null) return false;
  if (!access.sent) return viewerId === access.uploaderId;
  return access.roomKind === 'public' || access.members.includes(viewerId);
}

/** The signed-in viewer (the session cookie, or a script's token), or null. */
async function viewerOf(deps: Deps, req: IncomingMessage): Promise<number | null> {
  const credentials = credentialsOf(req.headers);
  if (!credentials) return null;
  const { auth } = await resolveCredentials(forkOnUse(deps.orm), deps, credentials);
  return auth?.user.id ?? null;
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found');
}
