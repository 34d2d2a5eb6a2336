import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * One registry per app instance (never prom-client's global one), so two apps in one test
 * process keep separate counts. Features add their metrics here.
 */
export interface Metrics {
  registry: Registry;
  httpRequestDuration: Histogram<'method' | 'route' | 'status_code'>;
  authLogins: Counter<'result'>;
  authRegistrations: Counter;
  authRefreshes: Counter<'result'>;
  rateLimited: Counter<'route'>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    httpRequestDuration: new Histogram({
      name: 'veza_http_request_duration_seconds',
      help: 'HTTP request duration by route template',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    authLogins: new Counter({
      name: 'veza_auth_logins_total',
      help: 'Login attempts by result',
      labelNames: ['result'],
      registers: [registry],
    }),
    authRegistrations: new Counter({
      name: 'veza_auth_registrations_total',
      help: 'Accounts registered',
      registers: [registry],
    }),
    authRefreshes: new Counter({
      name: 'veza_auth_refreshes_total',
      help: 'Refresh token uses by result',
      labelNames: ['result'],
      registers: [registry],
    }),
    rateLimited: new Counter({
      name: 'veza_rate_limited_total',
      help: 'Requests refused by a rate limit',
      labelNames: ['route'],
      registers: [registry],
    }),
  };
}
