import http from 'node:http';

/** A tRPC mutation over HTTP with a token, as a script or the web client sends one; resolves with the status. */
export function postProcedure(
  agent: http.Agent,
  baseUrl: string,
  path: string,
  token: string,
  input: unknown,
): Promise<number> {
  return new Promise((resolve) => {
    const body = JSON.stringify(input);
    const req = http.request(`${baseUrl}/trpc/${path}`, {
      method: 'POST',
      agent,
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        authorization: `Bearer ${token}`,
      },
    });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.end(body);
  });
}
