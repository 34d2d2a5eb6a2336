import type { ModerationActionBody, ModerationActionResult } from '@veza/shared';
import type { LightMyRequestResponse } from 'fastify';
import { api } from './chat.js';
import type { TestApp } from './app.js';

/** POST /moderation/actions as `token`; the raw response, for tests that expect refusals. */
export function act(t: TestApp, token: string, body: ModerationActionBody): Promise<LightMyRequestResponse> {
  return api(t, 'POST', '/moderation/actions', token, body);
}

/** POST /moderation/actions that must succeed. */
export async function actOk(t: TestApp, token: string, body: ModerationActionBody): Promise<ModerationActionResult> {
  const response = await act(t, token, body);
  if (response.statusCode !== 200) throw new Error(`${body.action} failed: ${response.statusCode} ${response.body}`);
  return response.json<ModerationActionResult>();
}

/** The audit rows (newest first) about a target. */
export async function auditOf(
  t: TestApp,
  token: string,
  targetId: string,
): Promise<{ action: string; actor: { id: string } | null; before: unknown; after: unknown; reason: string | null }[]> {
  const response = await api(t, 'GET', `/moderation/audit?targetId=${targetId}`, token);
  if (response.statusCode !== 200) throw new Error(`audit failed: ${response.statusCode} ${response.body}`);
  return response.json<{ entries: never[] }>().entries;
}
