/**
 * The allow-list of commands and the check of each one's argument, both from the contract's
 * tables. Whoever receives a command from a less trusted side (Electron main from the renderer,
 * the browser host from its socket, core from its parent) validates it here before doing anything.
 */
import { Value } from 'typebox/value';
import {
  COMMANDS,
  UPLOAD_BRIDGE_MAX_BYTES,
  type Command,
  type CommandName,
  type DesktopErrorShape,
} from './contract.js';

export { UPLOAD_BRIDGE_MAX_BYTES };

export const COMMAND_NAMES = Object.keys(COMMANDS) as CommandName[];

export function isCommandName(value: unknown): value is CommandName {
  return typeof value === 'string' && Object.hasOwn(COMMANDS, value);
}

/**
 * Checks a command name and its argument. Returns null when both are acceptable, otherwise an
 * error naming the first problem (the field and what was wrong), never echoing the value.
 */
export function validateCommand(name: unknown, args: unknown): DesktopErrorShape | null {
  if (!isCommandName(name)) return { code: 'UNKNOWN_COMMAND', message: 'That action does not exist.' };
  const spec: Command = COMMANDS[name];
  if (!Value.Check(spec.args, args)) {
    const first = Value.Errors(spec.args, args)[0];
    const where = first?.instancePath ? first.instancePath.replace(/^\//, '').replaceAll('/', '.') : 'argument';
    return { code: 'INVALID_ARGUMENT', message: `${name}: ${where} ${first?.message ?? 'is not valid'}.` };
  }
  return spec.refine?.(args as never) ?? null;
}
