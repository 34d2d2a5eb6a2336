import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE_CODES, type StreamGrant } from '@veza/shared';
import { bearer, createTestApp, signUp, type TestApp } from '../../test-support/app.js';
import { makeTone } from '../../test-support/audio-files.js';
import { connectSynced, createRoom, isType, sendMessage, wsUrl } from '../../test-support/chat.js';
import { baseUrl, localize, uploadTrack, waitForState } from '../../test-support/media.js';
import { sampleSum } from '../../test-support/metrics.js';
import type { TestSocket } from '../../test-support/ws-client.js';

/*
 * Prometheus's own checker on what we ship: the exposition of a server that has seen traffic,
 * the alert rules (and their unit tests), and the dashboard's queries. Not in the normal suite
 * (promtool is not on every developer's machine); CI runs it:
 *   vitest run --config apps/server/vitest.promtool.config.ts
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../..');
const RULES = path.join(ROOT, 'deploy/prometheus/veza-alerts.yml');
const RULE_TESTS = path.join(ROOT, 'deploy/prometheus/veza-alerts.test.yml');
const DASHBOARD = path.join(ROOT, 'deploy/grafana/veza-dashboard.json');

function promtool(args: string[], input?: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('promtool', args, { cwd: ROOT });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, output }));
    child.stdin.end(input);
  });
}

let dir: string;
beforeAll(async () => {
  if (spawnSync('promtool', ['--version']).status !== 0) {
    throw new Error(
      'promtool is missing: it comes with Prometheus (Debian: apt-get install --no-install-recommends prometheus). ' +
        'CI installs it; see .ci/run.',
    );
  }
  dir = await mkdtemp(path.join(tmpdir(), 'veza-promtool-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('promtool on deploy/prometheus', () => {
  it('check rules: the alert rules are valid', async () => {
    const { code, output } = await promtool(['check', 'rules', RULES]);
    expect(output).toContain('SUCCESS');
    expect(code).toBe(0);
  });

  it('test rules: each alert fires when it should, and only then', async () => {
    const { code, output } = await promtool(['test', 'rules', RULE_TESTS]);
    expect(output).toContain('SUCCESS');
    expect(code).toBe(0);
  });
});

describe('promtool on deploy/grafana', () => {
  it("every panel's query is valid PromQL once Grafana's variables are filled in", async () => {
    const dashboard = JSON.parse(await readFile(DASHBOARD, 'utf8')) as {
      panels: { title: string; targets?: { expr: string }[] }[];
    };
    const exprs = dashboard.panels.flatMap((p) => (p.targets ?? []).map((target) => target.expr));
    const filled = exprs.map((expr) =>
      expr.replaceAll('$instance', '.*').replaceAll('$__rate_interval', '1m').replaceAll('$__range', '1h'),
    );
    // As recording rules, so promtool parses each one.
    const rules = ['groups:', '  - name: dashboard', '    rules:'];
    filled.forEach((expr, i) =>
      rules.push(`      - record: dashboard:query_${i}`, `        expr: ${JSON.stringify(expr)}`),
    );
    const file = path.join(dir, 'dashboard-queries.yml');
    await writeFile(file, `${rules.join('\n')}\n`);
    const { code, output } = await promtool(['check', 'rules', file]);
    expect(output).toContain(`SUCCESS: ${exprs.length} rules found`);
    expect(code).toBe(0);
  });
});

describe('promtool check metrics', () => {
  let t: TestApp;
  const sockets: TestSocket[] = [];
  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    for (const socket of sockets) socket.ws.terminate();
    await t.close();
  });

  /** Something in every family: sign-ins, chat, a flood, an upload through ffmpeg, media, errors. */
  async function traffic(): Promise<void> {
    const ada = await signUp(t, 'artist');
    await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { login: ada.user.username, password: 'wrong password' },
    });
    await fetch(`${baseUrl(t)}/no/such/route`);
    const room = await createRoom(t, ada.accessToken);
    const socket = await connectSynced(wsUrl(t), ada.accessToken, { [room.id]: 0 });
    sockets.push(socket);
    await sendMessage(socket, room.id, 'hello metrics');
    socket.sendRaw('not JSON');
    await socket.next(isType('error'), 'BAD_FRAME');
    const flooder = await connectSynced(wsUrl(t), ada.accessToken, {});
    sockets.push(flooder);
    flooder.sendAtOnce(Array.from({ length: 400 }, () => Buffer.from([1])));
    expect(await flooder.closed()).toBe(CLOSE_CODES.TOO_SLOW);

    const track = await uploadTrack(t, ada.accessToken, await makeTone(dir, { seconds: 2, name: randomUUID() }));
    await waitForState(t, track.id, 'ready');
    const grant = (await (
      await fetch(`${baseUrl(t)}/api/v1/tracks/${track.id}/stream`, { headers: bearer(ada.accessToken) })
    ).json()) as StreamGrant;
    const master = localize(t, grant.url);
    for (let i = 0; i < 2; i++) expect((await fetch(master)).status).toBe(200);
    expect((await fetch(master.replace('master.m3u8', '128k/seg_99999.m4s'))).status).toBe(404);
  }

  it('finds nothing to say about a real scrape of a server that has seen traffic', async () => {
    await traffic();
    const response = await fetch(`${baseUrl(t)}/metrics`);
    expect(response.status).toBe(200);
    const exposition = await response.text();
    expect(sampleSum(exposition, 'veza_transcode_seconds_total', { step: 'ladder' })).toBeGreaterThan(0);
    const { code, output } = await promtool(['check', 'metrics'], exposition);
    expect(output).toBe('');
    expect(code).toBe(0);
  });
});
