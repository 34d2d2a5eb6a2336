import net from 'node:net';

/** The NATS server multi-instance tests use (CI starts one; .ci/run). */
export const TEST_NATS_URL = process.env.VEZA_TEST_NATS_URL ?? 'nats://127.0.0.1:4222';

export function natsReachable(url = TEST_NATS_URL): Promise<boolean> {
  return new Promise((resolve) => {
    const { hostname, port } = new URL(url);
    const socket = net.connect({ host: hostname, port: Number(port || 4222) });
    socket.setTimeout(1_000);
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

/**
 * NATS is not part of a fresh user machine, so NATS tests are skipped there (saying so), but
 * never in CI, where a missing NATS must fail the run.
 */
export const skipWithoutNats = !(await natsReachable()) && !process.env.CI;
