import {
  CLOSE_CODES,
  PROTOCOL_VERSION,
  SUPPORTED_PROTOCOL_VERSIONS,
  type ClientFrame,
  type ClientFrameOf,
  type ErrorCode,
  type Permission,
  type Role,
  type ServerFrame,
  type ServerFrameOf,
} from '@veza/shared';
import type { WebSocket } from 'ws';
import type { Clock, Timer } from '../infra/clock.js';
import { BAD_INPUT_MESSAGE, isBadInputError } from '../infra/db/errors.js';
import { AppError } from '../infra/errors.js';
import type { Logger } from '../infra/logger.js';
import type { Metrics, SentFrameType, WsConnectionState } from '../infra/metrics.js';
import { withRole, type AuthService, type Principal } from '../features/auth/index.js';
import type { ConnectedClient, ConnectedClients } from './clients.js';
import { closeSocket } from './close-socket.js';
import { encodeFrame, type FrameParser } from './frames.js';
import { MAX_QUEUED_FRAMES, type GatewayLimits } from './limits.js';
import type { FeatureSession, FrameRegistry, RealtimeFeature } from './registry.js';
import type { SendLimiter } from './send-limiter.js';
import type { FeatureFrameType, GatewaySession, HelloFrame, WelcomeParts } from './session.js';

export interface ConnectionDeps {
  auth: AuthService;
  clients: ConnectedClients;
  registry: FrameRegistry;
  parser: FrameParser;
  limiter: SendLimiter;
  clock: Clock;
  logger: Logger;
  limits: GatewayLimits;
  metrics: Metrics;
}

/**
 * One WebSocket client: admission by its hello, its credential's life (renewal, expiry, role
 * changes, revocation), the bounded queues in and out, and frames routed to the family that
 * owns them. Frames are handled one at a time, in arrival order.
 */
export class GatewayConnection implements GatewaySession, ConnectedClient {
  private current: Principal | undefined;
  private readonly sessions = new Map<RealtimeFeature, FeatureSession<never>>();
  private queue: Promise<void> = Promise.resolve();
  private helloTimer: Timer | undefined;
  private expiryTimer: Timer | undefined;
  private isClosed = false;
  private registered = false;
  private queuedFrames = 0;
  /** Role changes applied so far: a standing read that overlapped one of them is older than it. */
  private roleChanges = 0;
  alive = true;

  /**
   * `leavePending` is called once the socket said hello successfully or closed, whichever comes
   * first: it stops counting against its address's sockets waiting for hello.
   */
  constructor(
    private readonly socket: WebSocket,
    private readonly deps: ConnectionDeps,
    private readonly leavePending: () => void = () => undefined,
  ) {
    this.helloTimer = deps.clock.setTimeout(
      () => this.close(CLOSE_CODES.HELLO_TIMEOUT, 'no hello received in time'),
      deps.limits.helloTimeoutMs,
    );
    socket.on('message', (data, isBinary) => {
      if (isBinary) {
        this.enqueue(async () => {
          deps.metrics.wsFramesReceived.add('invalid');
          this.refuse('BAD_FRAME', 'Frames must be JSON text, not binary.');
          if (!this.current) this.close(CLOSE_CODES.PROTOCOL_ERROR, 'expected hello');
        });
        return;
      }
      const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : data.toString('utf8');
      this.enqueue(() => this.onText(text));
    });
    socket.on('pong', () => {
      this.alive = true;
    });
    socket.on('close', () => this.dispose());
    socket.on('error', (error) => deps.logger.debug({ err: error }, 'websocket error'));
  }

  get userId(): string {
    return this.current?.user.id ?? '';
  }

  get principal(): Principal {
    if (!this.current) throw new Error('The connection has not said hello yet.');
    return this.current;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** For /metrics: closing from the moment it is told to close until its socket has closed. */
  get state(): WsConnectionState {
    return this.isClosed ? 'closing' : this.current ? 'open' : 'authenticating';
  }

  // ── ConnectedClient ────────────────────────────────────────────────────────

  get sessionId(): string | null {
    return this.current?.sessionId ?? null;
  }

  get apiKeyId(): string | null {
    return this.current?.apiKeyId ?? null;
  }

  get permissions(): ReadonlySet<Permission> {
    return this.current?.permissions ?? new Set();
  }

  revoke(): void {
    this.send({ type: 'error', code: 'TOKEN_INVALID', message: 'This session has ended. Sign in again.' });
    this.close(CLOSE_CODES.UNAUTHORIZED, 'session ended');
  }

  changeRole(role: Role): void {
    if (!this.current || this.isClosed) return;
    this.roleChanges += 1;
    // In place, not by closing: a user whose role changes keeps going with what the new role allows.
    this.current = withRole(this.current, role);
    const lost = this.missingAdmission(this.current);
    if (lost) {
      this.send({ type: 'error', code: 'FORBIDDEN', message: lost.lost });
      this.close(CLOSE_CODES.UNAUTHORIZED, 'forbidden');
    }
  }

  disable(): void {
    this.send({ type: 'error', code: 'FORBIDDEN', message: 'This account has been disabled.' });
    this.close(CLOSE_CODES.ACCOUNT_DISABLED, 'account disabled');
  }

  ban(reason: string | null, until: string | null): void {
    // The notice first, so the client can say why before it sees the close.
    this.send({ type: 'moderation', kind: 'ban', reason, until, roomId: null, clientId: null, hits: [] });
    const ending = until ? ` until ${until}` : '';
    this.send({ type: 'error', code: 'BANNED', message: `You are banned from this server${ending}.` });
    this.close(CLOSE_CODES.ACCOUNT_DISABLED, 'banned');
  }

  sendData(data: Buffer, type: SentFrameType): void {
    const { metrics } = this.deps;
    if (this.isClosed || this.socket.readyState !== this.socket.OPEN) {
      metrics.wsFramesDropped.add('closed');
      return;
    }
    // A client that does not read fast enough is cut off rather than slowing everyone; it
    // resumes from its cursors when it reconnects.
    if (this.socket.bufferedAmount > this.deps.limits.maxBufferedBytes) {
      metrics.wsFramesDropped.add('too_slow');
      metrics.wsSlowConsumerCloses.add('send_buffer');
      this.close(CLOSE_CODES.TOO_SLOW, 'too slow: send queue full');
      return;
    }
    this.socket.send(data, { binary: false });
    metrics.wsFramesSent.add(type);
  }

  // ── GatewaySession ─────────────────────────────────────────────────────────

  send(frame: ServerFrame): void {
    this.sendData(encodeFrame(frame), frame.type);
  }

  require(permission: Permission): void {
    if (!this.current?.permissions.has(permission)) {
      throw new AppError(403, 'FORBIDDEN', `This needs the "${permission}" permission.`);
    }
  }

  throttle(): void {
    const decision = this.deps.limiter.take(this.userId);
    if (decision.ok) return;
    const seconds = Math.ceil(decision.retryAfterMs / 1000);
    throw decision.code === 'MUTED'
      ? new AppError(429, 'MUTED', `You are sending too fast and are muted for ${seconds} s.`)
      : new AppError(429, 'RATE_LIMITED', `Slow down: try again in ${seconds} s.`);
  }

  done(ref: string | undefined, seq: number | null): void {
    if (ref !== undefined) this.send({ type: 'done', ref, seq });
  }

  refuse(code: ErrorCode, message: string, ref?: string, clientId?: string): void {
    this.send({
      type: 'error',
      code,
      message,
      ...(ref !== undefined ? { ref } : {}),
      ...(clientId !== undefined ? { clientId } : {}),
    });
  }

  async waitForDrain(): Promise<void> {
    while (!this.isClosed && this.socket.bufferedAmount > this.deps.limits.maxBufferedBytes / 4) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  close(code: number, reason: string): void {
    if (this.isClosed) return;
    closeSocket(this.socket, code, reason, this.deps.limits.closeTimeoutMs);
    this.dispose();
  }

  // ── frames ─────────────────────────────────────────────────────────────────

  private enqueue(work: () => Promise<void>): void {
    if (this.queuedFrames >= MAX_QUEUED_FRAMES) {
      if (!this.isClosed) this.deps.metrics.wsSlowConsumerCloses.add('inbound_queue');
      this.close(CLOSE_CODES.TOO_SLOW, 'too many frames waiting');
      return;
    }
    this.queuedFrames += 1;
    const run = async (): Promise<void> => {
      this.queuedFrames -= 1;
      await work();
    };
    this.queue = this.queue.then(run).catch((error: unknown) => {
      this.deps.logger.error({ err: error }, 'websocket frame handling failed');
      this.send({ type: 'error', code: 'INTERNAL_ERROR', message: 'Something went wrong on the server.' });
    });
  }

  private async onText(text: string): Promise<void> {
    if (this.isClosed) return;
    const parsed = this.deps.parser.parse(text);
    this.deps.metrics.wsFramesReceived.add(parsed.ok ? parsed.frame.type : 'invalid');
    if (!this.current) {
      if (!parsed.ok || parsed.frame.type !== 'hello') {
        const message = parsed.ok ? 'The first frame must be hello.' : parsed.message;
        this.send({ type: 'error', code: 'BAD_FRAME', message });
        this.close(CLOSE_CODES.PROTOCOL_ERROR, 'expected hello');
        return;
      }
      await this.onHello(parsed.frame);
      return;
    }
    if (!parsed.ok) {
      this.refuse('BAD_FRAME', parsed.message, parsed.ref);
      return;
    }
    const frame = parsed.frame;
    try {
      await this.route(frame);
    } catch (error) {
      const ref = 'ref' in frame ? frame.ref : undefined;
      const clientId = this.deps.registry.specOf(frame.type)?.refusal?.(frame as never).clientId;
      if (error instanceof AppError) this.refuse(error.code, error.message, ref, clientId);
      else if (isBadInputError(error)) this.refuse('BAD_FRAME', BAD_INPUT_MESSAGE, ref, clientId);
      else throw error;
    }
  }

  /** Frame routing by family: the gateway's own frames here, every other to the feature that registered it. */
  private async route(frame: ClientFrame): Promise<void> {
    if (frame.type === 'hello') throw new AppError(400, 'BAD_FRAME', 'hello was already received on this connection.');
    if (frame.type === 'auth') return this.onAuth(frame);
    const feature = this.deps.registry.ownerOf(frame.type);
    const session = feature && this.sessions.get(feature);
    // The parser knows only registered types, and every feature with client frames attaches.
    if (!session) throw new Error(`No session answers "${frame.type}" frames.`);
    // The registry matched the type to this feature, whose session takes exactly its frames.
    await session.handle(frame as ClientFrameOf<FeatureFrameType> as never);
  }

  private async onHello(frame: HelloFrame): Promise<void> {
    this.deps.clock.clearTimeout(this.helloTimer);
    if (!SUPPORTED_PROTOCOL_VERSIONS.includes(frame.protocol)) {
      this.send({
        type: 'error',
        code: 'PROTOCOL_VERSION_UNSUPPORTED',
        message: `This server speaks protocol ${PROTOCOL_VERSION}; the client sent ${frame.protocol}.`,
      });
      this.close(CLOSE_CODES.UNSUPPORTED_PROTOCOL, 'unsupported protocol');
      return;
    }
    let principal: Principal;
    try {
      principal = await this.deps.auth.authenticate(frame.token);
    } catch (error) {
      const code: ErrorCode = error instanceof AppError ? error.code : 'TOKEN_INVALID';
      this.send({ type: 'error', code, message: error instanceof AppError ? error.message : 'Authentication failed.' });
      // A banned account is closed like a disabled one, so a client stops reconnecting.
      if (code === 'BANNED') this.close(CLOSE_CODES.ACCOUNT_DISABLED, 'banned');
      else this.close(CLOSE_CODES.UNAUTHORIZED, 'authentication failed');
      return;
    }
    // The client may have hung up while we waited: register nothing for a closed socket.
    if (this.isClosed) return;
    const refused = this.missingAdmission(principal);
    if (refused) {
      this.send({ type: 'error', code: 'FORBIDDEN', message: refused.refused });
      this.close(CLOSE_CODES.UNAUTHORIZED, 'forbidden');
      return;
    }
    const { maxSocketsPerUser } = this.deps.limits;
    if (this.deps.clients.count(principal.user.id) >= maxSocketsPerUser) {
      this.send({
        type: 'error',
        code: 'RATE_LIMITED',
        message: `This account already has ${maxSocketsPerUser} connections open to this server; close one first.`,
      });
      this.close(CLOSE_CODES.TOO_MANY_CONNECTIONS, 'too many connections for this account');
      return;
    }
    this.current = principal;
    this.armExpiry(principal.expiresAt);
    this.leavePending();

    // Registered before anything is read, so a notice (a role, a room joined) announced from
    // now on reaches this connection.
    this.deps.clients.add(this);
    this.registered = true;
    for (const feature of this.deps.registry.features) {
      const session = feature.attach?.(this);
      if (session) this.sessions.set(feature, session);
    }
    await this.confirmStanding();
    if (this.isClosed) return;
    let parts: Partial<WelcomeParts> = {};
    for (const session of this.sessions.values()) {
      if (!session.hello) continue;
      parts = { ...parts, ...(await session.hello(frame)) };
      if (this.isClosed) return;
    }
    // Every part of welcome has an owner among the features (chat's `rooms`).
    const welcome = {
      type: 'welcome',
      protocol: frame.protocol,
      userId: principal.user.id,
      ...parts,
      expiresAt: principal.expiresAt?.toISOString() ?? null,
      heartbeatMs: this.deps.limits.heartbeatMs,
    } as ServerFrameOf<'welcome'>;
    this.send(welcome);
    for (const session of this.sessions.values()) {
      await session.afterWelcome?.();
      if (this.isClosed) return;
    }
  }

  private async onAuth(frame: ClientFrameOf<'auth'>): Promise<void> {
    this.throttle();
    const principal = await this.deps.auth.authenticate(frame.token);
    if (principal.user.id !== this.userId) {
      throw new AppError(403, 'FORBIDDEN', 'A connection cannot change user; open a new one.');
    }
    const refused = this.missingAdmission(principal);
    if (refused) throw new AppError(403, 'FORBIDDEN', refused.refused);
    if (this.isClosed) return;
    this.current = principal;
    this.armExpiry(principal.expiresAt);
    // The role just read may be older than a change announced while it was read.
    await this.confirmStanding();
    if (this.isClosed) return;
    this.done(frame.ref, null);
  }

  /** The first admission rule this principal fails, if any. */
  private missingAdmission(principal: Principal): { refused: string; lost: string } | undefined {
    for (const { admission } of this.deps.registry.features)
      if (admission && !principal.permissions.has(admission.permission)) return admission;
    return undefined;
  }

  /**
   * Applies the account's standing read now to the principal just taken on. A notice (a role,
   * a disabled account, an ended session) announced while the credential was being checked
   * found no connection of this one's to act on, or was overwritten by what that check read;
   * read after the connection is registered, the standing cannot miss it.
   */
  private async confirmStanding(): Promise<void> {
    const principal = this.principal;
    const roleChanges = this.roleChanges;
    const standing = await this.deps.auth.standing(principal);
    if (this.isClosed) return;
    if (standing.kind === 'disabled') this.disable();
    else if (standing.kind === 'credential-ended') this.revoke();
    // A role notice applied while this read was under way is newer than the read.
    else if (this.roleChanges === roleChanges && standing.role !== this.principal.user.role)
      this.changeRole(standing.role);
  }

  /** An access token that expires ends the connection, unless an `auth` frame replaced it. */
  private armExpiry(expiresAt: Date | null): void {
    this.deps.clock.clearTimeout(this.expiryTimer);
    if (!expiresAt) return;
    const ms = expiresAt.getTime() - this.deps.clock.now().getTime();
    this.expiryTimer = this.deps.clock.setTimeout(
      () => {
        this.send({
          type: 'error',
          code: 'TOKEN_EXPIRED',
          message: 'The access token expired; reconnect with a fresh one.',
        });
        this.close(CLOSE_CODES.UNAUTHORIZED, 'token expired');
      },
      Math.max(0, Math.min(ms, 2 ** 31 - 1)),
    );
  }

  private dispose(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.leavePending();
    this.deps.clock.clearTimeout(this.helloTimer);
    this.deps.clock.clearTimeout(this.expiryTimer);
    for (const session of this.sessions.values()) session.dispose();
    this.sessions.clear();
    if (this.registered) this.deps.clients.remove(this);
  }

  terminate(): void {
    this.socket.terminate();
    this.dispose();
  }

  ping(): void {
    this.alive = false;
    this.socket.ping();
  }
}
