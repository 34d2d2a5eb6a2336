import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * Routes that machines poll every few seconds (orchestrators, load balancers, Prometheus). At
 * `info` their two lines per poll would bury everything else, so a successful poll is logged at
 * `debug`; one that fails stays at `info` (or `error`), where someone will see it.
 */
export const POLLED_ROUTES: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

const isPoll = (request: FastifyRequest): boolean => POLLED_ROUTES.has(request.routeOptions.url ?? '');

export class VezaLogController extends LogController {
  override incomingRequest(request: FastifyRequest, reply: FastifyReply): void {
    if (isPoll(request)) request.log.debug({ req: request }, 'incoming request');
    else super.incomingRequest(request, reply);
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (!error && isPoll(request) && reply.statusCode < 400) {
      reply.log.debug({ res: reply, responseTime: reply.elapsedTime }, 'request completed');
    } else super.requestCompleted(error, request, reply);
  }
}
