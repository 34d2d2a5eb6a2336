/**
 * The command names alone, derived from the tables. The preload and the browser host's client
 * need only this list and must stay tiny (no TypeBox, no @veza/shared): scripts/build.mjs swaps
 * this module for the literal list when it bundles them (see inline-command-names.mjs).
 */
import { COMMANDS, type CommandName } from './index.js';

/** Every command name, in contract order. */
export const COMMAND_NAME_LIST = Object.keys(COMMANDS) as CommandName[];
