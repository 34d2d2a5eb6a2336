import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { BlockList, isIP } from 'node:net';
import type { ErrorCode } from '@veza/shared';

/**
 * Who may read /metrics. With a token, whoever sends it. Without one, the separate listener
 * (VEZA_METRICS_LISTEN) answers anyone who reaches it: its address is the operator's choice. On the
 * main port without a token, only this machine, and never through a proxy (a proxy on this
 * machine connects from loopback on behalf of anyone).
 */
export interface MetricsAccess {
  token: string | undefined;
  where: 'main-port' | 'own-listener';
}

export interface ScrapeRequest {
  /** The socket's peer: a forwarded-for header never counts. */
  remoteAddress: string | undefined;
  headers: IncomingHttpHeaders;
}

export type ScrapeDecision =
  | { allowed: true }
  | { allowed: false; status: 401 | 403; code: ErrorCode; message: string; headers: Record<string, string> };

/** Headers a proxy adds; a request carrying any of them came through one. */
const FORWARDING_HEADERS = ['forwarded', 'x-forwarded-for', 'x-real-ip'] as const;

const HOW_TO_OPEN =
  'Set VEZA_METRICS_TOKEN or VEZA_METRICS_LISTEN to scrape from elsewhere (docs/operations.md, "Metrics").';

export function decideScrape(access: MetricsAccess, request: ScrapeRequest): ScrapeDecision {
  if (access.token !== undefined) {
    const header = request.headers.authorization;
    const challenge = { 'www-authenticate': 'Bearer realm="veza-metrics"' };
    if (header === undefined) {
      return refuse(401, 'UNAUTHENTICATED', 'Metrics need "Authorization: Bearer <VEZA_METRICS_TOKEN>".', challenge);
    }
    const sent = /^Bearer +(\S+)$/i.exec(header)?.[1];
    if (sent === undefined || !sameSecret(sent, access.token)) {
      return refuse(401, 'TOKEN_INVALID', 'This is not the metrics token.', challenge);
    }
    return { allowed: true };
  }
  if (access.where === 'own-listener') return { allowed: true };
  if (!isLoopback(request.remoteAddress)) {
    return refuse(403, 'FORBIDDEN', `Metrics are served only to this machine. ${HOW_TO_OPEN}`);
  }
  if (FORWARDING_HEADERS.some((name) => request.headers[name] !== undefined)) {
    return refuse(403, 'FORBIDDEN', `Metrics are not served through a proxy. ${HOW_TO_OPEN}`);
  }
  return { allowed: true };
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** 127.0.0.0/8 and ::1, IPv4-mapped too (a dual-stack socket reports ::ffff:127.0.0.1). */
export function isLoopback(address: string | undefined): boolean {
  const family = address === undefined ? 0 : isIP(address);
  return family !== 0 && LOOPBACK.check(address!, family === 4 ? 'ipv4' : 'ipv6');
}

/** Constant time whatever the lengths: both sides are hashed to the same size first. */
function sameSecret(sent: string, expected: string): boolean {
  const digest = (text: string): Buffer => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(sent), digest(expected));
}

function refuse(
  status: 401 | 403,
  code: ErrorCode,
  message: string,
  headers: Record<string, string> = {},
): ScrapeDecision {
  return { allowed: false, status, code, message, headers };
}
