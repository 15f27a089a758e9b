import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../audit/audit-log.js';
import { verifyAuditFile } from '../audit/verify.js';
import { ResumeTicketStore } from '../auth/tickets.js';
import { createJoinTokenSigner, createJoinTokenVerifier } from '../auth/tokens.js';
import { AdminApiError, AlcoveAdminClient } from '../client/index.js';
import { createLogger } from '../logger.js';
import { SessionRegistry } from '../sessions/registry.js';
import { createAdminHandler } from './admin-handler.js';

const KEY_A = `key_a_${randomBytes(16).toString('hex')}`;
const KEY_A2 = `key_a2_${randomBytes(16).toString('hex')}`;
const KEY_B = `key_b_${randomBytes(16).toString('hex')}`;
const SECRET = randomBytes(32);
const LIMIT = 4096;
const CANARY_NAME = 'Canary Person Xq';

const dir = mkdtempSync(join(tmpdir(), 'alcove-admin-'));
let server: Server;
let base: string;
let registry: SessionRegistry;
let audit: AuditLog;
const tickets = new ResumeTicketStore();
const ended: string[] = [];
const logLines: string[] = [];
const verify = createJoinTokenVerifier({ hs256Secret: SECRET });

beforeAll(async () => {
  registry = SessionRegistry.open({ dataDir: dir });
  audit = await AuditLog.open(join(dir, 'audit.log'), { pseudonymKey: randomBytes(32) });
  const handler = createAdminHandler({
    registry,
    apiKeys: [KEY_A, { key: KEY_A2, tenant: 'default' }, { key: KEY_B, tenant: 'other-practice' }],
    tokenSigner: createJoinTokenSigner({ hs256Secret: SECRET, maxTtlS: 7200 }),
    audit,
    tickets,
    bodyLimitBytes: LIMIT,
    authFailuresPerMinute: 1000,
    logger: createLogger({ level: 'debug', sink: (l) => logLines.push(l) }),
    // The live side as far as these handler tests need it (the real rooms are exercised in admin-api.test.ts).
    live: {
      participants: () => [{ id: 'host-1', role: 'host', state: 'admitted', connected: true, since: 0 }],
      admit: () => {},
      deny: () => {},
      remove: () => false,
      requestMute: () => {},
      setLocked: () => false,
      setScreenShare: () => {},
      end: (id) => void ended.push(id),
    },
  });
  server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((r) => server.close(r));
  await audit.close();
  rmSync(dir, { recursive: true, force: true });
});

const call = async (
  method: string,
  path: string,
  opts: { key?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; json: any; headers: Headers }> => {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(opts.key ? { authorization: `Bearer ${opts.key}` } : {}),
      ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...opts.headers,
    },
    ...(opts.body !== undefined ? { body: opts.body } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined, headers: res.headers };
};

const ROUTES = (id: string): Array<[string, string]> => [
  ['POST', '/v1/sessions'],
  ['GET', `/v1/sessions/${id}`],
  ['POST', `/v1/sessions/${id}/end`],
  ['POST', `/v1/sessions/${id}/tokens`],
  ['GET', `/v1/sessions/${id}/participants`],
  ['GET', '/v1/nope'],
];

describe('admin API auth failure limit', () => {
  it('answers 429 to bad keys after too many failures from one address, for a minute, but never to a valid key', async () => {
    let t = 0;
    const handler = createAdminHandler({ registry: SessionRegistry.open(), apiKeys: [KEY_A], authFailuresPerMinute: 3, now: () => t });
    const srv = createServer((req, res) => void handler(req, res));
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}/v1/sessions`;
    const statuses: number[] = [];
    const post = async (key: string): Promise<number> =>
      (await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${key}` } })).status;
    for (let i = 0; i < 4; i++) statuses.push(await post('wrong-key-0123456789abcdef'));
    statuses.push(await post(KEY_A)); // the right key still works from this address
    statuses.push(await post('wrong-key-0123456789abcdef'));
    t = 60_001;
    statuses.push(await post('wrong-key-0123456789abcdef'));
    await new Promise((r) => srv.close(r));
    expect(statuses).toEqual([401, 401, 401, 429, 201, 429, 401]);
  });
});

describe('admin API', () => {
  it('health needs no key', async () => {
    const r = await call('GET', '/v1/health');
    expect(r).toMatchObject({ status: 200, json: { status: 'ok' } });
  });

  it('every route without a key, or with a wrong key or scheme → 401', async () => {
    const s = registry.create();
    for (const [m, p] of ROUTES(s.id)) {
      for (const headers of [
        {} as Record<string, string>,
        { authorization: 'Bearer wrong-key-0123456789abcdef' },
        { authorization: `Basic ${KEY_A}` },
        { authorization: KEY_A },
      ]) {
        const r = await call(m, p, { headers, ...(m === 'POST' ? { body: '{}' } : {}) });
        expect(r.status, `${m} ${p} ${JSON.stringify(headers)}`).toBe(401);
        expect(r.json).toEqual({ error: { code: 'UNAUTHENTICATED', message: expect.any(String) } });
      }
    }
  });

  it('every route with a join token as the key → 403', async () => {
    const client = new AlcoveAdminClient({ baseUrl: base, apiKey: KEY_A });
    const s = await client.createSession();
    const { token } = await client.mintToken(s.id, { role: 'host', displayName: 'Dr Who' });
    for (const [m, p] of ROUTES(s.id)) {
      const r = await call(m, p, { key: token, ...(m === 'POST' ? { body: '{}' } : {}) });
      expect(r.status, `${m} ${p}`).toBe(403);
      expect(r.json.error.code).toBe('NOT_ALLOWED');
    }
  });

  it('a body over the limit → 413 on every POST route (declared or streamed)', async () => {
    const s = registry.create();
    const big = JSON.stringify({ policy: {}, pad: 'x'.repeat(LIMIT) });
    for (const p of ['/v1/sessions', `/v1/sessions/${s.id}/end`, `/v1/sessions/${s.id}/tokens`]) {
      const r = await call('POST', p, { key: KEY_A, body: big });
      expect(r.status, p).toBe(413);
      expect(r.json.error.code).toBe('MESSAGE_TOO_LARGE');
    }
    // Chunked upload without content-length.
    const stream = new ReadableStream({
      start(c) {
        for (let i = 0; i < 8; i++) c.enqueue(new TextEncoder().encode('x'.repeat(1024)));
        c.close();
      },
    });
    const res = await fetch(`${base}/v1/sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY_A}`, 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    expect(registry.get(s.id)?.state).toBe('open');
  });

  it('an unknown session and a session of another tenant answer identically', async () => {
    const mine = await new AlcoveAdminClient({ baseUrl: base, apiKey: KEY_B }).createSession();
    const unknown = randomBytes(16).toString('base64url');
    for (const [m, suffix] of [
      ['GET', ''],
      ['POST', '/end'],
      ['POST', '/tokens'],
      ['GET', '/participants'],
    ] as const) {
      const body = m === 'POST' ? JSON.stringify({ role: 'client', displayName: 'X' }) : undefined;
      const a = await call(m, `/v1/sessions/${mine.id}${suffix}`, { key: KEY_A, ...(body ? { body } : {}) });
      const b = await call(m, `/v1/sessions/${unknown}${suffix}`, { key: KEY_A, ...(body ? { body } : {}) });
      const c = await call(m, `/v1/sessions/not%20an%20id${suffix}`, { key: KEY_A, ...(body ? { body } : {}) });
      expect(a.status).toBe(404);
      expect(a.json).toEqual({ error: { code: 'SESSION_NOT_FOUND', message: 'No such session.' } });
      expect(b).toEqual({ ...a, headers: b.headers });
      expect(c.json).toEqual(a.json);
      const strip = (h: Headers): string[] => [...h].filter(([k]) => k !== 'date').map(([k, v]) => `${k}:${v}`);
      expect(strip(a.headers)).toEqual(strip(b.headers));
    }
    expect(registry.get(mine.id)?.state).toBe('open'); // not ended by the other tenant
    // The owner sees it; a second key of the same tenant does too.
    expect((await new AlcoveAdminClient({ baseUrl: base, apiKey: KEY_B }).getSession(mine.id)).id).toBe(mine.id);
  });

  it('happy path through AlcoveAdminClient: create, get, mint, participants, end', async () => {
    const client = new AlcoveAdminClient({ baseUrl: base, apiKey: KEY_A });
    expect(await client.health()).toEqual({ status: 'ok' });
    const s = await client.createSession({ maxParticipants: 2, jurisdictions: ['US-CA'], checklist: { steps: ['camera', 'location'] } });
    expect(s).toMatchObject({
      state: 'open',
      locked: false,
      policy: { waitingRoom: true, e2eeRequired: true, recording: false, maxParticipants: 2, jurisdictions: ['US-CA'] },
    });
    expect(await new AlcoveAdminClient({ baseUrl: base, apiKey: KEY_A2 }).getSession(s.id)).toEqual(s);

    const host = await client.mintToken(s.id, { participantId: 'host-1', role: 'host', displayName: 'Dr Rivera', ttlS: 600 });
    const guest = await client.mintToken(s.id, { role: 'client', displayName: CANARY_NAME });
    const noshow = await client.mintToken(s.id, { role: 'co-client', displayName: 'Sam' });
    const hc = await verify(host.token);
    expect(hc).toMatchObject({ sid: s.id, pid: 'host-1', role: 'host', name: 'Dr Rivera' });
    expect(hc.exp - hc.iat).toBe(600);
    expect(host.expiresAt).toBe(hc.exp);
    const gc = await verify(guest.token);
    expect(gc).toMatchObject({ pid: guest.participantId, role: 'client', name: CANARY_NAME });
    expect(gc.exp - gc.iat).toBe(3600);

    registry.recordAttendance(s.id, 'host-1', 'joined', 1000);
    registry.recordAttendance(s.id, guest.participantId, 'waiting', 1100);
    registry.recordAttendance(s.id, guest.participantId, 'admitted', 1200);
    registry.recordAttendance(s.id, guest.participantId, 'reconnected', 1300);
    registry.recordAttendance(s.id, guest.participantId, 'left', 1400);
    const { participants } = await client.participants(s.id);
    const byId = new Map(participants.map((p) => [p.participantId, p]));
    expect(byId.get('host-1')).toMatchObject({
      role: 'host',
      neverJoined: false,
      firstJoinedAt: 1000,
      status: 'admitted',
      connected: true,
    });
    expect(byId.get(guest.participantId)).toMatchObject({ role: 'client', firstJoinedAt: 1200, lastLeftAt: 1400, reconnects: 1 });
    expect(byId.get(noshow.participantId)).toMatchObject({ role: 'co-client', neverJoined: true });
    expect(JSON.stringify(participants)).not.toContain(CANARY_NAME);

    const ticket = tickets.issue(s.id, guest.participantId);
    const e = await client.endSession(s.id, 'admin');
    expect(e).toMatchObject({ state: 'ended', endReason: 'admin' });
    expect(ended).toContain(s.id);
    expect(tickets.redeem(ticket)).toBeUndefined();
    expect((await client.endSession(s.id)).endReason).toBe('admin'); // idempotent
    await expect(client.mintToken(s.id, { role: 'client', displayName: 'Late' })).rejects.toMatchObject({
      status: 409,
      code: 'SESSION_ENDED',
    });

    // The audit trail verifies and carries no names or tokens; logs carry no names or tokens either.
    await audit.flush();
    expect((await verifyAuditFile(join(dir, 'audit.log'))).ok).toBe(true);
    const auditText = readFileSync(join(dir, 'audit.log'), 'utf8');
    const logText = logLines.join('\n');
    for (const secret of [CANARY_NAME, 'Dr Rivera', host.token, guest.token, KEY_A, 'host-1']) {
      expect(auditText).not.toContain(secret);
      expect(logText).not.toContain(secret);
    }
    expect(auditText).toContain('"type":"admin.tokenMinted"');
    expect(auditText).toContain('"type":"session.ended"');
  });

  it('validates inputs: policy, mint body, content type, JSON, methods, barred participants', async () => {
    const client = new AlcoveAdminClient({ baseUrl: base, apiKey: KEY_A });
    await expect(client.createSession({ maxParticipants: 101 })).rejects.toMatchObject({ status: 400, code: 'INVALID_POLICY' });
    await expect(client.createSession({ recording: true as never })).rejects.toMatchObject({ status: 400, code: 'INVALID_POLICY' });
    const s = await client.createSession();
    for (const bad of [
      { role: 'admin', displayName: 'x' },
      { role: 'client', displayName: '' },
      { role: 'client', displayName: 'a\u0000b' },
      { role: 'client', displayName: 'x', ttlS: 7201 },
      { role: 'client', displayName: 'x', participantId: 'a b' },
      { role: 'client', displayName: 'x', extra: 1 },
    ]) {
      await expect(client.mintToken(s.id, bad as never)).rejects.toMatchObject({ status: 400, code: 'INVALID_MESSAGE' });
    }
    registry.markRemoved(s.id, 'guardian-2');
    await expect(client.mintToken(s.id, { participantId: 'guardian-2', role: 'guardian', displayName: 'G' })).rejects.toMatchObject({
      status: 409,
      code: 'REMOVED',
    });
    expect((await call('POST', '/v1/sessions', { key: KEY_A, body: '{"policy":' })).json.error.code).toBe('INVALID_JSON');
    expect((await call('POST', '/v1/sessions', { key: KEY_A, body: '{"__proto__":{}}' })).json.error.code).toBe('INVALID_JSON');
    expect((await call('POST', '/v1/sessions', { key: KEY_A, body: '{}', headers: { 'content-type': 'text/plain' } })).status).toBe(415);
    expect((await call('DELETE', `/v1/sessions/${s.id}`, { key: KEY_A })).status).toBe(405);
    expect((await call('PUT', '/v1/sessions', { key: KEY_A })).status).toBe(405);
    const r = await call('GET', `/v1/sessions/${s.id}`, { key: KEY_A, headers: { origin: 'https://evil.example' } });
    expect([...r.headers.keys()].filter((k) => k.startsWith('access-control'))).toEqual([]);
    expect(r.headers.get('cache-control')).toBe('no-store');
    const err = await new AlcoveAdminClient({ baseUrl: base, apiKey: 'not-a-valid-key-123456' }).getSession(s.id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AdminApiError);
    expect(err).toMatchObject({ status: 401, code: 'UNAUTHENTICATED' });
  });
});
