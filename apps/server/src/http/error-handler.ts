import type { FastifyError, FastifyInstance } from 'fastify';
import type { ErrorBody, ErrorCode } from '@veza/shared';
import { BAD_INPUT_MESSAGE, isBadInputError } from '../infra/db/errors.js';
import { AppError } from '../infra/errors.js';

const send = (code: ErrorCode, message: string): ErrorBody => ({ error: { code, message } });

/** Fastify's own error codes, translated into ours with a message a person can act on. */
const FASTIFY_ERRORS: Record<string, { status: number; code: ErrorCode; message: string }> = {
  FST_ERR_CTP_BODY_TOO_LARGE: { status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'The request body is too large.' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    message: 'Unsupported Content-Type; send application/json.',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: { status: 400, code: 'BAD_REQUEST', message: 'The JSON body is empty.' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    status: 400,
    code: 'BAD_REQUEST',
    message: 'Content-Length does not match the body.',
  },
};

/**
 * Every error leaves as `{ error: { code, message } }`. Client errors say what was wrong;
 * server errors are logged in full and reach the client as a bare INTERNAL_ERROR.
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | AppError, request, reply) => {
    if (error instanceof AppError) {
      return reply.code(error.statusCode).headers(error.headers).send(send(error.code, error.message));
    }
    if (error.validation) {
      return reply.code(400).send(send('VALIDATION_FAILED', validationMessage(error)));
    }
    if (isBadInputError(error)) return reply.code(400).send(send('BAD_REQUEST', BAD_INPUT_MESSAGE));
    const known = error.code ? FASTIFY_ERRORS[error.code] : undefined;
    if (known) return reply.code(known.status).send(send(known.code, known.message));
    if (error.statusCode === 429) {
      return reply.code(429).send(send('RATE_LIMITED', error.message || 'Too many requests; slow down.'));
    }
    if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
      return reply.code(400).send(send('BAD_REQUEST', 'The request body is not valid JSON.'));
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return reply.code(status).send(send('BAD_REQUEST', error.message));
    }
    request.log.error({ err: error }, 'unhandled error');
    // The id lets the person who saw the error point at its log lines.
    return reply.code(500).send({
      error: { code: 'INTERNAL_ERROR', message: 'Something went wrong on the server.', requestId: request.id },
    } satisfies ErrorBody);
  });

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(send('ROUTE_NOT_FOUND', `No route for ${request.method} ${request.url.split('?')[0]}.`));
  });
}

/** "body/password must NOT have more than 256 characters" → names the field with a dot path. */
function validationMessage(error: FastifyError): string {
  const first = error.validation?.[0];
  if (!first) return error.message;
  const context = error.validationContext ?? 'body';
  const missing = (first.params as { missingProperty?: string }).missingProperty;
  const extra = (first.params as { additionalProperty?: string }).additionalProperty;
  const pathParts = first.instancePath.split('/').filter(Boolean);
  if (missing) return `${[context, ...pathParts, missing].join('.')} is required.`;
  if (extra) return `${[context, ...pathParts, extra].join('.')} is not allowed.`;
  const field = [context, ...pathParts].join('.');
  return `${field} ${first.message ?? 'is invalid'}.`;
}
