import { ErrorBodySchema } from '@veza/shared';

/** Response schemas for the error statuses a route can answer, for validation and OpenAPI. */
export function errorResponses<const S extends number>(...statuses: S[]): Record<S, typeof ErrorBodySchema> {
  return Object.fromEntries(statuses.map((status) => [status, ErrorBodySchema])) as Record<S, typeof ErrorBodySchema>;
}
