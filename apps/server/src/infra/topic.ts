import type { Static, TSchema } from 'typebox';
import { Compile } from 'typebox/compile';

type TokenParam<Token extends string> = Token extends `{${infer Name}}` ? Name : never;
type ParamNames<Pattern extends string> = Pattern extends `${infer Head}.${infer Rest}`
  ? TokenParam<Head> | ParamNames<Rest>
  : TokenParam<Pattern>;

/** The values of a topic's `{name}` tokens: `room.{roomId}` takes `{ roomId }`. */
export type TopicParams<Pattern extends string> = { readonly [Name in ParamNames<Pattern>]: string };

/**
 * A kind of bus message, declared once (in its feature's `topics.ts`) with the schema of its
 * payload, so publishers and subscribers agree on one type and no handler casts what it receives.
 */
export interface Topic<Pattern extends string = string, Schema extends TSchema = TSchema> {
  /** Dot-separated tokens, each literal or a `{name}` parameter: `room.{roomId}`. */
  readonly pattern: Pattern;
  readonly schema: Schema;
  /** The literal subject one message is published on. */
  subject(params: TopicParams<Pattern>): string;
  /** The subject a subscription listens on: a parameter not given matches any value (`*`). */
  filter(params?: Partial<TopicParams<Pattern>>): string;
  /** Whether a received payload has the declared shape. */
  accepts(payload: unknown): payload is Static<Schema>;
}

export type PayloadOf<T extends Topic> = T extends Topic<string, infer Schema> ? Static<Schema> : never;

// `*` and `>` count as wildcards only as whole tokens in NATS; refusing them inside tokens keeps
// a subject meaning the same thing on both buses.
export const LITERAL_TOKEN = /^[^\s.*>{}]+$/;
const PARAM_TOKEN = /^\{([A-Za-z][A-Za-z0-9]*)\}$/;

/** A parameter value must be one literal token: a dot or a wildcard would change what it means. */
function tokenValue(pattern: string, name: string, value: unknown): string {
  if (typeof value !== 'string' || !LITERAL_TOKEN.test(value))
    throw new TypeError(`invalid bus subject for ${pattern}: ${name} = "${String(value)}"`);
  return value;
}

export function defineTopic<const Pattern extends string, Schema extends TSchema>(
  pattern: Pattern,
  schema: Schema,
): Topic<Pattern, Schema> {
  const tokens = pattern.split('.').map((token): { literal?: string; name?: string } => {
    const name = PARAM_TOKEN.exec(token)?.[1];
    if (name !== undefined) return { name };
    if (!LITERAL_TOKEN.test(token)) throw new TypeError(`invalid bus topic pattern "${pattern}"`);
    return { literal: token };
  });
  const validator = Compile(schema);
  const build = (params: Readonly<Record<string, string | undefined>>, wildcard: boolean): string =>
    tokens
      .map(({ literal, name }) => {
        if (literal !== undefined) return literal;
        const value = params[name!];
        return value === undefined && wildcard ? '*' : tokenValue(pattern, name!, value);
      })
      .join('.');
  return {
    pattern,
    schema,
    subject: (params) => build(params, false),
    filter: (params = {}) => build(params, true),
    accepts: (payload): payload is Static<Schema> => validator.Check(payload),
  };
}
