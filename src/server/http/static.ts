import type { IncomingMessage, ServerResponse } from 'node:http';
import sirv from 'sirv';

export interface StaticOptions {
  /** An unknown path without an extension gets index.html, so the client router can take it. */
  spaFallback: boolean;
  /** Files whose names change with their content: cached for a year. Anything else is revalidated. */
  immutable: (pathname: string) => boolean;
  /** Files come and go while serving (uploads): each is looked up per request, not listed once at start. */
  changing?: boolean;
  /** Leave `*.map` unserved (production). */
  hideSourceMaps?: boolean;
}

/**
 * Serves a folder through sirv: the precompressed `.br` / `.gz` copy the build wrote when the client accepts it,
 * ETag and Last-Modified with 304 on a matching If-None-Match. `pathname` is the path inside the folder (the
 * request's, less any mount prefix). Resolves false when no file answers.
 */
export function staticFiles(root: string, options: StaticOptions) {
  const cacheControl = (pathname: string) =>
    options.immutable(pathname) ? 'public, max-age=31536000, immutable' : 'no-cache';
  const serve = sirv(root, {
    dev: options.changing ?? false,
    etag: true,
    brotli: true,
    gzip: true,
    single: options.spaFallback,
    setHeaders: (res, pathname) => res.setHeader('Cache-Control', cacheControl(pathname)),
  });
  return async (req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    if (options.hideSourceMaps && pathname.endsWith('.map')) return false;
    // sirv reads the path from req.url: give it the path inside the folder, as a mounted handler sees it.
    const url = req.url;
    const query = url?.indexOf('?') ?? -1;
    req.url = query < 0 ? pathname : pathname + (url ?? '').slice(query);
    let served = true;
    try {
      serve(req, res, () => {
        served = false;
      });
    } finally {
      req.url = url;
    }
    return served;
  };
}
