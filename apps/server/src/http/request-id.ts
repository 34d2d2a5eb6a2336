import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';

export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * What a caller's id may look like: UUIDs, hex, ULIDs, base64 and tracing ids such as
 * `Root=1-67891233-abcdef012345678912345678` fit; anything that could break a log line or a
 * header (spaces, quotes, control characters) or is long enough to bloat the logs does not.
 */
const ACCEPTED_ID = /^[A-Za-z0-9._:+=/@-]{1,128}$/;

/** The caller's X-Request-Id when it is acceptable, otherwise undefined. */
export function acceptedRequestId(header: string | string[] | undefined): string | undefined {
  return typeof header === 'string' && ACCEPTED_ID.test(header) ? header : undefined;
}

/** Fastify's `genReqId`: the caller's id when acceptable (to follow one request across services), else a new UUID. */
export function requestIdOf(request: IncomingMessage): string {
  return acceptedRequestId(request.headers[REQUEST_ID_HEADER]) ?? randomUUID();
}

/** Every API response says which request it answers; the log lines of the request carry the same id. */
export function installRequestIds(app: FastifyInstance): void {
  app.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
}

/**
 * For the media fast path, which bypasses Fastify: echoes an acceptable caller id and makes
 * none (nothing there logs per request, so a new id would name nothing).
 */
export function echoRequestId(request: IncomingMessage, response: ServerResponse): void {
  const header = request.headers[REQUEST_ID_HEADER];
  if (header === undefined) return;
  const id = acceptedRequestId(header);
  if (id !== undefined) response.setHeader(REQUEST_ID_HEADER, id);
}
