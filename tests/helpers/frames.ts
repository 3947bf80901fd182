/**
 * A socket driven frame by frame, as an attacker (or a careless script) would: any number of tRPC calls in one
 * frame, connectionParams sent late or never, every reply and the close code kept for the test to read.
 */
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { socketUrl } from './sockets.ts';

export interface Reply {
  id: number | string | null;
  result?: { type?: string; data?: unknown };
  error?: { message: string; data?: { code?: string; retryAfterSeconds?: number } };
}

export interface FrameSocket {
  socket: WebSocket;
  /** The TCP connection underneath, to see how what the server wrote arrives read by read. */
  network: Socket;
  replies: Reply[];
  /** The close code, once the server (or the test) closed the socket. */
  closed: Promise<number>;
  send(frame: unknown): void;
  /** Resolves once `count` replies have arrived, or the socket closed first. */
  repliesUntil(count: number): Promise<Reply[]>;
}

/** Opens a socket with these upgrade headers; `connectionParams` asks the server to wait for them. */
export function openFrameSocket(
  httpUrl: string,
  options: { headers?: Record<string, string>; connectionParams?: boolean } = {},
): Promise<FrameSocket> {
  const url = `${socketUrl(httpUrl)}${options.connectionParams ? '?connectionParams=1' : ''}`;
  const socket = new WebSocket(url, { headers: options.headers ?? {} });
  const replies: Reply[] = [];
  let network: Socket | null = null;
  socket.once('upgrade', (response) => {
    network = response.socket;
  });
  const waiters = new Set<() => void>();
  const closed = new Promise<number>((resolve) => socket.once('close', (code) => resolve(code)));
  socket.on('message', (data) => {
    const text = data.toString();
    if (text === 'PING' || text === 'PONG') return;
    const parsed = JSON.parse(text) as Reply | Reply[];
    replies.push(...(Array.isArray(parsed) ? parsed : [parsed]));
    for (const wake of waiters) wake();
  });
  let isClosed = false;
  void closed.then(() => {
    isClosed = true;
    for (const wake of waiters) wake();
  });
  const repliesUntil = (count: number) =>
    new Promise<Reply[]>((resolve) => {
      const check = () => {
        if (replies.length < count && !isClosed) return;
        waiters.delete(check);
        resolve(replies);
      };
      waiters.add(check);
      check();
    });
  return new Promise((resolve, reject) => {
    socket.once('open', () => {
      if (!network) return reject(new Error('The socket opened without an upgrade response'));
      const send = (frame: unknown) => socket.send(JSON.stringify(frame));
      resolve({ socket, network, replies, closed, send, repliesUntil });
    });
    socket.once('error', reject);
  });
}

/** One tRPC call as the stock client encodes it. */
export function callFrame(id: number, method: 'query' | 'mutation', path: string, input?: unknown) {
  return { id, method, params: { path, input } };
}
