import websocket from '@fastify/websocket';
import type { FastifyPluginAsync } from 'fastify';
import { CLOSE_CODES, ErrorBodySchema, PROTOCOL_LIMITS, type ServerFrame } from '@veza/shared';
import { forbidden } from '../infra/errors.js';
import { closeSocket } from './close-socket.js';
import { GatewayConnection, type ConnectionDeps } from './connection.js';
import type { Gateway } from './gateway.js';
import { PendingSockets } from './pending-sockets.js';

export interface GatewayOptions extends Omit<ConnectionDeps, 'clients' | 'registry' | 'parser'> {
  gateway: Gateway;
  /** Origins allowed to open the socket from a browser (the desktop app's included); requests without Origin are native clients. */
  allowedOrigins: string[];
}

/**
 * GET /ws: the realtime WebSocket. Browsers must come from an allowed origin and an address may
 * hold only so many sockets that have not said hello; the credential and every later check
 * happen in GatewayConnection.
 */
export const realtimeGateway: FastifyPluginAsync<GatewayOptions> = async (app, options) => {
  const { gateway, allowedOrigins, ...rest } = options;
  const deps: ConnectionDeps = {
    ...rest,
    clients: gateway.clients,
    registry: gateway.registry,
    parser: gateway.parser,
  };
  const connections = new Set<GatewayConnection>();
  const allowed = new Set(allowedOrigins);
  const pending = new PendingSockets(options.limits.maxPendingSocketsPerAddress);
  options.metrics.sources.wsConnectionStates = function* () {
    for (const connection of connections) yield connection.state;
  };

  await app.register(websocket, {
    options: { maxPayload: PROTOCOL_LIMITS.maxPayloadBytes },
    // Clients learn the server is going away (1001) and reconnect, to another instance if any.
    preClose: async () => {
      for (const connection of connections) connection.close(CLOSE_CODES.GOING_AWAY, 'server shutting down');
    },
  });

  // Real time, not the injected clock: it measures whether peers answer over the network, and a
  // test moving the clock by minutes would otherwise cut sockets whose pong had no time to arrive.
  const heartbeat = setInterval(() => {
    for (const connection of connections) {
      if (!connection.alive) connection.terminate();
      else connection.ping();
    }
  }, options.limits.heartbeatMs);
  heartbeat.unref();
  app.addHook('onClose', async () => {
    clearInterval(heartbeat);
    gateway.close();
  });

  app.route({
    method: 'GET',
    url: '/ws',
    config: { access: 'public' },
    schema: {
      tags: ['chat'],
      summary: 'The chat WebSocket (protocol in docs/protocol.md); it authenticates with its hello frame',
      response: { 426: ErrorBodySchema, 403: ErrorBodySchema },
    },
    onRequest: async (request) => {
      const origin = request.headers.origin;
      if (origin !== undefined && !allowed.has(origin))
        throw forbidden(`Origin ${origin} may not open the chat socket.`);
    },
    handler: async (_request, reply) =>
      reply
        .code(426)
        .header('upgrade', 'websocket')
        .send({ error: { code: 'BAD_REQUEST', message: 'This endpoint speaks WebSocket: send an upgrade request.' } }),
    wsHandler: (socket, request) => {
      const leavePending = pending.admit(request.ip);
      if (!leavePending) {
        const refusal = {
          type: 'error',
          code: 'RATE_LIMITED',
          message: 'Too many connections from this address are waiting to say hello; try again shortly.',
        } satisfies ServerFrame;
        socket.send(JSON.stringify(refusal));
        closeSocket(
          socket,
          CLOSE_CODES.TOO_MANY_CONNECTIONS,
          'too many connections from this address',
          options.limits.closeTimeoutMs,
        );
        return;
      }
      const connection = new GatewayConnection(socket, deps, leavePending);
      connections.add(connection);
      socket.on('close', () => connections.delete(connection));
    },
  });
};
