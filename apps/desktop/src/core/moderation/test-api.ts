import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiClient } from '../api/api-client.js';

/**
 * A loopback HTTP server whose answers each test writes: the way to put a hostile or broken
 * server in front of core (malformed JSON, a wrong shape, a huge rule set), which the real
 * server never sends. Core talks to it through its real ApiClient.
 */
export interface ScriptedServer {
  api: ApiClient;
  requests: { method: string; path: string; body: string }[];
  answer(handler: (req: IncomingMessage, body: string, res: ServerResponse) => void): void;
  close(): Promise<void>;
}

export async function scriptedServer(): Promise<ScriptedServer> {
  let handler: (req: IncomingMessage, body: string, res: ServerResponse) => void = (_req, _body, res) => {
    res.writeHead(503).end();
  };
  const requests: ScriptedServer['requests'] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method ?? '', path: req.url ?? '', body });
      handler(req, body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const tokens = { accessToken: async () => 'token', renewAccessToken: async () => 'token' };
  return {
    api: new ApiClient(`http://127.0.0.1:${port}`, tokens),
    requests,
    answer: (next) => {
      handler = next;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export function json(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
}
