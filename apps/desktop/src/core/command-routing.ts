import type { CommandTable, HandlersOf } from '../common/contract.js';

/**
 * Handlers for a domain's table that pass each command to the service of the same name's method,
 * found when the command runs (the signed-in account's service, which changes with the session).
 * The service's `implements HandlersOf<table>` is what makes this safe: a command added to the
 * table fails to compile until its service answers it.
 */
export function routeTo<T extends CommandTable>(table: T, service: () => HandlersOf<T>): HandlersOf<T> {
  const handlers: Record<string, (args: unknown) => Promise<unknown>> = {};
  for (const name of Object.keys(table)) {
    handlers[name] = (args) => (service() as Record<string, (args: unknown) => Promise<unknown>>)[name]!(args);
  }
  return handlers as HandlersOf<T>;
}
