import { Type, type Static } from 'typebox';
import { ERROR_CODES } from '../errors.js';

export const ErrorBodySchema = Type.Object({
  error: Type.Object({
    code: Type.Enum(ERROR_CODES),
    message: Type.String(),
  }),
});
export type ErrorBodyDto = Static<typeof ErrorBodySchema>;

export const UuidSchema = Type.String({ format: 'uuid' });
export const TimestampSchema = Type.String({ format: 'date-time' });
