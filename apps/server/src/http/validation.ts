import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';

const COMMON: Options = {
  useDefaults: true,
  // Unknown fields are refused rather than silently dropped, so typos surface as errors.
  removeAdditional: false,
  // allErrors would let a hostile body make validation arbitrarily expensive.
  allErrors: false,
  addUsedSchema: false,
};

/**
 * Two validators: bodies are JSON and must have the right types as sent (`"name": 42` is an
 * error, not "42"), while path and query values are always strings and are coerced.
 */
export function installValidation(app: FastifyInstance): void {
  const strict = new Ajv({ ...COMMON, coerceTypes: false });
  const coercing = new Ajv({ ...COMMON, coerceTypes: 'array' });
  addFormats.default(strict);
  addFormats.default(coercing);
  app.setValidatorCompiler(({ schema, httpPart }) =>
    (httpPart === 'body' ? strict : coercing).compile(schema as object),
  );
}
