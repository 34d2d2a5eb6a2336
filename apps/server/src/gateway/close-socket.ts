import type { WebSocket } from 'ws';

/**
 * Closes a socket from the server's side: the close frame goes out, and if the peer has not
 * answered it within `timeoutMs` the TCP connection is cut. ws alone waits 30 s for the answer,
 * so a peer that never gives it (gone, or unwilling) would hold the connection that long after
 * the server was done with it.
 */
export function closeSocket(socket: WebSocket, code: number, reason: string, timeoutMs: number): void {
  socket.close(code, reason);
  if (socket.readyState === socket.CLOSED) return;
  const timer = setTimeout(() => socket.terminate(), timeoutMs);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}
