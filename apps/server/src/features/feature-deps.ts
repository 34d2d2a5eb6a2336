import type { Bus } from '../infra/bus.js';
import type { Clock } from '../infra/clock.js';
import type { Db } from '../infra/db/db.js';
import type { Logger } from '../infra/logger.js';
import type { Metrics } from '../infra/metrics.js';
import type { AuthService } from './auth/service.js';

/** What every feature plugin receives: injected infrastructure, never module globals. */
export interface FeatureDeps {
  db: Db;
  bus: Bus;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  auth: AuthService;
}
