import { rm } from 'node:fs/promises';
import path from 'node:path';
import { validateCommand } from '../common/commands.js';
import {
  analyticsCommands,
  chatCommands,
  downloadCommands,
  libraryCommands,
  reportCommands,
  standingCommands,
  moderationCommands,
  type CommandHandlers,
  type CommandName,
  type CommandOutcome,
  type ConnectionState,
  type CoreEvent,
  type SessionState,
  type Settings,
} from '../common/contract.js';
import { DesktopError, toErrorShape } from '../common/errors.js';
import { openAccount, type Account } from './account.js';
import { routeTo } from './command-routing.js';
import type { SecretStore } from './session/secret-store.js';
import { SessionManager } from './session/session-manager.js';
import { SettingsStore } from './settings/settings-store.js';

export interface DesktopCoreOptions {
  /** Where core keeps everything: session.json, settings.json, one folder per account. */
  dataDir: string;
  secretStore: SecretStore;
  /** Prefix of URLs the renderer uses for offline files ("veza-media://local/" in Electron). */
  localMediaBase: string;
  /** Where CSV exports are written (Electron: the user's Downloads folder); default `<dataDir>/exports`. */
  exportsDir?: string;
  /** A better-sqlite3 binary built for Electron, when core runs inside it. */
  sqliteNativeBinding?: string;
  /** Reconnect delays of the sync engine; tests shorten them. */
  backoff?: { minDelayMs: number; maxDelayMs: number };
  fetch?: typeof fetch;
}

type Handler = (args: never) => unknown;
const DISCONNECTED: ConnectionState = { status: 'signed-out', nextRetryAt: null, lastError: null };

/**
 * Everything the renderer can ask for, in one place: validates each command, routes it to the
 * session, the signed-in account's chat or library service, or settings, and turns failures into
 * data. The shells (Electron main, the browser host) only carry messages to and from here.
 */
export class DesktopCore {
  private account: Account | null = null;
  private connection: ConnectionState = DISCONNECTED;
  private readonly listeners = new Set<(event: CoreEvent) => void>();
  private closed = false;

  private constructor(
    private readonly options: DesktopCoreOptions,
    private readonly session: SessionManager,
    private readonly settings: SettingsStore,
  ) {
    session.onChange((state) => {
      this.emit({ type: 'session.changed', session: state });
      // The server ended the session (refresh refused): stop syncing, keep the cache.
      if (state.status === 'signed-out' && this.account) void this.closeAccount();
    });
  }

  static async open(options: DesktopCoreOptions): Promise<DesktopCore> {
    const session = new SessionManager(options.dataDir, options.secretStore, { fetch: options.fetch });
    const settings = await SettingsStore.load(options.dataDir);
    const core = new DesktopCore(options, session, settings);
    const state = await session.restore();
    if (state.status === 'signed-in') await core.openAccount(state);
    return core;
  }

  onEvent(listener: (event: CoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Folders the local-media URLs point into (downloads, covers) for the current account. */
  localMediaRoots(): Record<string, string> {
    return this.account?.library.localMediaRoots() ?? {};
  }

  async invoke(command: unknown, args: unknown): Promise<CommandOutcome<unknown>> {
    const invalid = validateCommand(command, args);
    if (invalid) return { ok: false, error: invalid };
    try {
      const handler = this.handlers[command as CommandName] as Handler;
      return { ok: true, value: await handler(args as never) };
    } catch (error) {
      return { ok: false, error: toErrorShape(error) };
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.closeAccount();
    this.listeners.clear();
  }

  private emit(event: CoreEvent): void {
    if (event.type === 'connection.changed') this.connection = event.connection;
    for (const listener of this.listeners) listener(event);
  }

  /** One account at a time: switching goes through sign-out, so two never share a cache or a token. */
  private signedOutOnly<T>(args: T): T {
    if (this.session.state().status === 'signed-in') {
      throw new DesktopError('CONFLICT', 'You are already signed in. Sign out first to use another account.');
    }
    return args;
  }

  private requireAccount(): Account {
    if (!this.account) throw new DesktopError('NOT_SIGNED_IN', 'Sign in to do that.');
    return this.account;
  }

  private async openAccount(state: Extract<SessionState, { status: 'signed-in' }>): Promise<void> {
    await this.closeAccount();
    this.account = openAccount({
      dataDir: this.options.dataDir,
      serverUrl: state.serverUrl,
      user: state.user,
      session: this.session,
      settings: () => this.settings.get(),
      localMediaBase: this.options.localMediaBase,
      exportsDir: this.options.exportsDir ?? path.join(this.options.dataDir, 'exports'),
      sqliteNativeBinding: this.options.sqliteNativeBinding,
      backoff: this.options.backoff,
      emit: (event) => this.emit(event),
    });
    this.account.start();
  }

  private async closeAccount(): Promise<void> {
    const account = this.account;
    this.account = null;
    if (account) await account.close();
    this.emit({ type: 'connection.changed', connection: DISCONNECTED });
  }

  private async signedIn(state: SessionState): Promise<SessionState> {
    if (state.status === 'signed-in') {
      // The session already moved to this server: only the settings need to follow.
      if (this.settings.get().serverUrl !== state.serverUrl) {
        this.emit({ type: 'settings.changed', settings: await this.settings.update({ serverUrl: state.serverUrl }) });
      }
      await this.openAccount(state);
    }
    return state;
  }

  private async updateSettings(patch: Partial<Settings>): Promise<Settings> {
    if (patch.serverUrl !== undefined && patch.serverUrl !== this.settings.get().serverUrl) {
      await this.session.setServerUrl(patch.serverUrl);
      patch = { ...patch, serverUrl: this.session.state().serverUrl };
    }
    const settings = await this.settings.update(patch);
    this.emit({ type: 'settings.changed', settings });
    return settings;
  }

  private async signOut(wipeCache: boolean): Promise<SessionState> {
    const account = this.account;
    const downloads = account?.downloadsDir() ?? null;
    const accountDir = account?.dir ?? null;
    await this.closeAccount();
    const state = await this.session.signOut();
    if (wipeCache) {
      if (accountDir) await rm(accountDir, { recursive: true, force: true });
      if (downloads) await rm(downloads, { recursive: true, force: true });
    }
    return state;
  }

  /** One entry per command; TypeScript checks every command has one with the right types. */
  private readonly handlers: CommandHandlers = {
    getSession: async () => this.session.state(),
    signIn: async (args) => this.signedIn(await this.session.signIn(this.signedOutOnly(args))),
    signUp: async (args) => this.signedIn(await this.session.signUp(this.signedOutOnly(args))),
    signOut: async ({ wipeCache }) => this.signOut(wipeCache),
    getConnection: async () => this.connection,

    ...routeTo(chatCommands, () => this.requireAccount().chat),
    ...routeTo({ ...libraryCommands, ...downloadCommands }, () => this.requireAccount().library),
    ...routeTo({ ...reportCommands, ...standingCommands }, () => this.requireAccount().moderation),
    ...routeTo(moderationCommands, () => this.requireAccount().admin),
    ...routeTo(analyticsCommands, () => this.requireAccount().analytics),

    getSettings: async () => this.settings.get(),
    updateSettings: (args) => this.updateSettings(args),
    // The shells answer these themselves (a browser tab or the OS); core has no window to open from.
    openExternal: async () => {
      throw new DesktopError('UNSUPPORTED', 'Links are opened by the app window, not by core.');
    },
    chooseDirectory: async () => null,
  };
}
