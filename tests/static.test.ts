/**
 * The web client as a browser fetches it in production: compressed (brotli, else gzip), with validators so a
 * returning visitor gets 304 instead of the bytes again, hashed assets cached for a year, index.html revalidated
 * on each visit, and no source maps handed out.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { type IncomingHttpHeaders, request } from 'node:http';
import path from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientDir, startTestServer, type TestServer } from './helpers/server.ts';

interface Fetched {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** A GET as a browser sends it, without a client that would undo the compression for us. */
function get(url: string, headers: Record<string, string> = {}): Promise<Fetched> {
  return new Promise((resolve, reject) => {
    request(url, { headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }),
      );
    })
      .on('error', reject)
      .end();
  });
}

const assetsDir = path.join(clientDir, 'assets');
const builtScript = () => {
  const name = readdirSync(assetsDir).find((file) => file.endsWith('.js'));
  if (!name) throw new Error('No built script: run `npm run build` first');
  return name;
};
const browser = { 'accept-encoding': 'gzip, deflate, br, zstd' };

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ serveClient: true, env: { NODE_ENV: 'production' } });
});

afterAll(async () => {
  await server?.close();
});

describe('a hashed script', () => {
  it('comes brotli-compressed to a browser that takes br, and is cached for a year', async () => {
    const script = builtScript();
    const response = await get(`${server.url}/assets/${script}`, browser);
    expect(response.status).toBe(200);
    expect(response.headers['content-encoding']).toBe('br');
    expect(response.headers.vary).toMatch(/accept-encoding/i);
    expect(response.headers['content-type']).toMatch(/javascript/);
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(response.headers.etag).toBeTruthy();
    expect(response.headers['last-modified']).toBeTruthy();
    const original = readFileSync(path.join(assetsDir, script));
    expect(response.body.length).toBeLessThan(original.length);
    expect(brotliDecompressSync(response.body).equals(original)).toBe(true);
  });

  it('comes gzipped to a client that takes only gzip, and as it is to one that takes neither', async () => {
    const script = builtScript();
    const original = readFileSync(path.join(assetsDir, script));
    const gzipped = await get(`${server.url}/assets/${script}`, { 'accept-encoding': 'gzip' });
    expect(gzipped.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gzipped.body).equals(original)).toBe(true);
    const plain = await get(`${server.url}/assets/${script}`);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.equals(original)).toBe(true);
  });

  it('answers 304 without the bytes when the browser already has this version', async () => {
    const url = `${server.url}/assets/${builtScript()}`;
    const first = await get(url, browser);
    const again = await get(url, { ...browser, 'if-none-match': String(first.headers.etag) });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
  });
});

describe('the page itself', () => {
  it('comes compressed and is revalidated on every visit, so a deploy shows at once', async () => {
    const response = await get(`${server.url}/`, browser);
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.headers['content-encoding']).toBe('br');
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(brotliDecompressSync(response.body).toString()).toContain('<div id="root">');
    const again = await get(`${server.url}/`, { ...browser, 'if-none-match': String(response.headers.etag) });
    expect(again.status).toBe(304);
  });

  it('is what any app path gets, so a deep link opens the app', async () => {
    const response = await get(`${server.url}/rooms/12`, browser);
    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(brotliDecompressSync(response.body).toString()).toContain('<div id="root">');
  });
});

it('hands out no source maps in production', async () => {
  const map = readdirSync(assetsDir).find((file) => file.endsWith('.js.map'));
  if (!map) throw new Error('The build made no source map: this test would prove nothing');
  expect((await get(`${server.url}/assets/${map}`, browser)).status).toBe(404);
  expect((await get(`${server.url}/assets/missing-abc123.js`, browser)).status).toBe(404);
});
