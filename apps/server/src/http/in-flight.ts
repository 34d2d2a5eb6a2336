import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * Keeps close() from finishing while handlers still run. Fastify's close waits for open
 * connections, but a request whose client hung up has no connection left and its handler keeps
 * going; without this, it would meet a closed database pool. `onSend` marks the end, because
 * an aborted request never reaches `onResponse`.
 */
export function installInFlightTracking(app: FastifyInstance, drainTimeoutMs = 10_000): { count(): number } {
  const pending = new Set<FastifyRequest>();
  let wake: (() => void) | undefined;
  const settle = (request: FastifyRequest): void => {
    if (pending.delete(request) && pending.size === 0) wake?.();
  };

  app.addHook('onRequest', async (request) => {
    // A WebSocket upgrade is hijacked and never answered over HTTP; its lifetime is the socket's.
    if (request.headers.upgrade?.toLowerCase() !== 'websocket') pending.add(request);
  });
  app.addHook('onSend', async (request, _reply, payload) => {
    settle(request);
    return payload;
  });
  app.addHook('onResponse', async (request) => {
    settle(request);
  });
  app.addHook('onClose', async () => {
    if (pending.size === 0) return;
    app.log.info({ requests: pending.size }, 'waiting for in-flight handlers');
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        app.log.warn({ requests: pending.size }, 'in-flight handlers still running at shutdown');
        resolve();
      }, drainTimeoutMs);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  });
  return { count: () => pending.size };
}
