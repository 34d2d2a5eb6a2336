import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ErrorBody, ErrorCode } from '@veza/shared';
import type { Registry } from 'prom-client';
import { closeConnectionsWithoutRequest } from '../../http/first-request-timeout.js';
import { echoRequestId } from '../../http/request-id.js';
import type { ListenAddress } from '../../infra/config.js';
import type { Logger } from '../../infra/logger.js';
import { decideScrape } from './metrics-access.js';

export interface MetricsListener {
  url: string;
  close(): Promise<void>;
}

/**
 * VEZA_METRICS_LISTEN: /metrics on an address of its own (an internal interface, a port the
 * firewall keeps for Prometheus), and nothing else there. The token, when set, is asked here too,
 * and a connection that sends no request is closed after `firstRequestTimeoutMs` as on the main port.
 */
export async function listenForScrapes(options: {
  address: ListenAddress;
  registry: Registry;
  token: string | undefined;
  logger: Logger;
  firstRequestTimeoutMs: number;
}): Promise<MetricsListener> {
  const { registry, logger } = options;
  const access = { token: options.token, where: 'own-listener' } as const;
  const server = createServer((request, response) => {
    echoRequestId(request, response);
    const path = (request.url ?? '').split('?')[0];
    if (path !== '/metrics' || (request.method !== 'GET' && request.method !== 'HEAD')) {
      return sendError(response, 404, 'ROUTE_NOT_FOUND', 'This address serves GET /metrics only.');
    }
    const decision = decideScrape(access, { remoteAddress: request.socket.remoteAddress, headers: request.headers });
    if (!decision.allowed) {
      for (const [name, value] of Object.entries(decision.headers)) response.setHeader(name, value);
      return sendError(response, decision.status, decision.code, decision.message);
    }
    registry.metrics().then(
      (text) => {
        response.writeHead(200, { 'content-type': registry.contentType, 'content-length': Buffer.byteLength(text) });
        response.end(request.method === 'HEAD' ? undefined : text);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'collecting metrics failed');
        sendError(response, 500, 'INTERNAL_ERROR', 'Collecting the metrics failed.');
      },
    );
  });
  closeConnectionsWithoutRequest(server, options.firstRequestTimeoutMs);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.address.port, options.address.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // A scraper's keep-alive connection would otherwise hold shutdown until it times out.
        server.closeAllConnections();
      }),
  };
}

function sendError(response: ServerResponse, status: number, code: ErrorCode, message: string): void {
  const json = JSON.stringify({ error: { code, message } } satisfies ErrorBody);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(json),
  });
  response.end(json);
}
