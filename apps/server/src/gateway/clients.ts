import type { Permission, Role } from '@veza/shared';
import type { Bus } from '../infra/bus.js';
import type { SentFrameType } from '../infra/metrics.js';
import { apiKeyRevokedTopic } from '../features/api-keys/index.js';
import { sessionRevokedTopic, type AccountChange } from '../features/auth/index.js';

/** What the gateway's per-user pieces need from a connection. */
export interface ConnectedClient {
  readonly userId: string;
  /** The sign-in session behind the connection's credential; null for API keys. */
  readonly sessionId: string | null;
  /** The API key behind the connection's credential, if it is one. */
  readonly apiKeyId: string | null;
  /** What the connection's credential may do now. */
  readonly permissions: ReadonlySet<Permission>;
  /** Ends the connection: its credential is no longer valid. */
  revoke(): void;
  /** The user's role changed: the new role's permissions apply from the next frame on. */
  changeRole(role: Role): void;
  /** The user's account was disabled: the connection ends. */
  disable(): void;
  /** The user was banned from the server: told why and until when, then the connection ends. */
  ban(reason: string | null, until: string | null): void;
  /** Sends one frame, already encoded, as a text message; `type` is the frame's, for /metrics. */
  sendData(data: Buffer, type: SentFrameType): void;
}

/**
 * This instance's authenticated connections by user: the per-user channel. Credential
 * revocations (sessions, API keys) and account changes (role, disabled) reach them here,
 * whichever feature they were opened for.
 */
export class ConnectedClients {
  private readonly byUser = new Map<string, Set<ConnectedClient>>();
  private readonly unsubscribe: (() => void)[] = [];

  /** Called when a user's last connection on this instance is gone. */
  constructor(private readonly onUserGone: (userId: string) => void) {}

  watchRevocations(bus: Bus): void {
    this.unsubscribe.push(
      bus.subscribe(sessionRevokedTopic, ({ sessionId }) => this.endSessions([sessionId])),
      bus.subscribe(apiKeyRevokedTopic, ({ apiKeyId }) => {
        for (const clients of this.byUser.values())
          for (const client of [...clients]) if (client.apiKeyId === apiKeyId) client.revoke();
      }),
    );
  }

  close(): void {
    for (const stop of this.unsubscribe.splice(0)) stop();
  }

  add(client: ConnectedClient): void {
    let clients = this.byUser.get(client.userId);
    if (!clients) {
      clients = new Set();
      this.byUser.set(client.userId, clients);
    }
    clients.add(client);
  }

  remove(client: ConnectedClient): void {
    const clients = this.byUser.get(client.userId);
    if (!clients?.delete(client)) return;
    if (clients.size === 0) {
      this.byUser.delete(client.userId);
      this.onUserGone(client.userId);
    }
  }

  /** This instance's connections of one user. */
  of(userId: string): ConnectedClient[] {
    return [...(this.byUser.get(userId) ?? [])];
  }

  /** How many connections one user has on this instance. */
  count(userId: string): number {
    return this.byUser.get(userId)?.size ?? 0;
  }

  /** Users with at least one connection on this instance. */
  userIds(): string[] {
    return [...this.byUser.keys()];
  }

  /** The sign-in sessions behind this instance's connections (API-key connections have none). */
  sessionIds(): string[] {
    const ids = new Set<string>();
    for (const clients of this.byUser.values())
      for (const client of clients) if (client.sessionId !== null) ids.add(client.sessionId);
    return [...ids];
  }

  /** Closes the connections opened with any of these sessions, whoever their user. */
  endSessions(sessionIds: readonly string[]): void {
    const ended = new Set(sessionIds);
    for (const clients of this.byUser.values())
      for (const client of [...clients]) if (client.sessionId !== null && ended.has(client.sessionId)) client.revoke();
  }

  /** A role change or a disabled account reaches every connection of that user on this instance. */
  applyAccountChange(change: AccountChange): void {
    const ended = change.kind === 'sessions-ended' ? new Set(change.sessionIds) : undefined;
    for (const client of this.of(change.userId)) {
      if (change.kind === 'role') client.changeRole(change.role);
      else if (change.kind === 'disabled') client.disable();
      else if (change.kind === 'banned') client.ban(change.reason, change.until);
      else if (client.sessionId !== null && ended!.has(client.sessionId)) client.revoke();
    }
  }

  /** Writes one encoded frame to every connection of a user on this instance. */
  sendToUser(userId: string, data: Buffer, type: SentFrameType): void {
    for (const client of this.byUser.get(userId) ?? []) client.sendData(data, type);
  }
}
