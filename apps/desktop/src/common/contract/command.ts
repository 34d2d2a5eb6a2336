/**
 * How a command is declared: once, in its domain's table (`chat.ts`, `library.ts`…), as the
 * schema of its one argument plus the type of its result. Everything else derives from the
 * tables: the name list the bridges expose, the validation every receiver runs, the typed
 * `window.veza`, and the handler types core's services implement.
 */
import { Type, type Static, type TSchema } from 'typebox';
import type { DesktopErrorShape } from './errors.js';

/** The argument of a command that takes none: nothing, null or `{}` (what the bridges send). */
export const NoArgs = Type.Optional(
  Type.Union([Type.Undefined(), Type.Null(), Type.Object({}, { additionalProperties: false })]),
);
type NoArgsSchema = typeof NoArgs;

/**
 * One command. `result` is never set: it carries the result type only. `refine` checks what JSON
 * Schema cannot say (bytes, for one) after the schema passed; it names the problem or says null.
 */
export interface Command<S extends TSchema = TSchema, R = unknown> {
  readonly args: S;
  readonly refine?: (args: Static<S>) => DesktopErrorShape | null;
  readonly result?: R;
}

/**
 * `command(schema).returns<Result>()` declares a command with one argument; `command()` one with
 * none. The two steps let TypeScript infer the schema while the result is written out.
 */
export function command(): { returns<R>(): Command<NoArgsSchema, R> };
export function command<S extends TSchema>(
  args: S,
  refine?: (args: Static<S>) => DesktopErrorShape | null,
): { returns<R>(): Command<S, R> };
export function command(
  args: TSchema = NoArgs,
  refine?: (args: never) => DesktopErrorShape | null,
): { returns<R>(): Command<TSchema, R> } {
  return { returns: () => (refine ? { args, refine } : { args }) as Command<TSchema, never> };
}

export type CommandTable = Record<string, Command>;

/** A command's argument as its caller passes it (`undefined` for one that takes none). */
export type ArgsOf<C> = C extends Command<infer S> ? (S extends NoArgsSchema ? undefined : Static<S>) : never;
export type ResultOf<C> = C extends Command<TSchema, infer R> ? R : never;

/** The table as plain signatures: `name(args) → result`. */
export type SignaturesOf<T extends CommandTable> = {
  [N in keyof T]: ArgsOf<T[N]> extends undefined ? () => ResultOf<T[N]> : (args: ArgsOf<T[N]>) => ResultOf<T[N]>;
};

/** What implements a table: one async function per command, same argument, same result. */
export type HandlersOf<T extends CommandTable> = {
  [N in keyof T]: ArgsOf<T[N]> extends undefined
    ? () => Promise<ResultOf<T[N]>>
    : (args: ArgsOf<T[N]>) => Promise<ResultOf<T[N]>>;
};
