/**
 * The contract between the renderer and core, composed from one file per domain: every command
 * the UI can issue (declared once, in its domain's table), what it returns, and every event core
 * pushes. The renderer sees it as `window.veza` (Electron preload or the browser host's client);
 * core implements it (`core/desktop-core.ts`). Everything here is plain data that survives
 * structured clone and JSON, so the same messages cross Electron IPC, a worker port and the
 * host's WebSocket.
 *
 * A new domain adds its file here: its table to COMMANDS, its events to CoreEvent.
 */
import type { PlayEvent, Playlist, Track, TrackListQuery, User, WaveformPeaksDto } from '@veza/shared';
import { analyticsCommands } from './analytics.js';
import { chatCommands, type ChatEvent } from './chat.js';
import type { ArgsOf, CommandTable, HandlersOf, ResultOf, SignaturesOf } from './command.js';
import { downloadCommands, type DownloadsEvent } from './downloads.js';
import type { DesktopErrorShape } from './errors.js';
import { libraryCommands, type LibraryEvent } from './library.js';
import { moderationCommands, type ModerationEvent } from './moderation.js';
import { reportCommands } from './reports.js';
import { sessionCommands, type SessionEvent } from './session.js';
import { settingsCommands, shellCommands, type SettingsEvent } from './settings.js';
import { standingCommands, type StandingEvent } from './standing.js';

export * from './analytics.js';
export * from './chat.js';
export * from './downloads.js';
export * from './errors.js';
export * from './library.js';
export * from './moderation.js';
export * from './reports.js';
export * from './session.js';
export * from './settings.js';
export * from './standing.js';
export type { ArgsOf, Command, CommandTable, HandlersOf, ResultOf, SignaturesOf } from './command.js';

/** Every command, in the order the bridges list them. */
export const COMMANDS = {
  ...sessionCommands,
  ...chatCommands,
  ...libraryCommands,
  ...downloadCommands,
  ...moderationCommands,
  ...reportCommands,
  ...standingCommands,
  ...analyticsCommands,
  ...settingsCommands,
  ...shellCommands,
} satisfies CommandTable;

export type Commands = typeof COMMANDS;
/** Commands as plain signatures: name → (args) → result. Every command takes at most one plain object. */
export type VezaCommands = SignaturesOf<Commands>;
export type CommandName = keyof Commands;
export type CommandArgs<N extends CommandName> = ArgsOf<Commands[N]>;
export type CommandResult<N extends CommandName> = ResultOf<Commands[N]>;
/** What core implements: one async function per command. */
export type CommandHandlers = HandlersOf<Commands>;

export type CoreEvent =
  SessionEvent | ChatEvent | LibraryEvent | DownloadsEvent | StandingEvent | ModerationEvent | SettingsEvent;
export type CoreEventType = CoreEvent['type'];

/** A command's outcome as it crosses a process boundary (errors are data, not thrown objects). */
export type CommandOutcome<T> = { ok: true; value: T } | { ok: false; error: DesktopErrorShape };

/**
 * `window.veza`: one async function per command plus an event subscription. Built by the preload
 * script (Electron) or the host client (browser); the renderer's stores are its only callers.
 */
export type VezaBridge = HandlersOf<Commands> & {
  onEvent(listener: (event: CoreEvent) => void): () => void;
};

/** Re-exported so the renderer can name these without importing @veza/shared itself. */
export type { PlayEvent, Playlist, Track, User, WaveformPeaksDto, TrackListQuery };
