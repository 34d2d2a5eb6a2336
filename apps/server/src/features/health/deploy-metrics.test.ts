import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../../test-support/app.js';
import { declaredFamilies, scrape } from '../../test-support/metrics.js';

/*
 * The Grafana dashboard, the alert rules and the docs name metrics; a renamed family would leave
 * a blank panel or an alert that never fires, silently. Each name they use must be in a scrape.
 */

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../..');
const DASHBOARD = path.join(ROOT, 'deploy/grafana/veza-dashboard.json');
const RULES = path.join(ROOT, 'deploy/prometheus/veza-alerts.yml');
const OPERATIONS = path.join(ROOT, 'docs/operations.md');

interface Panel {
  id: number;
  type: string;
  title: string;
  targets?: { expr: string; refId: string; datasource: { uid: string } }[];
}

/** The metric names a text mentions (ours and the Node process's); `veza_db_pool_*` is a prefix, not a name. */
function metricNames(text: string): Set<string> {
  return new Set((text.match(/\b(?:veza|nodejs|process)_[a-z0-9_]+/g) ?? []).filter((name) => !name.endsWith('_')));
}

let t: TestApp;
let families: Map<string, string>;
beforeAll(async () => {
  t = await createTestApp();
  families = declaredFamilies(await scrape(t.app));
});
afterAll(() => t.close());

/** A sample name's family: histograms expose `_bucket`, `_sum` and `_count` series. */
function familyOf(name: string): string | undefined {
  if (families.has(name)) return name;
  const base = name.replace(/_(?:bucket|sum|count)$/, '');
  return families.get(base) === 'histogram' ? base : undefined;
}

describe('deploy/ and the docs name only metrics the server exports', () => {
  it('the Grafana dashboard', async () => {
    const dashboard = JSON.parse(await readFile(DASHBOARD, 'utf8')) as { panels: Panel[]; uid: string };
    const graphs = dashboard.panels.filter((p) => p.type !== 'row');
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
    const exprs = graphs.flatMap((panel) => {
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
      return (panel.targets ?? []).map((target) => {
        expect(target.datasource.uid, panel.title).toBe('${datasource}');
        return target.expr;
      });
    });
    const names = metricNames(exprs.join('\n'));
    expect(names.size).toBeGreaterThan(15);
    expect([...names].filter((name) => !familyOf(name))).toEqual([]);
  });

  it('the alert rules', async () => {
    const names = metricNames(await readFile(RULES, 'utf8'));
    expect(names.size).toBeGreaterThan(5);
    expect([...names].filter((name) => !familyOf(name))).toEqual([]);
  });

  it('the Metrics section of docs/operations.md names every Veza family, and none that does not exist', async () => {
    const page = await readFile(OPERATIONS, 'utf8');
    const section = /^## Metrics$([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(page)?.[1];
    expect(section, 'docs/operations.md has a "## Metrics" section').toBeDefined();
    const documented = metricNames(section!);
    const ours = [...families.keys()].filter((name) => name.startsWith('veza_'));
    expect(ours.filter((name) => !documented.has(name))).toEqual([]);
    expect([...documented].filter((name) => !familyOf(name))).toEqual([]);
  });
});
