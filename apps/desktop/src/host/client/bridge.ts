/**
 * `window.veza` in an ordinary browser: every command travels to the browser host over a
 * WebSocket as a BridgeRequest and resolves with its outcome; core's events arrive on the same
 * socket. Bundled as an IIFE (dist/host/bridge.js) that index.html loads before the app.
 *
 * Kept small and free of TypeBox: the host and core validate everything this sends.
 */
import type { BridgeMessage, BridgeRequest } from '../../common/bridge-messages.js';
import { COMMAND_NAME_LIST } from '../../common/command-names.js';
import type { CommandName, CoreEvent, DesktopErrorShape, VezaBridge } from '../../common/contract.js';

const WS_PATH = '/__veza/ws';
const UPLOAD_PATH = '/__veza/upload';
const PING_PATH = '/__veza/ping';
const TOKEN_HEADER = 'x-veza-host-token';
const RECONNECT_MIN_MS = 100;
const RECONNECT_MAX_MS = 3000;

/** What a bridge call rejects with: an Error (for stack traces) that also carries the code. */
class VezaBridgeError extends Error implements DesktopErrorShape {
  override readonly name = 'VezaBridgeError';
  constructor(
    readonly code: DesktopErrorShape['code'],
    message: string,
  ) {
    super(message);
  }
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

function readToken(): string {
  const meta = document.querySelector('meta[name="veza-host-token"]');
  return meta?.getAttribute('content') ?? '';
}

function createBridge(): VezaBridge {
  const token = readToken();
  const listeners = new Set<(event: CoreEvent) => void>();
  const pending = new Map<number, Pending>();
  /** Requests made while the socket is down: sent, in order, once it is back. */
  const queue: { id: number; frame: string }[] = [];
  /** Requests on the wire, not answered yet. */
  const sent = new Set<number>();
  let socket: WebSocket | null = null;
  let nextId = 1;
  let failures = 0;
  let connectedBefore = false;

  const emit = (event: CoreEvent): void => {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (error) {
        // One broken listener must not starve the others; the page's console shows it.
        setTimeout(() => {
          throw error;
        });
      }
    }
  };

  const settle = (
    id: number,
    outcome: { ok: true; value: unknown } | { ok: false; error: DesktopErrorShape },
  ): void => {
    const waiter = pending.get(id);
    if (!waiter) return;
    pending.delete(id);
    sent.delete(id);
    if (outcome.ok) waiter.resolve(outcome.value);
    else waiter.reject(new VezaBridgeError(outcome.error.code, outcome.error.message));
  };

  /** After a reconnect the page may have missed events: nudge every store to re-read. */
  const resync = async (): Promise<void> => {
    try {
      const [session, connection] = await Promise.all([
        call('getSession', undefined),
        call('getConnection', undefined),
      ]);
      emit({ type: 'session.changed', session } as CoreEvent);
      emit({ type: 'connection.changed', connection } as CoreEvent);
      emit({ type: 'rooms.changed' });
      emit({ type: 'library.changed' });
    } catch {
      // The next event will bring the page up to date anyway.
    }
  };

  const scheduleReconnect = (): void => {
    failures += 1;
    const delay = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** Math.min(failures, 10));
    setTimeout(() => void reconnect(), delay);
  };

  const reconnect = async (): Promise<void> => {
    if (failures >= 3) {
      // A host that answers but refuses our token was restarted: only a reload gets the new one.
      try {
        const answer = await fetch(PING_PATH, { headers: { [TOKEN_HEADER]: token }, cache: 'no-store' });
        if (answer.status === 401) return void location.reload();
      } catch {
        // The host is down; keep trying.
      }
    }
    connect();
  };

  function connect(): void {
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${WS_PATH}?token=${encodeURIComponent(token)}`;
    const ws = new WebSocket(url);
    socket = ws;
    ws.onopen = () => {
      failures = 0;
      for (const { id, frame } of queue.splice(0)) {
        ws.send(frame);
        sent.add(id);
      }
      if (connectedBefore) void resync();
      connectedBefore = true;
    };
    ws.onmessage = (message: MessageEvent) => {
      if (typeof message.data !== 'string') return;
      let frame: BridgeMessage;
      try {
        frame = JSON.parse(message.data) as BridgeMessage;
      } catch {
        return;
      }
      if (frame.kind === 'response') settle(frame.id, frame.outcome);
      else if (frame.kind === 'event') emit(frame.event);
    };
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      // Sent but unanswered: core may or may not have run them, so they are not resent (a second
      // sendMessage would be a second message). The caller sees an error and can retry.
      for (const id of [...sent]) {
        settle(id, {
          ok: false,
          error: { code: 'SERVER_UNREACHABLE', message: 'Lost contact with Veza’s core; try again.' },
        });
      }
      scheduleReconnect();
    };
  }

  function call(command: CommandName, args: unknown): Promise<unknown> {
    const id = nextId++;
    const request: BridgeRequest = { kind: 'request', id, command, args };
    const frame = JSON.stringify(request);
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      // Asked of the socket itself: one that is already closing drops what it is given silently.
      if (socket?.readyState === WebSocket.OPEN) {
        socket.send(frame);
        sent.add(id);
      } else queue.push({ id, frame });
    });
  }

  /** The bytes go over HTTP: JSON over the socket cannot carry them. */
  async function upload(args: { data: Uint8Array } & Record<string, unknown>): Promise<unknown> {
    const { data, ...rest } = args;
    if (!(data instanceof Uint8Array))
      throw new VezaBridgeError('INVALID_ARGUMENT', 'uploadTrack: data must be the file’s bytes.');
    let answer: Response;
    try {
      answer = await fetch(UPLOAD_PATH, {
        method: 'POST',
        headers: {
          [TOKEN_HEADER]: token,
          'x-veza-upload-args': encodeURIComponent(JSON.stringify(rest)),
          'content-type': 'application/octet-stream',
        },
        body: data as Uint8Array<ArrayBuffer>,
        cache: 'no-store',
      });
    } catch {
      throw new VezaBridgeError('SERVER_UNREACHABLE', 'Lost contact with Veza’s core; try again.');
    }
    const outcome = (await answer.json()) as { ok: true; value: unknown } | { ok: false; error: DesktopErrorShape };
    if (outcome.ok) return outcome.value;
    throw new VezaBridgeError(outcome.error.code, outcome.error.message);
  }

  const bridge: Record<string, unknown> = {};
  for (const name of COMMAND_NAME_LIST) bridge[name] = (args?: unknown) => call(name, args);
  bridge.uploadTrack = upload;
  // Shell commands have a browser answer: no native folder picker, and links open in a new tab.
  bridge.chooseDirectory = () => Promise.resolve(null);
  bridge.openExternal = (args: { url?: unknown } | undefined) => {
    const url = typeof args?.url === 'string' ? args.url : '';
    let parsed: URL | null = null;
    try {
      parsed = new URL(url);
    } catch {
      parsed = null;
    }
    if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) {
      return Promise.reject(new VezaBridgeError('INVALID_ARGUMENT', 'Only web links (http or https) can be opened.'));
    }
    window.open(parsed.href, '_blank', 'noopener,noreferrer');
    return Promise.resolve(undefined);
  };
  bridge.onEvent = (listener: (event: CoreEvent) => void) => {
    listeners.add(listener);
    return () => void listeners.delete(listener);
  };

  connect();
  return Object.freeze(bridge) as unknown as VezaBridge;
}

Object.defineProperty(window, 'veza', {
  value: createBridge(),
  writable: false,
  configurable: false,
  enumerable: true,
});
