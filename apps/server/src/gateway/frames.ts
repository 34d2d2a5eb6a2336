import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { ClientFrame } from '@veza/shared';
import type { TSchema } from 'typebox';

export type ParsedFrame =
  { ok: true; frame: ClientFrame } | { ok: false; message: string; ref: string | undefined; type: string | undefined };

const ajv = new Ajv({ coerceTypes: false, allErrors: false, removeAdditional: false });
addFormats.default(ajv);
// Schemas are module constants: every app built in one process (tests build many) shares their validators.
const compiled = new WeakMap<TSchema, ValidateFunction>();
const validatorOf = (schema: TSchema): ValidateFunction => {
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
};

/** An encoded frame: JSON as UTF-8 bytes, ready for any number of sockets. */
export const encodeFrame = (frame: unknown): Buffer => Buffer.from(JSON.stringify(frame));

/**
 * Parses and validates client frames against the schemas of the families the gateway runs.
 * Validation picks the schema by `type` first, so the error names the field that is wrong
 * rather than listing every frame type.
 */
export class FrameParser {
  private readonly validators: ReadonlyMap<string, ValidateFunction>;

  constructor(schemas: ReadonlyMap<string, TSchema>) {
    this.validators = new Map([...schemas].map(([type, schema]) => [type, validatorOf(schema)]));
  }

  parse(text: string): ParsedFrame {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return { ok: false, message: 'The frame is not valid JSON.', ref: undefined, type: undefined };
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return { ok: false, message: 'A frame must be a JSON object.', ref: undefined, type: undefined };
    }
    const record = value as Record<string, unknown>;
    const ref = typeof record.ref === 'string' && record.ref.length <= 64 ? record.ref : undefined;
    const validate = typeof record.type === 'string' ? this.validators.get(record.type) : undefined;
    if (!validate) {
      // Describe the value without calling its methods: a hostile {"toString": 1} must not throw.
      const type = record.type;
      const shown =
        typeof type === 'string' ? type : type === null ? 'null' : Array.isArray(type) ? 'array' : typeof type;
      return { ok: false, message: `Unknown frame type ${JSON.stringify(shown).slice(0, 40)}.`, ref, type: undefined };
    }
    const type = record.type as string;
    if (!validate(value)) {
      const error = validate.errors?.[0];
      const field = [type, ...(error?.instancePath.split('/').filter(Boolean) ?? [])].join('.');
      const extra = (error?.params as { additionalProperty?: string; missingProperty?: string } | undefined) ?? {};
      const detail = extra.additionalProperty
        ? `${field}.${extra.additionalProperty} is not allowed`
        : extra.missingProperty
          ? `${field}.${extra.missingProperty} is required`
          : `${field} ${error?.message ?? 'is invalid'}`;
      return { ok: false, message: `Invalid frame: ${detail}.`, ref, type };
    }
    return { ok: true, frame: value as ClientFrame };
  }
}
