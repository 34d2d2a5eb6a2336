import type { Socket } from 'node:net';
import type { ClientFrame, ServerFrame } from '@veza/shared';
import WebSocket from 'ws';

/**
 * A test client for the chat socket: records every frame, and lets a test wait for the frame
 * it expects (with a timeout that names what it waited for).
 */
export class TestSocket {
  readonly frames: ServerFrame[] = [];
  closeCode: number | undefined;
  private waiters: { match: (frame: ServerFrame) => boolean; resolve: (frame: ServerFrame) => void }[] = [];
  private closeWaiters: ((code: number) => void)[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as ServerFrame;
      this.frames.push(frame);
      this.waiters = this.waiters.filter((w) => {
        if (!w.match(frame)) return true;
        w.resolve(frame);
        return false;
      });
    });
    ws.on('close', (code) => {
      this.closeCode = code;
      for (const resolve of this.closeWaiters.splice(0)) resolve(code);
    });
  }

  static open(url: string, options: WebSocket.ClientOptions = {}): Promise<TestSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, options);
      const socket = new TestSocket(ws);
      ws.once('open', () => resolve(socket));
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    });
  }

  send(frame: ClientFrame | Record<string, unknown>): void {
    this.ws.send(JSON.stringify(frame));
  }

  sendRaw(data: string | Buffer): void {
    this.ws.send(data);
  }

  /**
   * Sends frames in one TCP write, so the server reads them in one chunk and handles them in one
   * tick: a flood that fills its inbound queue whatever the machine's load. Sent one by one,
   * a busy event loop can let the server drain the first frames before the rest arrive.
   */
  sendAtOnce(frames: readonly (string | Buffer)[]): void {
    // ws keeps its net.Socket private; corking it is the only way to batch frames into one write.
    const { _socket: socket } = this.ws as unknown as { _socket: Socket };
    socket.cork();
    for (const frame of frames) this.ws.send(frame);
    socket.uncork();
  }

  /** The first frame (already received or still to come) that matches. */
  next<T extends ServerFrame>(match: (frame: ServerFrame) => frame is T, what: string, timeoutMs?: number): Promise<T>;
  next(match: (frame: ServerFrame) => boolean, what: string, timeoutMs?: number): Promise<ServerFrame>;
  next(match: (frame: ServerFrame) => boolean, what: string, timeoutMs = 5_000): Promise<ServerFrame> {
    const seen = this.frames.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.frames.slice(-5))}`)),
        timeoutMs,
      );
      this.waiters.push({
        match,
        resolve: (frame) => {
          clearTimeout(timer);
          resolve(frame);
        },
      });
    });
  }

  closed(timeoutMs = 5_000): Promise<number> {
    if (this.closeCode !== undefined) return Promise.resolve(this.closeCode);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for close')), timeoutMs);
      this.closeWaiters.push((code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
  }

  close(): void {
    this.ws.close();
  }
}

/**
 * The sockets a test file keeps open across its tests: `track` keeps one (and returns it),
 * `terminateAll` ends them, for an afterAll to call before it closes the server.
 */
export function socketTracker(): { track: (socket: TestSocket) => TestSocket; terminateAll: () => void } {
  const sockets: TestSocket[] = [];
  return {
    track: (socket) => {
      sockets.push(socket);
      return socket;
    },
    terminateAll: () => {
      for (const socket of sockets.splice(0)) socket.ws.terminate();
    },
  };
}
