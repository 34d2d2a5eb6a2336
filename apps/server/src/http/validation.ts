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
 * Validates a body that does not arrive as JSON (multipart fields) exactly as a JSON body would
 * be: the same options, no coercion. Returns the first problem in the same words as route
 * validation (`body.title must NOT have more than 200 characters.`), or null.
 */
export function compileBodyValidator(schema: object): (value: unknown) => string | null {
  const ajv = new Ajv({ ...COMMON, coerceTypes: false });
  addFormats.default(ajv);
  const validate = ajv.compile(schema);
  return (value) => {
    if (validate(value)) return null;
    const first = validate.errors?.[0];
    if (!first) return 'body is invalid.';
    const extra = (first.params as { additionalProperty?: string }).additionalProperty;
    const field = ['body', ...first.instancePath.split('/').filter(Boolean), ...(extra ? [extra] : [])].join('.');
    return extra ? `${field} is not allowed.` : `${field} ${first.message ?? 'is invalid'}.`;
  };
}

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
