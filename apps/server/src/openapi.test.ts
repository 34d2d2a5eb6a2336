import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from './test-support/app.js';

/**
 * docs/openapi.json is the API reference checked into the repository. It is generated from the
 * route schemas; this test fails when it falls behind. Refresh it with:
 *   VEZA_UPDATE_OPENAPI=1 pnpm exec vitest run apps/server/src/openapi.test.ts
 */
const DOC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../docs/openapi.json');

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('OpenAPI document', () => {
  it('is served from the route schemas and matches docs/openapi.json', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(response.statusCode).toBe(200);
    // The server list depends on VEZA_PUBLIC_URL, so the committed reference leaves it out.
    const { servers: _servers, ...document } = response.json<Record<string, unknown>>();
    const generated = `${JSON.stringify(document, null, 2)}\n`;
    if (process.env.VEZA_UPDATE_OPENAPI === '1') await fs.writeFile(DOC, generated);
    const committed = await fs.readFile(DOC, 'utf8').catch(() => '');
    expect(committed, 'docs/openapi.json is out of date; see the comment at the top of this test').toBe(generated);
  });

  it('documents every error response with the shared error body', async () => {
    const document = (await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).json<{
      paths: Record<
        string,
        Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>
      >;
    }>();
    const login = document.paths['/api/v1/auth/login']?.post;
    expect(login?.responses['401']?.content?.['application/json']?.schema).toMatchObject({
      properties: { error: { properties: { code: expect.any(Object), message: expect.any(Object) } } },
    });
  });
});
