import { afterAll, beforeAll, it } from 'vitest';
import { buildApp } from '../app.js';
import { InProcessBus } from '../infra/bus.js';
import { systemClock } from '../infra/clock.js';
import { createLogger } from '../infra/logger.js';
import { createTestDatabase, type TestDatabase } from '../test-support/database.js';

let database: TestDatabase;
beforeAll(async () => { database = await createTestDatabase(); });
afterAll(async () => { await database.drop(); });

it('explore', async () => {
  const app = await buildApp({ publicUrl: 'http://veza.test', corsOrigins: [], trustProxy: false },
    { db: database.db, bus: new InProcessBus(), clock: systemClock, logger: createLogger('silent'), jwtSecret: new Uint8Array(32) });
  app.get('/boom-syntax', async () => { throw new SyntaxError('internal parse'); });
  await app.ready();
  console.log(app.printRoutes({ commonPrefix: false }));
  console.log(app.printRoutes({ commonPrefix: false, includeMeta: ['access'] }));
  const f = app.findRoute({ method: 'GET', url: '/api/v1/me' });
  console.log(Object.keys(f ?? {}), (f as any)?.store?.config ?? f);
  for (const r of [
    { method: 'GET', url: '/api/docs' }, { method: 'GET', url: '/api/docs/' },
    { method: 'GET', url: '/boom-syntax' },
    { method: 'HEAD', url: '/api/v1/me' },
    { method: 'OPTIONS', url: '/api/v1/me', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } },
    { method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'application/json' }, payload: '{bad' },
    { method: 'POST', url: '/api/v1/auth/login', headers: { 'content-type': 'text/plain' }, payload: 'hi' },
    { method: 'POST', url: '/api/v1/auth/login' },
    { method: 'POST', url: '/api/v1', },
  ] as const) {
    const res = await app.inject(r as any);
    console.log(r.method, r.url, res.statusCode, JSON.stringify(res.headers), res.body.slice(0, 200));
  }
  await app.close();
});
