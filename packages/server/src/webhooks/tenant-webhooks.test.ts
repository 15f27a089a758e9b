/**
 * End to end, through the CLI's configuration: a real server (fake media engine) configured from a
 * tenants file with two tenants, each with its own webhook receiver and secrets, and a
 * deployment-level receiver. Three real HTTP receivers on 127.0.0.1 check that each receives only
 * its tenant's events, signed with its own secret, and the admin API's delivery log shows each
 * tenant only its own deliveries.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@alcove/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlcoveAdminClient } from '../client/index.js';
import { loadConfig } from '../config/load-config.js';
import { createLogger } from '../logger.js';
import { FakeMediaEngine } from '../media/fake-engine.js';
import { createAlcoveServer, type AlcoveServer } from '../server.js';
import { serverOptionsFromConfig } from '../server-options.js';
import { TestClient } from '../signaling/testing/ws-test-client.js';
import { WebhookVerificationError } from './errors.js';
import { verifyWebhook } from './signature.js';
import type { WebhookEvent } from './types.js';

const ACME_KEY = 'ak_acme_0123456789abcdef';
const BETA_KEY = 'ak_beta_0123456789abcdef';
const HOST_KEY = 'ak_host_0123456789abcdef';
/** acme is rotating: the new secret signs, the old one still verifies. */
const ACME_HOOK = ['acme-hook-new-0123456789', 'acme-hook-old-0123456789'];
const BETA_HOOK = 'beta-hook-secret-0123456789';
const HOST_HOOK = 'host-hook-secret-0123456789';
/** A marker in the receivers' query strings: it must never reach a log line. */
const QUERY_MARK = 'q-marker-7f3a';

interface Receiver {
  readonly server: Server;
  readonly url: string;
  /** Bodies and signature headers, in arrival order. */
  readonly got: Array<{ body: string; signature: string; path: string }>;
}

async function startReceiver(name: string): Promise<Receiver> {
  const got: Receiver['got'] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      got.push({ body: Buffer.concat(chunks).toString('utf8'), signature: String(req.headers['alcove-signature']), path: req.url ?? '' });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, got, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/${name}?k=${QUERY_MARK}` };
}

const verifiesWith = (r: { body: string; signature: string }, secret: string | readonly string[]): boolean => {
  try {
    verifyWebhook({ body: r.body, header: r.signature, secret });
    return true;
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookVerificationError);
    return false;
  }
};

let dir: string;
let server: AlcoveServer;
let acmeRx: Receiver;
let betaRx: Receiver;
let hostRx: Receiver;
const logLines: string[] = [];
const clients: TestClient[] = [];

beforeAll(async () => {
  [acmeRx, betaRx, hostRx] = await Promise.all([startReceiver('acme'), startReceiver('beta'), startReceiver('host')]);
  dir = mkdtempSync(join(tmpdir(), 'alcove-tenant-webhooks-'));
  const file = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text, { mode: 0o600 });
    return p;
  };
  const tenants = file(
    'tenants',
    [
      '# tenant  field                value',
      `acme      token-secret         acme-token-secret-0123456789abcdef0123`,
      `acme      api-key              ${ACME_KEY}`,
      `acme      webhook-url          ${acmeRx.url}`,
      `acme      webhook-secret-file  ${file('acme-hooks', `${ACME_HOOK.join('\n')}\n`)}`,
      `beta      token-secret         beta-token-secret-0123456789abcdef01234`,
      `beta      api-key              ${BETA_KEY}`,
      `beta      webhook-url          ${betaRx.url}`,
      `beta      webhook-secret       ${BETA_HOOK}`,
    ].join('\n'),
  );
  const config = loadConfig(
    [
      '--port',
      '0',
      '--data-dir',
      join(dir, 'data'),
      '--tenants-file',
      tenants,
      '--token-secret-file',
      file('token', 'host-token-secret-0123456789abcdef012345\n'),
      '--api-key-file',
      file('keys', `${HOST_KEY}\n`),
      '--webhook-url',
      hostRx.url,
      '--webhook-secret-file',
      file('host-hooks', `${HOST_HOOK}\n`),
      // The receivers are on loopback: the test opts in, for the tenants' URLs as for the deployment's.
      '--webhook-allow-private-networks',
    ],
    {},
  );
  const engine = new FakeMediaEngine();
  server = await createAlcoveServer({
    ...serverOptionsFromConfig(config),
    rtc: {},
    createWorker: engine.createWorker,
    logger: createLogger({ level: 'debug', sink: (line) => logLines.push(line) }),
  });
  await server.start();
});

afterAll(async () => {
  for (const c of clients) c.drop();
  await server?.close();
  await Promise.all([acmeRx, betaRx, hostRx].map((r) => new Promise((done) => r?.server.close(done))));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('per-tenant webhooks, end to end', () => {
  it("delivers each tenant's events only to its own receiver, signed with its own secret; the delivery log is scoped per tenant", async () => {
    const admin = (apiKey: string) => new AlcoveAdminClient({ baseUrl: server.url as string, apiKey });
    const acme = admin(ACME_KEY);
    const beta = admin(BETA_KEY);
    const host = admin(HOST_KEY);
    const sA = await acme.createSession({ waitingRoom: false });
    const sB = await beta.createSession();
    const sH = await host.createSession();
    await acme.lockSession(sA.id);
    await beta.lockSession(sB.id);
    await host.lockSession(sH.id);
    // A live event too (emitted by the room, not the admin route): acme's host joins.
    await acme.unlockSession(sA.id);
    const { token } = await acme.mintToken(sA.id, { participantId: 'host', role: 'host', displayName: 'H' });
    const c = await TestClient.connect(server.wsUrl as string);
    clients.push(c);
    await c.call('session.join', { token, e2ee: true });

    const types = (r: Receiver): string[] => r.got.map((x) => (JSON.parse(x.body) as WebhookEvent).type).sort();
    await waitFor(
      'acme receives its four events',
      () => types(acmeRx),
      (t) => t.length >= 4,
    );
    await waitFor(
      'beta and the host receive theirs',
      () => Math.min(betaRx.got.length, hostRx.got.length),
      (n) => n >= 2,
    );
    expect(types(acmeRx)).toEqual(['participant.joined', 'session.created', 'session.locked', 'session.unlocked']);
    expect(types(betaRx)).toEqual(['session.created', 'session.locked']);
    expect(types(hostRx)).toEqual(['session.created', 'session.locked']);

    const sessionsOf = (r: Receiver): Set<string> =>
      new Set(r.got.map((x) => (JSON.parse(x.body) as WebhookEvent<'session.created'>).data.sessionId));
    expect(sessionsOf(acmeRx)).toEqual(new Set([sA.id]));
    expect(sessionsOf(betaRx)).toEqual(new Set([sB.id]));
    expect(sessionsOf(hostRx)).toEqual(new Set([sH.id]));
    for (const r of acmeRx.got) {
      expect(r.path).toBe(`/acme?k=${QUERY_MARK}`);
      // One signature per secret while acme rotates: a receiver holding only the old one accepts it.
      expect(r.signature.match(/v1=/g)).toHaveLength(2);
      expect(verifiesWith(r, ACME_HOOK[0] as string)).toBe(true);
      expect(verifiesWith(r, ACME_HOOK[1] as string)).toBe(true);
      expect(verifiesWith(r, [BETA_HOOK, HOST_HOOK])).toBe(false);
    }
    for (const r of betaRx.got) {
      expect(verifiesWith(r, BETA_HOOK)).toBe(true);
      expect(verifiesWith(r, [...ACME_HOOK, HOST_HOOK])).toBe(false);
    }
    for (const r of hostRx.got) {
      expect(verifiesWith(r, HOST_HOOK)).toBe(true);
      expect(verifiesWith(r, [...ACME_HOOK, BETA_HOOK])).toBe(false);
    }

    // The delivery log: each tenant sees exactly the deliveries its receiver got, and nothing else.
    const idsOf = (r: Receiver): string[] => r.got.map((x) => (JSON.parse(x.body) as WebhookEvent).id).sort();
    const log = async (client: AlcoveAdminClient) =>
      waitFor(
        'every delivery finished',
        async () => (await client.webhookDeliveries({ limit: 100 })).deliveries,
        (ds) => ds.length > 0 && ds.every((d) => d.outcome === 'delivered'),
      );
    const acmeLog = await log(acme);
    expect(acmeLog.map((d) => d.eventId).sort()).toEqual(idsOf(acmeRx));
    expect(acmeLog.every((d) => d.sessionId === sA.id && d.endpointScope === 'tenant' && d.endpointIndex === 0)).toBe(true);
    const betaLog = await log(beta);
    expect(betaLog.map((d) => d.eventId).sort()).toEqual(idsOf(betaRx));
    expect(betaLog.every((d) => d.sessionId === sB.id && d.endpointScope === 'tenant')).toBe(true);
    const hostLog = await log(host);
    expect(hostLog.map((d) => d.eventId).sort()).toEqual(idsOf(hostRx));
    expect(hostLog.every((d) => d.sessionId === sH.id && d.endpointScope === 'deployment')).toBe(true);
    // Asking for another tenant's session shows nothing; paging stays within one's own.
    expect((await beta.webhookDeliveries({ sessionId: sA.id })).deliveries).toEqual([]);
    expect((await host.webhookDeliveries({ sessionId: sB.id })).deliveries).toEqual([]);
    const first = await acme.webhookDeliveries({ limit: 2 });
    const rest = await acme.webhookDeliveries({ limit: 100, cursor: first.nextCursor as string });
    expect([...first.deliveries, ...rest.deliveries].map((d) => d.eventId).sort()).toEqual(idsOf(acmeRx));

    // No log line carries a receiver's URL, its query string or a webhook secret.
    const text = logLines.join('\n');
    expect(text).toContain('webhook.delivered');
    for (const s of [QUERY_MARK, '/acme?', '/beta?', ...ACME_HOOK, BETA_HOOK, HOST_HOOK]) expect(text).not.toContain(s);
  });
});
