import { CLOSE_CODES, PROTOCOL_VERSION, type ClientFrame, type ServerFrame, type ServerFrameOf } from '@veza/shared';
import { WebSocket } from 'ws';
import type { ConnectionState } from '../../common/contract.js';
import { DesktopError } from '../../common/errors.js';
import type { TokenSource } from '../api/api-client.js';
import { backoffDelay, type BackoffOptions } from './backoff.js';
import type { SyncLogger } from './logger.js';
import { parseServerFrame } from './server-frames.js';
import { renewalDelay, tokenExpiry } from './token-expiry.js';

/** Until `welcome` says otherwise, the server's documented default. */
const DEFAULT_HEARTBEAT_MS = 30_000;
/** `ref` of the frames that renew the connection's token. */
export const AUTH_REF_PREFIX = 'auth:';

/** The server frames one domain answers for, except `welcome`, which the connection handles. */
export type FrameFamily = Exclude<ServerFrame['type'], 'welcome'>;

/**
 * A domain's side of the connection (chat today; library's track notices; moderation, live and
 * notifications next). It names the frame types it owns; the connection hands it those frames,
 * in arrival order, once the server has welcomed this account.
 */
export interface SyncDomain<F extends FrameFamily = FrameFamily> {
  readonly frames: readonly F[];
  onFrame(frame: ServerFrameOf<F>): void;
  /** What `hello` resumes from: per cached room, the seq of the last applied event (chat). */
  cursors?(): Record<string, number>;
  /** A new session began: a domain that replays holds the connection in `syncing` until it calls markOnline. */
  onWelcome?(frame: ServerFrameOf<'welcome'>): void;
  /** The socket is gone (closed, dead or stopped): whatever waited for an answer will not get one. */
  onDisconnected?(): void;
  /** The server refused `hello` with this error (a ban, for one) before closing the socket. */
  onRefused?(frame: ServerFrameOf<'error'>): void;
}

export interface SyncConnectionOptions {
  url: string;
  tokens: TokenSource;
  meId: string;
  backoff: BackoffOptions;
  factory: (url: string) => WebSocket;
  log: SyncLogger;
}

/**
 * The one WebSocket session of a signed-in account: connect, `hello`, keep the token fresh with
 * `auth`, notice a dead link, and reconnect with backoff after anything but a refusal that
 * retrying cannot fix. It knows nothing about rooms or tracks: each frame goes to the domain that
 * registered its type, and every domain reads online/offline from here.
 */
export class SyncConnection {
  private socket: WebSocket | null = null;
  private running = false;
  private attempt = 0;
  private heartbeatMs = DEFAULT_HEARTBEAT_MS;
  private retryTimer: NodeJS.Timeout | undefined;
  private livenessTimer: NodeJS.Timeout | undefined;
  private renewTimer: NodeJS.Timeout | undefined;
  private authCount = 0;
  /** The error frame that refused the last `hello`, if any: its message explains the close. */
  private refusal: ServerFrameOf<'error'> | null = null;
  private current: ConnectionState = { status: 'offline', nextRetryAt: null, lastError: null };
  private readonly domains: SyncDomain[] = [];
  private readonly routes = new Map<FrameFamily, SyncDomain>();
  private readonly stateListeners = new Set<(state: ConnectionState) => void>();

  constructor(private readonly options: SyncConnectionOptions) {}

  /** Routes the domain's frame types to it; two domains never own the same type. */
  register<F extends FrameFamily>(domain: SyncDomain<F>): void {
    for (const type of domain.frames) {
      if (this.routes.has(type)) throw new Error(`The ${type} frame already has a handler.`);
    }
    for (const type of domain.frames) this.routes.set(type, domain as unknown as SyncDomain);
    this.domains.push(domain as unknown as SyncDomain);
  }

  /** Every change of the connection's state, in order; returns the unsubscribe. */
  onStateChange(listener: (state: ConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  isOnline(): boolean {
    return this.current.status === 'online';
  }

  state(): ConnectionState {
    return { ...this.current };
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.attempt = 0;
    void this.connect();
  }

  stop(): void {
    this.running = false;
    this.clearTimers();
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.dropSocket(1000, 'client stopped');
    this.setState({ status: 'offline', nextRetryAt: null, lastError: null });
  }

  /** Sends a frame when a welcomed socket is open; false otherwise (the caller retries later). */
  send(frame: ClientFrame): boolean {
    const socket = this.socket;
    if (!socket || socket.readyState !== WebSocket.OPEN) return false;
    if (this.current.status !== 'syncing' && this.current.status !== 'online') return false;
    socket.send(JSON.stringify(frame));
    return true;
  }

  /** Every domain caught up (chat: every room replayed or reset): the UI shows "online". */
  markOnline(): void {
    if (this.current.status === 'syncing') this.setState({ status: 'online', nextRetryAt: null, lastError: null });
  }

  /** Frames the socket answers itself: the `done`/`error` of its own `auth`. */
  handlesRef(ref: string | undefined): boolean {
    return ref?.startsWith(AUTH_REF_PREFIX) ?? false;
  }

  private async connect(): Promise<void> {
    this.retryTimer = undefined;
    if (!this.running) return;
    this.setState({ status: 'connecting', nextRetryAt: null, lastError: this.current.lastError });
    let token: string;
    try {
      token = await this.options.tokens.accessToken();
    } catch (error) {
      this.onTokenFailure(error);
      return;
    }
    if (!this.running) return;
    let socket: WebSocket;
    try {
      socket = this.options.factory(this.options.url);
    } catch (error) {
      this.scheduleReconnect(`Could not open the chat connection: ${(error as Error).message}`);
      return;
    }
    this.socket = socket;
    this.refusal = null;
    this.heartbeatMs = DEFAULT_HEARTBEAT_MS;
    socket.on('open', () => {
      if (this.socket !== socket) return;
      this.armLiveness();
      socket.send(JSON.stringify({ type: 'hello', protocol: PROTOCOL_VERSION, token, cursors: this.cursors() }));
    });
    socket.on('message', (data, isBinary) => {
      if (this.socket !== socket) return;
      this.armLiveness();
      if (isBinary) {
        this.options.log.warn('ignored a binary frame from the server');
        return;
      }
      const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : data.toString();
      this.onText(text);
    });
    // The server pings every heartbeatMs (ws answers the pong itself): a ping proves the link.
    socket.on('ping', () => {
      if (this.socket === socket) this.armLiveness();
    });
    socket.on('error', (error) => {
      if (this.socket === socket) this.current.lastError = describeNetworkError(error);
    });
    socket.on('close', (code, reason) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.clearTimers();
      this.disconnected();
      void this.onClose(code, reason.toString());
    });
  }

  private onText(text: string): void {
    const parsed = parseServerFrame(text);
    if (!parsed.ok) {
      // A frame we cannot trust is dropped, not half-applied; the cursor stays, so nothing is lost.
      this.options.log.warn('ignored an invalid frame from the server', { reason: parsed.reason, size: text.length });
      return;
    }
    const frame = parsed.frame;
    if (frame.type === 'welcome') {
      this.onWelcome(frame);
      return;
    }
    if (this.current.status !== 'syncing' && this.current.status !== 'online') {
      // Before welcome only refusals matter (the close that follows says what to do).
      if (frame.type === 'error') {
        this.current.lastError = frame.message;
        this.refusal = frame;
        for (const domain of this.domains) domain.onRefused?.(frame);
      }
      return;
    }
    if ((frame.type === 'done' || frame.type === 'error') && this.handlesRef(frame.ref)) {
      if (frame.type === 'error') this.options.log.warn('the server refused the renewed token', { code: frame.code });
      return;
    }
    const domain = this.routes.get(frame.type);
    if (domain) domain.onFrame(frame);
    else this.options.log.warn('no domain handles this frame', { type: frame.type });
  }

  private onWelcome(frame: ServerFrameOf<'welcome'>): void {
    if (frame.userId !== this.options.meId) {
      // Another account's token: never mix two users' rooms in one cache.
      this.options.log.error('the server welcomed another user; disconnecting');
      this.running = false;
      this.dropSocket(1000, 'wrong user');
      this.setState({ status: 'offline', nextRetryAt: null, lastError: 'The server signed in another user.' });
      return;
    }
    this.attempt = 0;
    this.heartbeatMs = frame.heartbeatMs > 0 ? frame.heartbeatMs : DEFAULT_HEARTBEAT_MS;
    this.armLiveness();
    if (frame.expiresAt) this.scheduleRenewal(Date.parse(frame.expiresAt));
    this.setState({ status: 'syncing', nextRetryAt: null, lastError: null });
    for (const domain of this.domains) domain.onWelcome?.(frame);
  }

  private async onClose(code: number, reason: string): Promise<void> {
    if (!this.running) {
      this.setState({ status: 'offline', nextRetryAt: null, lastError: this.current.lastError });
      return;
    }
    if (code === CLOSE_CODES.UNSUPPORTED_PROTOCOL) {
      this.running = false;
      this.setState({
        status: 'offline',
        nextRetryAt: null,
        lastError: 'Update the app: this server speaks a newer chat protocol.',
      });
      return;
    }
    if (code === CLOSE_CODES.ACCOUNT_DISABLED) {
      // Reconnecting is refused until an administrator enables the account again.
      this.running = false;
      // A ban says so (with its reason and end) in the refusal before the close.
      this.setState({
        status: 'offline',
        nextRetryAt: null,
        lastError:
          this.refusal?.code === 'BANNED' ? this.refusal.message : 'An administrator has disabled this account.',
      });
      return;
    }
    if (code === CLOSE_CODES.UNAUTHORIZED) {
      try {
        await this.options.tokens.renewAccessToken();
      } catch (error) {
        this.onTokenFailure(error);
        return;
      }
      this.scheduleReconnect(null);
      return;
    }
    this.scheduleReconnect(this.current.lastError ?? closeMessage(code, reason));
  }

  private onTokenFailure(error: unknown): void {
    if (error instanceof DesktopError && error.code === 'NOT_SIGNED_IN') {
      this.running = false;
      this.dropSocket(1000, 'signed out');
      this.setState({ status: 'signed-out', nextRetryAt: null, lastError: error.message });
      return;
    }
    this.scheduleReconnect(error instanceof DesktopError ? error.message : 'The chat server cannot be reached.');
  }

  private scheduleReconnect(lastError: string | null): void {
    if (!this.running) return;
    const delay = backoffDelay(this.attempt, this.options.backoff);
    this.attempt += 1;
    const nextRetryAt = new Date(Date.now() + delay).toISOString();
    this.setState({ status: 'offline', nextRetryAt, lastError });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.connect(), delay);
  }

  /** No frame and no ping for two heartbeats: the link is dead even if TCP has not noticed. */
  private armLiveness(): void {
    clearTimeout(this.livenessTimer);
    this.livenessTimer = setTimeout(() => {
      this.current.lastError = 'The chat connection stopped answering.';
      this.socket?.terminate();
    }, 2 * this.heartbeatMs);
  }

  private scheduleRenewal(expiresAt: number): void {
    clearTimeout(this.renewTimer);
    if (!Number.isFinite(expiresAt)) return;
    this.renewTimer = setTimeout(() => void this.renew(), renewalDelay(expiresAt, Date.now()));
  }

  /** Sends a fresh token before the current one expires, so the socket is never cut. */
  private async renew(): Promise<void> {
    const socket = this.socket;
    let token: string;
    try {
      token = await this.options.tokens.renewAccessToken();
    } catch (error) {
      // Stopped or disconnected meanwhile: that socket's renewal is moot (a new one schedules its
      // own after welcome), and a timer armed now would outlive stop().
      if (!this.running || this.socket !== socket) return;
      if (error instanceof DesktopError && error.code === 'NOT_SIGNED_IN') {
        this.onTokenFailure(error);
        return;
      }
      // Offline for a moment: try again shortly; at worst the server closes with 4001 and we renew then.
      this.renewTimer = setTimeout(() => void this.renew(), 5_000);
      return;
    }
    if (!this.running || this.socket !== socket) return;
    this.authCount += 1;
    if (!this.send({ type: 'auth', token, ref: `${AUTH_REF_PREFIX}${this.authCount}` })) return;
    const expiresAt = tokenExpiry(token);
    if (expiresAt !== null) this.scheduleRenewal(expiresAt);
  }

  private dropSocket(code: number, reason: string): void {
    const socket = this.socket;
    this.socket = null;
    if (!socket) return;
    this.disconnected();
    socket.removeAllListeners('message');
    // A socket still connecting cannot be closed politely; terminate is the only way out.
    socket.on('error', () => undefined);
    if (socket.readyState === WebSocket.OPEN) socket.close(code, reason);
    else socket.terminate();
  }

  private clearTimers(): void {
    clearTimeout(this.livenessTimer);
    clearTimeout(this.renewTimer);
    this.livenessTimer = undefined;
    this.renewTimer = undefined;
  }

  private setState(next: ConnectionState): void {
    const changed =
      next.status !== this.current.status ||
      next.nextRetryAt !== this.current.nextRetryAt ||
      next.lastError !== this.current.lastError;
    this.current = next;
    if (!changed) return;
    for (const listener of this.stateListeners) listener({ ...next });
  }

  private cursors(): Record<string, number> {
    return Object.assign({}, ...this.domains.map((domain) => domain.cursors?.() ?? {})) as Record<string, number>;
  }

  private disconnected(): void {
    for (const domain of this.domains) domain.onDisconnected?.();
  }
}

function describeNetworkError(error: Error): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED') return 'The server is not answering (connection refused).';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'The server’s address cannot be found.';
  return 'The chat server cannot be reached.';
}

function closeMessage(code: number, reason: string): string {
  if (code === CLOSE_CODES.GOING_AWAY) return 'The server is restarting.';
  if (code === CLOSE_CODES.TOO_SLOW) return 'The connection fell behind; resuming.';
  if (code === CLOSE_CODES.TOO_MANY_CONNECTIONS) return 'This account has too many open connections; retrying.';
  if (code === 1006) return 'The chat connection was lost.';
  return reason ? `The chat connection closed: ${reason}` : `The chat connection closed (${code}).`;
}
