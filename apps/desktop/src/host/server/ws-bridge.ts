/**
 * The page's end of `window.veza`: a WebSocket at /__veza/ws carrying BridgeMessages. Only a page
 * this host served may connect (its Origin, Host and token are checked before the handshake is
 * accepted); requests go to core, outcomes come back by id, core's events go to every page.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { BridgeEventMessage, BridgeResponse } from '../../common/bridge-messages.js';
import type { CommandName, CommandOutcome, CoreEvent } from '../../common/contract.js';
import { toErrorShape } from '../../common/errors.js';
import { MAX_FRAME_BYTES, parseFrame } from './frames.js';
import { isOwnHost, isOwnOrigin, tokenMatches } from './security.js';

export const WS_PATH = '/__veza/ws';
/** Requests one page may have in flight: a runaway page cannot queue unbounded work in core. */
const MAX_IN_FLIGHT = 256;
/** A page that stops reading (a frozen tab) is dropped rather than buffered without end. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

export interface BridgeCore {
  invoke(command: CommandName, args: unknown): Promise<CommandOutcome<unknown>>;
}

export interface WsBridge {
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void;
  broadcast(event: CoreEvent): void;
  close(): Promise<void>;
}

function refuse(socket: Duplex, status: 400 | 401 | 403, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

export function createWsBridge(options: { hostOrigin: string; token: string; core: () => BridgeCore }): WsBridge {
  const server = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });
  const pages = new Set<WebSocket>();

  function send(page: WebSocket, message: BridgeResponse | BridgeEventMessage | string): void {
    if (page.readyState !== WebSocket.OPEN) return;
    if (page.bufferedAmount > MAX_BUFFERED_BYTES) return void page.terminate();
    page.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  function attach(page: WebSocket): void {
    pages.add(page);
    let inFlight = 0;
    page.on('close', () => pages.delete(page));
    page.on('error', () => page.terminate());
    page.on('message', (data: RawData, isBinary: boolean) => {
      // 1003: binary is not part of the protocol; 1007/1008: a frame we refuse to read further.
      if (isBinary) return void page.close(1003, 'text frames only');
      const frame = parseFrame(data.toString());
      if (!frame.ok) {
        if (frame.id === null) return void page.close(1008, 'malformed frame');
        const outcome: CommandOutcome<unknown> = {
          ok: false,
          error: { code: 'UNKNOWN_COMMAND', message: 'That action does not exist.' },
        };
        return send(page, { kind: 'response', id: frame.id, outcome });
      }
      const { id, command, args } = frame.request;
      if (inFlight >= MAX_IN_FLIGHT) {
        return send(page, {
          kind: 'response',
          id,
          outcome: { ok: false, error: { code: 'RATE_LIMITED', message: 'Too many actions at once; try again.' } },
        });
      }
      inFlight += 1;
      void options
        .core()
        .invoke(command, args)
        .catch((error: unknown): CommandOutcome<unknown> => ({ ok: false, error: toErrorShape(error) }))
        .then((outcome) => {
          inFlight -= 1;
          send(page, { kind: 'response', id, outcome });
        });
    });
  }

  return {
    handleUpgrade(request, socket, head) {
      const url = new URL(request.url ?? '/', options.hostOrigin);
      if (url.pathname !== WS_PATH) return refuse(socket, 400, 'Bad Request');
      if (
        !isOwnHost(request.headers.host, options.hostOrigin) ||
        !isOwnOrigin(request.headers.origin, options.hostOrigin)
      ) {
        return refuse(socket, 403, 'Forbidden');
      }
      if (!tokenMatches(url.searchParams.get('token'), options.token)) return refuse(socket, 401, 'Unauthorized');
      server.handleUpgrade(request, socket, head, attach);
    },
    broadcast(event) {
      // Serialised once for every page.
      const text = JSON.stringify({ kind: 'event', event } satisfies BridgeEventMessage);
      for (const page of pages) send(page, text);
    },
    async close() {
      for (const page of pages) page.close(1001, 'host closing');
      await new Promise<void>((resolve) => server.close(() => resolve()));
      for (const page of pages) page.terminate();
    },
  };
}
