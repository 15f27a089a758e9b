/**
 * Per-tenant routing of webhook events: a tenant's events reach only its own receivers (signed with
 * its own secrets), the deployment-level receivers get only the tenants without any, the delivery
 * log shows a tenant only what is its own, and the durable outboxes replay to the right tenant.
 * The transport here is a recording `fetch`; the end-to-end test with real receivers is
 * `tenant-webhooks.test.ts`.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../logger.js';
import type { WebhookEndpoint } from './dispatcher.js';
import { WebhookConfigError, WebhookVerificationError } from './errors.js';
import { verifyWebhook } from './signature.js';
import { TenantWebhookRouter, tenantOutboxFile, type TenantWebhookRouterOptions } from './tenant-router.js';

const ACME = ['acme-hook-new-0123456789', 'acme-hook-old-0123456789'];
const BETA = 'beta-hook-secret-0123456789';
const HOST = 'host-hook-secret-0123456789';

interface Call {
  url: string;
  body: string;
  signature: string;
}

/** A fetch that records every request and answers 204 (or waits until aborted, with `hang`). */
function recorder(hang = false): { fetch: typeof fetch; calls: Call[] } {
  const calls: Call[] = [];
  const f = (async (input: string | URL | Request, init?: RequestInit) => {
    const headers = new Headers(init?.headers);
    calls.push({ url: String(input), body: String(init?.body), signature: headers.get('alcove-signature') ?? '' });
    if (hang)
      await new Promise((_, reject) => init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
    return new Response(null, { status: 204 });
  }) as typeof fetch;
  return { fetch: f, calls };
}

/** Sessions and their tenants (a session created without a tenant is `default`'s); others are unknown. */
const SESSIONS: Record<string, string> = { sA: 'acme', sB: 'beta', sG: 'gamma', sD: 'default' };
const base = (over: Partial<TenantWebhookRouterOptions> = {}): TenantWebhookRouterOptions => ({
  endpoints: [{ url: 'https://host.example/h', secret: HOST }],
  tenants: new Map<string, readonly WebhookEndpoint[]>([
    ['acme', [{ url: 'https://ehr.acme.example/h?src=alcove', secret: ACME }]],
    ['beta', [{ url: 'https://beta.example/h', secret: BETA }]],
    ['gamma', []],
  ]),
  tenantOf: (sid) => SESSIONS[sid],
  ...over,
});
const verifies = (call: Call | undefined, secret: string | readonly string[]): boolean => {
  try {
    verifyWebhook({ body: call?.body ?? '', header: call?.signature, secret });
    return true;
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookVerificationError);
    return false;
  }
};

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('TenantWebhookRouter', () => {
  it("sends a tenant's events only to its own receivers, signed with its own secrets; the others' to the deployment-level ones", async () => {
    const { fetch, calls } = recorder();
    const hooks = await TenantWebhookRouter.open(base({ fetch }));
    expect(hooks.tenants).toEqual(['acme', 'beta']);
    for (const sessionId of ['sA', 'sB', 'sG', 'sD']) hooks.emit('session.created', { sessionId });
    // A session nobody knows (one forgotten since) might be a tenant's: dropped, not sent to the deployment.
    expect(hooks.emit('session.ended', { sessionId: 'forgotten', reason: 'admin' })).toBeUndefined();
    await hooks.idle();
    const to = (url: string): string[] => calls.filter((c) => c.url === url).map((c) => JSON.parse(c.body).data.sessionId);
    expect(to('https://ehr.acme.example/h?src=alcove')).toEqual(['sA']);
    expect(to('https://beta.example/h')).toEqual(['sB']);
    // gamma (listed without receivers) and default: the deployment's.
    expect(to('https://host.example/h').sort()).toEqual(['sD', 'sG']);
    expect(calls).toHaveLength(4);
    const acme = calls.find((c) => c.url.startsWith('https://ehr.acme'));
    // While acme rotates, each delivery carries one signature per secret: the old one alone verifies.
    expect(acme?.signature.match(/v1=/g)).toHaveLength(2);
    expect(verifies(acme, ACME[1] as string)).toBe(true);
    expect(verifies(acme, BETA)).toBe(false);
    expect(verifies(acme, HOST)).toBe(false);
    const beta = calls.find((c) => c.url === 'https://beta.example/h');
    expect(verifies(beta, BETA)).toBe(true);
    expect(verifies(beta, ACME)).toBe(false);
    expect(verifies(beta, HOST)).toBe(false);
    for (const c of calls.filter((x) => x.url === 'https://host.example/h')) expect(verifies(c, [...ACME, BETA])).toBe(false);
    await hooks.close();
    // After close nothing is queued.
    expect(hooks.emit('session.created', { sessionId: 'sA' })).toBeUndefined();
  });

  it('without any tenant receivers, sends every event to the deployment-level ones, unknown sessions included (as before)', async () => {
    const { fetch, calls } = recorder();
    const hooks = await TenantWebhookRouter.open(base({ fetch, tenants: new Map() }));
    for (const sessionId of ['sA', 'sB', 'forgotten']) hooks.emit('session.created', { sessionId });
    await hooks.idle();
    expect(calls.map((c) => c.url)).toEqual(Array(3).fill('https://host.example/h'));
    await hooks.close();
  });

  it('drops the events of tenants without receivers when there are no deployment-level ones', async () => {
    const { fetch, calls } = recorder();
    const hooks = await TenantWebhookRouter.open(base({ fetch, endpoints: [] }));
    expect(hooks.emit('session.created', { sessionId: 'sG' })).toBeUndefined();
    expect(hooks.emit('session.created', { sessionId: 'sA' })).toMatch(/^evt_/);
    await hooks.idle();
    expect(calls.map((c) => c.url)).toEqual(['https://ehr.acme.example/h?src=alcove']);
    await hooks.close();
  });

  it('shows each tenant only its own deliveries, and those to the deployment-level receivers of sessions it can see', async () => {
    const { fetch } = recorder();
    const hooks = await TenantWebhookRouter.open(base({ fetch }));
    hooks.emit('session.created', { sessionId: 'sD' });
    hooks.emit('session.created', { sessionId: 'sA' });
    hooks.emit('session.locked', { sessionId: 'sA' });
    hooks.emit('session.created', { sessionId: 'sB' });
    hooks.emit('session.created', { sessionId: 'sG' });
    await hooks.idle();
    // The admin API's rule: a session is visible to its tenant (and a tenantless one to all).
    const visibleTo = (tenant: string) => (sid: string) => SESSIONS[sid] === tenant;
    const view = (tenant: string) => hooks.deliveries(tenant, visibleTo(tenant)).map((d) => `${d.endpointScope}:${d.type}:${d.sessionId}`);
    expect(view('acme')).toEqual(['tenant:session.locked:sA', 'tenant:session.created:sA']);
    expect(view('beta')).toEqual(['tenant:session.created:sB']);
    expect(view('gamma')).toEqual(['deployment:session.created:sG']);
    expect(view('default')).toEqual(['deployment:session.created:sD']);
    for (const d of hooks.deliveries('acme', visibleTo('acme'))) expect(d).toMatchObject({ outcome: 'delivered', endpointIndex: 0 });
    await hooks.close();
  });

  it("refuses a tenant's bad receiver with a typed error naming the tenant, never the URL or the secret; same private-network policy", async () => {
    const bad = async (eps: WebhookEndpoint[], allowPrivateNetworks = false): Promise<WebhookConfigError> => {
      const e = await TenantWebhookRouter.open(base({ tenants: new Map([['acme', eps]]), allowPrivateNetworks })).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(WebhookConfigError);
      return e as WebhookConfigError;
    };
    const short = await bad([{ url: 'https://ehr.example/h', secret: 'short-secret' }]);
    expect(short.message).toMatch(/^Tenant acme: A webhook secret must be at least 16/);
    expect(short.message).not.toContain('short-secret');
    expect((await bad([{ url: 'not a url', secret: BETA }])).message).toMatch(/^Tenant acme: .*not a valid URL/);
    expect((await bad([{ url: 'http://ehr.example/h', secret: BETA }])).message).toMatch(/must use https/);
    for (const url of ['http://127.0.0.1:9/h?k=secret-query', 'https://10.0.0.5/h', 'https://169.254.169.254/latest']) {
      const e = await bad([{ url, secret: BETA }]);
      expect(e.message).toMatch(/^Tenant acme: .*private/);
      expect(e.message).not.toContain('secret-query');
      expect(e.message).not.toContain(new URL(url).hostname);
    }
    const ok = await TenantWebhookRouter.open(
      base({ tenants: new Map([['acme', [{ url: 'http://127.0.0.1:9/h', secret: BETA }]]]), allowPrivateNetworks: true }),
    );
    await ok.close();
    const badId = await TenantWebhookRouter.open(base({ tenants: new Map([['a/b', []]]) })).catch((x: unknown) => x);
    expect(badId).toBeInstanceOf(WebhookConfigError);
  });

  it("keeps one outbox per tenant: after a restart each unfinished event is replayed to its own tenant's receiver with its own secret", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'alcove-tenant-hooks-'));
    dirs.push(dataDir);
    // Both tenants point at the same URL (with different secrets): the outbox must still tell them apart.
    const shared = 'https://shared.example/h';
    const tenants = new Map<string, readonly WebhookEndpoint[]>([
      ['acme', [{ url: shared, secret: ACME }]],
      ['beta', [{ url: shared, secret: BETA }]],
    ]);
    const lines: string[] = [];
    const logger = createLogger({ level: 'debug', sink: (l) => lines.push(l) });
    const first = recorder(true);
    const before = await TenantWebhookRouter.open(base({ fetch: first.fetch, tenants, logger }), dataDir);
    const a = before.emit('session.created', { sessionId: 'sA' });
    const b = before.emit('session.created', { sessionId: 'sB' });
    const h = before.emit('session.created', { sessionId: 'sG' });
    expect(before.pending).toBe(3);
    await before.close({ timeoutMs: 0 });
    for (const f of [join(dataDir, 'webhooks.outbox'), tenantOutboxFile(dataDir, 'acme'), tenantOutboxFile(dataDir, 'beta')])
      expect(existsSync(f), f).toBe(true);

    const second = recorder();
    const after = await TenantWebhookRouter.open(base({ fetch: second.fetch, tenants, logger }), dataDir);
    await after.idle();
    const byId = new Map(second.calls.map((c) => [JSON.parse(c.body).id as string, c]));
    expect([...byId.keys()].sort()).toEqual([a, b, h].sort());
    expect(verifies(byId.get(a as string), ACME)).toBe(true);
    expect(verifies(byId.get(a as string), BETA)).toBe(false);
    expect(verifies(byId.get(b as string), BETA)).toBe(true);
    expect(verifies(byId.get(b as string), ACME)).toBe(false);
    expect(byId.get(h as string)?.url).toBe('https://host.example/h');
    await after.close();
    // The log says which list, never the tenant's URL, its query string or a secret.
    const log = lines.join('\n');
    expect(log).toContain('"webhookScope":"tenant"');
    for (const s of ['shared.example', 'src=alcove', ...ACME, BETA, HOST]) expect(log).not.toContain(s);
  });
});
