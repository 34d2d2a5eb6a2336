export { buildApp, DEFAULT_LIMITS, type AppDeps, type AppLimits, type VezaApp } from './app.js';
export { startServer, type RunningServer } from './runtime.js';
export { loadConfig, ConfigError, type ServerConfig } from './infra/config.js';
export { InProcessBus, type Bus } from './infra/bus.js';
export { systemClock, ManualClock, type Clock } from './infra/clock.js';
export { createDb, type Db } from './infra/db/db.js';
export { migrate } from './infra/db/migrate.js';
export { openDatabase } from './infra/db/database.js';
export { createLogger } from './infra/logger.js';
