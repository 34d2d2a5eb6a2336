import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Closes a TCP connection that sends no complete request head within `timeoutMs` of opening.
 * Node bounds the wait between requests (keepAliveTimeout) and the time to receive one
 * (headersTimeout, requestTimeout), but not the wait for the first: an idle connection used to
 * stay open for minutes, each one a file descriptor. Once a request (or an upgrade) has begun
 * the bound no longer applies, so a slow upload, a kept-alive connection and a WebSocket all stay.
 */
export function closeConnectionsWithoutRequest(server: Server, timeoutMs: number): void {
  const waiting = new WeakMap<Socket, NodeJS.Timeout>();
  const started = (socket: Socket): void => {
    clearTimeout(waiting.get(socket));
    waiting.delete(socket);
  };
  server.on('connection', (socket: Socket) => {
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    // The socket keeps the process alive while it is open; the timer alone must not.
    timer.unref();
    waiting.set(socket, timer);
    socket.once('close', () => started(socket));
  });
  server.on('request', (request: { socket: Socket }) => started(request.socket));
  server.on('upgrade', (request: { socket: Socket }) => started(request.socket));
}
