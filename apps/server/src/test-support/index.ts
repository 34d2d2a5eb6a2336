/** What other workspaces' tests (the desktop app's) use to run a real server in-process. */
export { createTestDatabase, type TestDatabase } from './database.js';
export { signUp, bearer, type TestApp } from './app.js';
export { eventually, waitFor, type WaitOptions } from './wait-for.js';
