/**
 * The OpenAPI document against the route table, the committed `docs/openapi.json`, the running server
 * and the integration guide. Regenerate the committed file with
 * `ALCOVE_UPDATE_OPENAPI=1 pnpm vitest run --project server packages/server/src/admin/openapi.test.ts`,
 * then `pnpm biome format --write docs/openapi.json` (the comparison is on the parsed JSON).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEBHOOK_EVENT_TYPES } from '../webhooks/types.js';
import { startTestServer, type TestServer } from '../signaling/testing/harness.js';
import { buildOpenApi, errorsOf, toJsonSchema } from './openapi.js';
import { ADMIN_ROUTES } from './routes.js';
import { ADMIN_ERROR_CODES, ADMIN_ERRORS, SessionPolicyInput } from './schemas.js';

const DOC_FILE = fileURLToPath(new URL('../../../../docs/openapi.json', import.meta.url));
const GUIDE = fileURLToPath(new URL('../../../../docs/server-integration.md', import.meta.url));
const routes = ADMIN_ROUTES;

type Doc = {
  paths: Record<string, Record<string, { operationId: string; responses: Record<string, unknown>; 'x-error-codes': string[] }>>;
};

let ts: TestServer;
beforeAll(async () => {
  ts = await startTestServer();
});
afterAll(async () => {
  await ts?.close();
});

describe('OpenAPI 3.1 document', () => {
  const doc = buildOpenApi() as unknown as Doc & Record<string, unknown>;

  it('has exactly the routes of the route table, each with its success status and every error code it can answer', () => {
    const fromDoc = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([m, op]) => `${m.toUpperCase()} ${path} ${op.operationId}`),
    );
    const fromTable = routes.map((r) => `${r.method} ${r.path} ${r.operationId}`);
    expect(fromDoc.sort()).toEqual([...fromTable].sort());
    for (const r of routes) {
      const op = doc.paths[r.path]?.[r.method.toLowerCase()];
      expect(Object.keys(op?.responses ?? {}), r.operationId).toContain(String(r.success.status));
      for (const code of errorsOf(r))
        expect(Object.keys(op?.responses ?? {}), `${r.operationId} ${code}`).toContain(String(ADMIN_ERRORS[code].status));
      expect(op?.['x-error-codes']).toEqual([...errorsOf(r)]);
    }
    expect(new Set(routes.map((r) => r.operationId)).size).toBe(routes.length);
  });

  it('is the committed docs/openapi.json (regenerate with ALCOVE_UPDATE_OPENAPI=1)', () => {
    const text = `${JSON.stringify(doc, null, 2)}\n`;
    if (process.env.ALCOVE_UPDATE_OPENAPI === '1') writeFileSync(DOC_FILE, text);
    expect(JSON.parse(readFileSync(DOC_FILE, 'utf8'))).toEqual(JSON.parse(text));
  });

  it('is served at /v1/openapi.json without a key, and the server answers every documented path and method', async () => {
    const served = await (await fetch(`${ts.server.url}/v1/openapi.json`)).json();
    expect(served).toEqual(JSON.parse(JSON.stringify(doc)));
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const method of Object.keys(ops)) {
        const url = `${ts.server.url}${path.replace(/\{[^}]+\}/g, 'x1')}`;
        const res = await fetch(url, { method: method.toUpperCase(), headers: { authorization: 'Bearer test-api-key-0123456789abcdef' } });
        const body = (await res.json()) as { error?: { code: string } };
        // Known to the router: never "no such route" nor "method not allowed".
        expect([body.error?.code], `${method} ${path}`).not.toContain('NOT_FOUND');
        expect(res.status, `${method} ${path}`).not.toBe(405);
      }
    }
  });

  it('is well formed: every $ref resolves, every path parameter is declared, operation ids are unique', () => {
    const text = JSON.stringify(doc);
    const components = (doc.components as { schemas: Record<string, unknown> }).schemas;
    const refs = [...text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1] as string);
    expect(refs.length).toBeGreaterThan(20);
    expect(refs.filter((r) => !(r in components))).toEqual([]);
    for (const [path, ops] of Object.entries(doc.paths)) {
      const names = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const op of Object.values(ops) as Array<{ parameters?: Array<{ name: string; in: string; required: boolean }> }>) {
        const declared = (op.parameters ?? []).filter((p) => p.in === 'path');
        expect(
          declared.map((p) => p.name),
          path,
        ).toEqual(names);
        expect(declared.every((p) => p.required)).toBe(true);
      }
    }
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.webhooks as Record<string, unknown>)).toEqual([...WEBHOOK_EVENT_TYPES]);
  });

  it('encodes the valibot bounds as JSON Schema (one source of truth)', () => {
    const s = toJsonSchema(SessionPolicyInput) as { properties: Record<string, Record<string, unknown>>; additionalProperties: boolean };
    expect(s.additionalProperties).toBe(false);
    expect(s.properties.maxParticipants).toMatchObject({ type: 'integer', minimum: 2, maximum: 100 });
    expect(s.properties.idleTimeoutS).toMatchObject({ type: 'integer', minimum: 60, maximum: 86_400 });
    expect(s.properties.screenShare).toMatchObject({ enum: ['host', 'everyone', 'nobody'] });
    expect(s.properties.recording).toMatchObject({ const: false });
  });

  it('the integration guide names every route, every error code and every webhook type', () => {
    const guide = readFileSync(GUIDE, 'utf8');
    const missing: string[] = [];
    for (const r of routes)
      if (!guide.includes(`${r.method} ${r.path.replace(/\{(\w+)\}/g, ':$1')}`)) missing.push(`${r.method} ${r.path}`);
    for (const code of ADMIN_ERROR_CODES) if (!guide.includes(`\`${code}\``)) missing.push(code);
    for (const type of WEBHOOK_EVENT_TYPES) if (!guide.includes(`\`${type}\``)) missing.push(type);
    expect(missing).toEqual([]);
  });
});
