import pg from 'pg';
import { assertSubject, type Bus } from '../bus.js';
import type { Logger } from '../logger.js';
import type { Queryable } from './db.js';

/**
 * A CLI command runs in its own process. With NATS it publishes there like any instance; without
 * NATS the running server's bus is in-process and out of reach, but the database is shared: the
 * CLI sends a NOTIFY on this channel, and the server relays it onto its bus.
 */
export const BUS_RELAY_CHANNEL = 'veza_bus_relay';

interface RelayedMessage {
  subject: string;
  payload: unknown;
}

/** Publishes through the database, to the servers relaying that channel. */
export function databaseRelayPublisher(db: Queryable): Pick<Bus, 'publish'> {
  return {
    async publish(subject, payload) {
      assertSubject(subject, 'publish');
      const message: RelayedMessage = { subject, payload };
      // Outside a transaction a NOTIFY is delivered at once.
      await db.query('SELECT pg_notify($1, $2)', [BUS_RELAY_CHANNEL, JSON.stringify(message)]);
    },
  };
}

export interface BusRelay {
  close(): Promise<void>;
}

/**
 * Listens on the relay channel and republishes the listed subjects on `bus`. Only those: a
 * notification is a request from whoever can reach the database, and a server never forwards
 * chat events or anything else it did not expect from there. Reconnects after losing the
 * database, logging once per loss.
 */
export async function startBusRelay(options: {
  connectionString: string;
  bus: Pick<Bus, 'publish'>;
  subjects: readonly string[];
  logger: Logger;
  reconnectDelayMs?: number;
}): Promise<BusRelay> {
  const { connectionString, bus, logger, reconnectDelayMs = 2_000 } = options;
  const allowed = new Set(options.subjects);
  let client: pg.Client | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;

  const relay = (text: string | undefined): void => {
    let message: RelayedMessage;
    try {
      message = JSON.parse(text ?? '') as RelayedMessage;
    } catch {
      logger.warn('ignored a malformed bus relay notification');
      return;
    }
    if (typeof message?.subject !== 'string' || !allowed.has(message.subject)) {
      logger.warn(
        { subject: String(message?.subject) },
        'ignored a bus relay notification for a subject it does not relay',
      );
      return;
    }
    bus.publish(message.subject, message.payload).catch((err: unknown) => {
      logger.error({ err, subject: message.subject }, 'could not relay a notification onto the bus');
    });
  };

  const connect = async (): Promise<void> => {
    const next = new pg.Client({ connectionString, keepAlive: true });
    next.on('notification', (notification) => {
      if (notification.channel === BUS_RELAY_CHANNEL) relay(notification.payload);
    });
    next.on('error', (err) => {
      if (closed || client !== next) return;
      client = undefined;
      logger.warn({ message: err.message }, 'bus relay lost the database; reconnecting');
      void next.end().catch(() => undefined);
      scheduleReconnect();
    });
    await next.connect();
    await next.query(`LISTEN ${BUS_RELAY_CHANNEL}`);
    if (closed) {
      await next.end();
      return;
    }
    client = next;
  };

  const scheduleReconnect = (): void => {
    retry = setTimeout(() => {
      connect().catch(() => {
        if (!closed) scheduleReconnect();
      });
    }, reconnectDelayMs);
    retry.unref();
  };

  await connect();
  return {
    async close() {
      closed = true;
      clearTimeout(retry);
      const current = client;
      client = undefined;
      await current?.end().catch(() => undefined);
    },
  };
}
