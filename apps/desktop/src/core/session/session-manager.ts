import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AuthSession, User } from '@veza/shared';
import type { SessionState, SignInInput, SignUpInput } from '../../common/contract.js';
import { DesktopError } from '../../common/errors.js';
import { ApiClient, normaliseServerUrl, type TokenSource } from '../api/api-client.js';
import type { SecretStore } from './secret-store.js';

export const DEFAULT_SERVER_URL = 'http://127.0.0.1:8080';
const REFRESH_TOKEN_KEY = 'refreshToken';
/** Renew this long before the access token expires, so a request never races its expiry. */
const RENEW_MARGIN_MS = 30_000;

interface StoredSession {
  serverUrl: string;
  user: User | null;
}

/** The folder holding one account's cache and downloads: one server and one user never mix. */
export function accountDir(dataDir: string, serverUrl: string, userId: string): string {
  const server = createHash('sha256').update(serverUrl).digest('hex').slice(0, 16);
  return path.join(dataDir, 'accounts', server, userId);
}

/**
 * Who is signed in. The access token lives only in memory; the refresh token only in the
 * SecretStore; `session.json` keeps the server and the user's public profile so the app opens
 * signed in, and offline, after a restart.
 */
export class SessionManager implements TokenSource {
  private stored: StoredSession = { serverUrl: DEFAULT_SERVER_URL, user: null };
  private access: { token: string; expiresAt: number } | null = null;
  private renewing: Promise<string> | null = null;
  /** Moves on every sign-in and sign-out: a refresh that began before must not store its result. */
  private epoch = 0;
  private readonly file: string;
  private readonly listeners = new Set<(state: SessionState) => void>();

  constructor(
    private readonly dataDir: string,
    private readonly secrets: SecretStore,
    private readonly options: { fetch?: typeof fetch; now?: () => number } = {},
  ) {
    this.file = path.join(dataDir, 'session.json');
  }

  onChange(listener: (state: SessionState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  state(): SessionState {
    const { serverUrl, user } = this.stored;
    return user ? { status: 'signed-in', serverUrl, user } : { status: 'signed-out', serverUrl };
  }

  /** The API of the current server, authenticated as the signed-in user. */
  api(): ApiClient {
    return new ApiClient(this.stored.serverUrl, this, { fetch: this.options.fetch });
  }

  /** Reads what a previous run left. Never touches the network: the app must open offline. */
  async restore(): Promise<SessionState> {
    try {
      const parsed = JSON.parse(await readFile(this.file, 'utf8')) as Partial<StoredSession>;
      if (typeof parsed.serverUrl === 'string') this.stored.serverUrl = parsed.serverUrl;
      if (parsed.user && typeof parsed.user.id === 'string' && (await this.secrets.get(REFRESH_TOKEN_KEY))) {
        this.stored.user = parsed.user;
      }
    } catch {
      // First run, or an unreadable file: start signed out.
    }
    return this.state();
  }

  async signIn(input: SignInInput): Promise<SessionState> {
    const serverUrl = normaliseServerUrl(input.serverUrl);
    const session = await new ApiClient(serverUrl, null, { fetch: this.options.fetch }).request<AuthSession>(
      'POST',
      '/api/v1/auth/login',
      { anonymous: true, body: { login: input.login, password: input.password } },
    );
    return this.adopt(serverUrl, session);
  }

  async signUp(input: SignUpInput): Promise<SessionState> {
    const serverUrl = normaliseServerUrl(input.serverUrl);
    const session = await new ApiClient(serverUrl, null, { fetch: this.options.fetch }).request<AuthSession>(
      'POST',
      '/api/v1/auth/register',
      { anonymous: true, body: { email: input.email, username: input.username, password: input.password } },
    );
    return this.adopt(serverUrl, session);
  }

  /** Ends the session on the server when it can be reached, and on this machine in any case. */
  async signOut(): Promise<SessionState> {
    if (this.stored.user && this.access) {
      await this.api()
        .request('POST', '/api/v1/auth/logout', { timeoutMs: 3000 })
        .catch(() => undefined);
    }
    await this.forget();
    return this.state();
  }

  /** Changes the server for the next sign-in; only while signed out. */
  async setServerUrl(input: string): Promise<void> {
    if (this.stored.user) throw new DesktopError('CONFLICT', 'Sign out before changing the server.');
    this.stored.serverUrl = normaliseServerUrl(input);
    await this.persist();
  }

  async accessToken(): Promise<string> {
    const now = (this.options.now ?? Date.now)();
    if (this.access && this.access.expiresAt - RENEW_MARGIN_MS > now) return this.access.token;
    return this.renewAccessToken();
  }

  /** One refresh at a time: concurrent callers share it (a second refresh would spend the token twice). */
  renewAccessToken(): Promise<string> {
    if (this.renewing) return this.renewing;
    const renewing = this.refresh().finally(() => {
      // A sign-out or sign-in meanwhile may have started another one: leave that in place.
      if (this.renewing === renewing) this.renewing = null;
    });
    this.renewing = renewing;
    return renewing;
  }

  private async refresh(): Promise<string> {
    if (!this.stored.user) throw new DesktopError('NOT_SIGNED_IN', 'You are signed out. Sign in again.');
    const epoch = this.epoch;
    const refreshToken = await this.secrets.get(REFRESH_TOKEN_KEY);
    if (!refreshToken) {
      await this.forget();
      throw new DesktopError('NOT_SIGNED_IN', 'Your session has ended. Sign in again.');
    }
    if (epoch !== this.epoch) throw signedOutMeanwhile();
    let session: AuthSession;
    try {
      session = await new ApiClient(this.stored.serverUrl, null, { fetch: this.options.fetch }).request<AuthSession>(
        'POST',
        '/api/v1/auth/refresh',
        { anonymous: true, body: { refreshToken } },
      );
    } catch (error) {
      if (epoch !== this.epoch) throw signedOutMeanwhile();
      if (error instanceof DesktopError && isSessionOver(error)) {
        await this.forget();
        throw new DesktopError('NOT_SIGNED_IN', 'Your session has ended. Sign in again.');
      }
      throw error;
    }
    // Signed out (or in as someone else) while the request was out: storing this answer would
    // sign the old account back in behind the user's back.
    if (epoch !== this.epoch) throw signedOutMeanwhile();
    await this.secrets.set(REFRESH_TOKEN_KEY, session.refreshToken);
    this.access = { token: session.accessToken, expiresAt: Date.parse(session.accessTokenExpiresAt) };
    if (JSON.stringify(session.user) !== JSON.stringify(this.stored.user)) {
      this.stored.user = session.user;
      await this.persist();
      this.notify();
    }
    return session.accessToken;
  }

  private async adopt(serverUrl: string, session: AuthSession): Promise<SessionState> {
    this.epoch += 1;
    this.renewing = null;
    await this.secrets.set(REFRESH_TOKEN_KEY, session.refreshToken);
    this.stored = { serverUrl, user: session.user };
    this.access = { token: session.accessToken, expiresAt: Date.parse(session.accessTokenExpiresAt) };
    await this.persist();
    this.notify();
    return this.state();
  }

  private async forget(): Promise<void> {
    const wasSignedIn = this.stored.user !== null;
    this.epoch += 1;
    this.renewing = null;
    this.stored = { serverUrl: this.stored.serverUrl, user: null };
    this.access = null;
    await this.secrets.delete(REFRESH_TOKEN_KEY);
    await this.persist();
    if (wasSignedIn) this.notify();
  }

  private async persist(): Promise<void> {
    await mkdir(this.dataDir, { recursive: true, mode: 0o700 });
    const temporary = `${this.file}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(this.stored), { mode: 0o600 });
    await rename(temporary, this.file).catch(async (error: unknown) => {
      await rm(temporary, { force: true });
      throw error;
    });
  }

  private notify(): void {
    const state = this.state();
    for (const listener of this.listeners) listener(state);
  }
}

const signedOutMeanwhile = (): DesktopError => new DesktopError('NOT_SIGNED_IN', 'You are signed out. Sign in again.');

function isSessionOver(error: DesktopError): boolean {
  return ['TOKEN_INVALID', 'TOKEN_EXPIRED', 'REFRESH_TOKEN_REUSED', 'UNAUTHENTICATED', 'VALIDATION_FAILED'].includes(
    error.code,
  );
}
