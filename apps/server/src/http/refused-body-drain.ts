import type { FastifyInstance } from 'fastify';

/**
 * A body refused for its size (413) is read and thrown away before the connection is used again,
 * instead of Fastify's `Connection: close`. Closing a socket with unread bytes in it makes the
 * kernel send a reset, which discards the 413 still in flight: a reverse proxy that forwards the
 * whole body before reading the answer (nginx, by default) then tells the client 502 instead of
 * the server's coded error. Draining is bounded in time, so a client cannot hold a connection open
 * by sending a refused body forever.
 */
export function installRefusedBodyDrain(app: FastifyInstance, drainTimeoutMs = 10_000): void {
  app.addHook('onSend', async (request, reply, payload) => {
    if (reply.statusCode !== 413 || reply.getHeader('connection') !== 'close' || request.raw.complete) return payload;
    reply.removeHeader('connection');
    const socket = request.raw.socket;
    // Once the answer is written, Node reads the rest of the body and discards it (the request
    // was never consumed); if that takes too long, the connection goes.
    const timer = setTimeout(() => socket.destroy(), drainTimeoutMs);
    timer.unref();
    const settle = (): void => clearTimeout(timer);
    request.raw.once('end', settle);
    socket.once('close', settle);
    return payload;
  });
}
