import { validateCommand } from '../common/commands.js';
import type { CommandName, CommandOutcome } from '../common/contract.js';
import { toErrorShape } from '../common/errors.js';
import { isAppUrl } from './app-url.js';
import type { Logger } from './logger.js';

/** The frame that sent an IPC message (Electron's WebFrameMain, reduced to what is checked). */
export interface SenderFrame {
  url: string;
  processId?: number;
  routingId?: number;
}

/** The IPC event as far as the handler cares: who sent it. */
export interface CommandInvokeEvent {
  senderFrame: SenderFrame | null;
}

/** Commands main answers itself: they need the OS shell, not core. */
export interface ShellCommands {
  openExternal(url: string): Promise<void>;
  chooseDirectory(): Promise<string | null>;
}

export interface CommandHandlerDeps {
  /** The main window's top frame right now (null while there is no window). */
  getMainFrame(): SenderFrame | null;
  forwardToCore(command: CommandName, args: unknown): Promise<CommandOutcome<unknown>>;
  shell: ShellCommands;
  log: Pick<Logger, 'warn' | 'error'>;
}

const FORBIDDEN: CommandOutcome<never> = {
  ok: false,
  error: { code: 'FORBIDDEN', message: 'This request did not come from the Veza window.' },
};

/**
 * True when a message comes from the main window's top frame showing the app itself: not a
 * sub-frame, not another window, not a page that somehow navigated elsewhere.
 */
export function isTrustedSender(frame: SenderFrame | null, mainFrame: SenderFrame | null): boolean {
  if (frame === null || mainFrame === null) return false;
  // Electron hands out one WebFrameMain per frame, but compare its ids too rather than rely on that.
  const sameFrame =
    frame === mainFrame ||
    (frame.processId !== undefined &&
      frame.routingId !== undefined &&
      frame.processId === mainFrame.processId &&
      frame.routingId === mainFrame.routingId);
  return sameFrame && isAppUrl(frame.url);
}

/** The protocol check of openExternal: only http(s) URLs ever reach the OS. */
export function externalUrlOrNull(url: string): string | null {
  try {
    const parsed = new URL(url);
    if ((parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.hostname) return parsed.href;
  } catch {
    // fall through
  }
  return null;
}

/**
 * The `veza:command` handler. Order matters: the sender is checked, then the command name and
 * its argument against the shared schemas, and only then does anything run. Whatever happens,
 * the renderer gets a CommandOutcome; nothing is thrown across IPC.
 */
export function createCommandHandler(deps: CommandHandlerDeps) {
  return async (event: CommandInvokeEvent, name: unknown, args: unknown): Promise<CommandOutcome<unknown>> => {
    if (!isTrustedSender(event.senderFrame, deps.getMainFrame())) {
      deps.log.warn('Refused a command from an unexpected frame', { url: event.senderFrame?.url ?? null });
      return FORBIDDEN;
    }
    const problem = validateCommand(name, args);
    if (problem) return { ok: false, error: problem };
    const command = name as CommandName;
    try {
      switch (command) {
        case 'openExternal': {
          const url = externalUrlOrNull((args as { url: string }).url);
          if (url === null) {
            return {
              ok: false,
              error: { code: 'INVALID_ARGUMENT', message: 'Only http and https links can be opened.' },
            };
          }
          await deps.shell.openExternal(url);
          return { ok: true, value: undefined };
        }
        case 'chooseDirectory':
          return { ok: true, value: await deps.shell.chooseDirectory() };
        default:
          return await deps.forwardToCore(command, args);
      }
    } catch (error) {
      deps.log.error(`Command ${command} failed`, error);
      return { ok: false, error: toErrorShape(error) };
    }
  };
}
