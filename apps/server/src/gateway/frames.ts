import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import {
  AuthFrameSchema,
  type CLIENT_FRAME_TYPES,
  DeleteFrameSchema,
  EditFrameSchema,
  FetchFrameSchema,
  HelloFrameSchema,
  ReactFrameSchema,
  ReadFrameSchema,
  SendFrameSchema,
  TypingFrameSchema,
  type ClientFrame,
} from '@veza/shared';

export type ParsedFrame =
  { ok: true; frame: ClientFrame } | { ok: false; message: string; ref: string | undefined; type: string | undefined };

const ajv = new Ajv({ coerceTypes: false, allErrors: false, removeAdditional: false });
addFormats.default(ajv);

const VALIDATORS: Record<(typeof CLIENT_FRAME_TYPES)[number], ValidateFunction> = {
  hello: ajv.compile(HelloFrameSchema),
  auth: ajv.compile(AuthFrameSchema),
  send: ajv.compile(SendFrameSchema),
  edit: ajv.compile(EditFrameSchema),
  delete: ajv.compile(DeleteFrameSchema),
  react: ajv.compile(ReactFrameSchema),
  read: ajv.compile(ReadFrameSchema),
  typing: ajv.compile(TypingFrameSchema),
  fetch: ajv.compile(FetchFrameSchema),
};

const isFrameType = (value: unknown): value is keyof typeof VALIDATORS =>
  typeof value === 'string' && Object.hasOwn(VALIDATORS, value);

/**
 * Parses and validates one client frame. Validation picks the schema by `type` first, so the
 * error names the field that is wrong rather than listing every frame type.
 */
export function parseClientFrame(text: string): ParsedFrame {
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
  if (!isFrameType(record.type)) {
    // Describe the value without calling its methods: a hostile {"toString": 1} must not throw.
    const type = record.type;
    const shown =
      typeof type === 'string' ? type : type === null ? 'null' : Array.isArray(type) ? 'array' : typeof type;
    return { ok: false, message: `Unknown frame type ${JSON.stringify(shown).slice(0, 40)}.`, ref, type: undefined };
  }
  const validate = VALIDATORS[record.type];
  if (!validate(value)) {
    const error = validate.errors?.[0];
    const field = [record.type, ...(error?.instancePath.split('/').filter(Boolean) ?? [])].join('.');
    const extra = (error?.params as { additionalProperty?: string; missingProperty?: string } | undefined) ?? {};
    const detail = extra.additionalProperty
      ? `${field}.${extra.additionalProperty} is not allowed`
      : extra.missingProperty
        ? `${field}.${extra.missingProperty} is required`
        : `${field} ${error?.message ?? 'is invalid'}`;
    return { ok: false, message: `Invalid frame: ${detail}.`, ref, type: record.type };
  }
  return { ok: true, frame: value as ClientFrame };
}
