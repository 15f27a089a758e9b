/**
 * The admin API v1 against the real server (real HTTP, real WebSocket participants, the fake media
 * engine): every route's success, auth failures, validation failures and paging; idempotent create;
 * token revocation refused at join; every admin action in the audit trail; the webhook delivery log.
 * Every 2xx answer is checked against its route's response schema (the one the OpenAPI document is
 * generated from).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as v from 'valibot';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminApiError, AlcoveAdminClient } from '../client/index.js';
import { startTestServer, type TestServer } from '../signaling/testing/harness.js';
import type { TestClient } from '../signaling/testing/ws-test-client.js';
import { ADMIN_ROUTES, type AdminRoute } from './routes.js';
import { WEBHOOK_DATA_SCHEMAS } from './schemas.js';

const KEY = 'test-api-key-0123456789abcdef';
const OTHER_KEY = 'other-tenant-key-0123456789abcdef';
const HOOK_SECRET = 'webhook-secret-0123456789abcdef';

let ts: TestServer;
let hooks: Server;
const received: string[] = [];
/** Operation ids answered 2xx, and 2xx answers that did not match their schema. */
const succeeded = new Set<string>();
const schemaFailures: string[] = [];

function routeOf(method: string, pathname: string): AdminRoute | undefined {
  const segs = pathname.split('/');
  return ADMIN_ROUTES.find((r) => {
    const t = r.path.split('/');
    return r.method === method && t.length === segs.length && t.every((s, i) => s.startsWith('{') || s === segs[i]);
  });
}

/** A fetch that checks every successful answer against its route's response schema. */
const checkingFetch: typeof fetch = async (input, init) => {
  const res = await fetch(input, init);
  const url = new URL(String(input));
  const route = routeOf(init?.method ?? 'GET', url.pathname);
  if (res.ok && route) {
    const body = await res.clone().json();
    succeeded.add(route.operationId);
    if (route.operationId !== 'openapi') {
      const r = v.safeParse(route.success.schema, body);
      if (!r.success)
        schemaFailures.push(`${route.operationId}: ${JSON.stringify(r.issues[0]?.path?.map((p) => p.key))} ${r.issues[0]?.message}`);
    }
    if (res.status !== route.success.status) schemaFailures.push(`${route.operationId}: status ${res.status}`);
  }
  return res;
};

let admin: AlcoveAdminClient;

beforeAll(async () => {
  hooks = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
  ts = await startTestServer({
    apiKeys: [KEY, { key: OTHER_KEY, tenant: 'other' }],
    webhooks: {
      endpoints: [{ url: `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/hooks`, secret: HOOK_SECRET }],
      // The receiver is on loopback: the test opts in explicitly.
      allowPrivateNetworks: true,
    },
  });
  admin = new AlcoveAdminClient({ baseUrl: ts.server.url as string, apiKey: KEY, fetch: checkingFetch });
});

afterAll(async () => {
  await ts?.close();
  await new Promise((r) => hooks?.close(r));
});

const raw = async (method: string, path: string, init: { key?: string; body?: string; headers?: Record<string, string> } = {}) => {
  const res = await fetch(`${ts.server.url}${path}`, {
    method,
    headers: {
      ...(init.key !== undefined ? { authorization: `Bearer ${init.key}` } : {}),
      ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...init.headers,
    },
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined, headers: res.headers };
};

/** Joins with a token minted through the API. */
async function joinWith(token: string): Promise<{ client: TestClient; state: string }> {
  const client = await ts.connect();
  const result = await client.call('session.join', { token, e2ee: true });
  return { client, state: result.state };
}

async function joinRefused(token: string): Promise<string> {
  const client = await ts.connect();
  try {
    await client.call('session.join', { token, e2ee: true });
    return 'joined';
  } catch (error) {
    return (error as { code: string }).code;
  } finally {
    client.drop();
  }
}

const fill = (path: string, ids: Record<string, string>): string => path.replace(/\{(\w+)\}/g, (_m, k: string) => ids[k] as string);

describe('admin API v1: auth on every route', () => {
  it('every authenticated route answers 401 without a key or with a wrong one, 403 for a join token, and a public route needs none', async () => {
    const s = await admin.createSession();
    const minted = await admin.mintToken(s.id, { participantId: 'p-auth', role: 'client', displayName: 'A' });
    const ids = { sessionId: s.id, participantId: 'p-auth', tokenId: minted.tokenId };
    let checked = 0;
    for (const route of ADMIN_ROUTES) {
      const path = fill(route.path, ids);
      const body = route.method === 'GET' ? undefined : '{}';
      if (!route.auth) {
        expect((await raw(route.method, path)).status, route.operationId).toBe(200);
        continue;
      }
      for (const key of [undefined, 'wrong-key-0123456789abcdef']) {
        const r = await raw(route.method, path, { ...(key ? { key } : {}), ...(body ? { body } : {}) });
        expect(r.status, `${route.operationId} ${key}`).toBe(401);
        expect(r.json.error.code).toBe('UNAUTHENTICATED');
        expect(r.headers.get('www-authenticate')).toBe('Bearer');
      }
      const r = await raw(route.method, path, { key: minted.token, ...(body ? { body } : {}) });
      expect(r.status, route.operationId).toBe(403);
      expect(r.json.error.code).toBe('NOT_ALLOWED');
      checked++;
    }
    expect(checked).toBe(ADMIN_ROUTES.filter((r) => r.auth).length);
  });

  it("another tenant's key sees none of this tenant's sessions (same 404 as an unknown id)", async () => {
    const s = await admin.createSession();
    const other = new AlcoveAdminClient({ baseUrl: ts.server.url as string, apiKey: OTHER_KEY, fetch: checkingFetch });
    await expect(other.getSession(s.id)).rejects.toMatchObject({ status: 404, code: 'SESSION_NOT_FOUND' });
    await expect(other.lockSession(s.id)).rejects.toMatchObject({ status: 404, code: 'SESSION_NOT_FOUND' });
    const listed = [];
    for await (const x of other.iterateSessions()) listed.push(x.id);
    expect(listed).not.toContain(s.id);
  });
});

describe('admin API v1: validation on every route', () => {
  it('refuses bad bodies, queries and path parameters with 400 and a stable code', async () => {
    const s = await admin.createSession();
    const minted = await admin.mintToken(s.id, { participantId: 'p-val', role: 'client', displayName: 'V' });
    const ids = { sessionId: s.id, participantId: 'p-val', tokenId: minted.tokenId };
    // [operationId, path suffix override or undefined, body, expected code]
    const cases: Array<[string, string | undefined, string | undefined, string]> = [
      ['createSession', undefined, '{"policy":{"maxParticipants":1}}', 'INVALID_POLICY'],
      ['createSession', undefined, '{"policy":{"recording":true}}', 'INVALID_POLICY'],
      ['createSession', undefined, '{"extra":1}', 'INVALID_MESSAGE'],
      ['listSessions', '/v1/sessions?limit=0', undefined, 'INVALID_MESSAGE'],
      ['listSessions', '/v1/sessions?state=maybe', undefined, 'INVALID_MESSAGE'],
      ['listSessions', '/v1/sessions?unknown=1', undefined, 'INVALID_MESSAGE'],
      ['listSessions', '/v1/sessions?cursor=bm9wZQ', undefined, 'INVALID_MESSAGE'],
      ['getSession', `/v1/sessions/${s.id}?x=1`, undefined, 'INVALID_MESSAGE'],
      ['updatePolicy', undefined, '{}', 'INVALID_POLICY'],
      ['updatePolicy', undefined, '{"e2eeRequired":false}', 'INVALID_POLICY'],
      ['updatePolicy', undefined, '{"maxParticipants":1000}', 'INVALID_POLICY'],
      ['endSession', undefined, '{"reason":"not a code"}', 'INVALID_MESSAGE'],
      ['lockSession', undefined, '{"now":true}', 'INVALID_MESSAGE'],
      ['unlockSession', undefined, '[]', 'INVALID_MESSAGE'],
      ['listParticipants', `/v1/sessions/${s.id}/participants?status=gone`, undefined, 'INVALID_MESSAGE'],
      ['getParticipant', `/v1/sessions/${s.id}/participants/not%20an%20id`, undefined, 'INVALID_MESSAGE'],
      ['admitParticipant', undefined, '{"x":1}', 'INVALID_MESSAGE'],
      ['denyParticipant', undefined, '{"x":1}', 'INVALID_MESSAGE'],
      ['removeParticipant', `/v1/sessions/${s.id}/participants/${'x'.repeat(65)}/remove`, '{}', 'INVALID_MESSAGE'],
      ['requestMute', undefined, '{"kind":"screen"}', 'INVALID_MESSAGE'],
      ['revokeParticipantTokens', undefined, '{"all":true}', 'INVALID_MESSAGE'],
      ['mintToken', undefined, '{"role":"admin","displayName":"x"}', 'INVALID_MESSAGE'],
      ['mintToken', undefined, '{"role":"client","displayName":"a\\u0007b"}', 'INVALID_MESSAGE'],
      ['mintToken', undefined, '{"role":"client","displayName":"x","ttlS":999999}', 'INVALID_MESSAGE'],
      ['revokeToken', `/v1/sessions/${s.id}/tokens/not-a-token-id/revoke`, '{}', 'INVALID_MESSAGE'],
      ['attendance', `/v1/sessions/${s.id}/attendance?limit=201`, undefined, 'INVALID_MESSAGE'],
      ['auditEvents', `/v1/sessions/${s.id}/audit?participantId=a%20b`, undefined, 'INVALID_MESSAGE'],
      ['webhookDeliveries', '/v1/webhooks/deliveries?outcome=lost', undefined, 'INVALID_MESSAGE'],
    ];
    for (const [op, override, body, code] of cases) {
      const route = ADMIN_ROUTES.find((r) => r.operationId === op) as AdminRoute;
      const r = await raw(route.method, override ?? fill(route.path, ids), { key: KEY, ...(body !== undefined ? { body } : {}) });
      expect(r.status, `${op} ${override ?? ''} ${body ?? ''}`).toBe(400);
      expect(r.json.error.code, `${op} ${body ?? ''}`).toBe(code);
      expect(typeof r.json.error.message).toBe('string');
    }
    // Every route that takes parameters, a query or a body has a validation case.
    const covered = new Set(cases.map((c) => c[0]));
    const needing = ADMIN_ROUTES.filter((r) => r.auth && (r.body || r.query || r.params)).map((r) => r.operationId);
    expect(needing.filter((op) => !covered.has(op))).toEqual([]);
    // Nothing was created or changed by the refused calls.
    expect((await admin.getSession(s.id)).policy.maxParticipants).toBe(6);
    // Content type, JSON, size, method.
    expect((await raw('POST', '/v1/sessions', { key: KEY, body: '{}', headers: { 'content-type': 'text/plain' } })).json.error.code).toBe(
      'UNSUPPORTED_MEDIA_TYPE',
    );
    expect((await raw('POST', '/v1/sessions', { key: KEY, body: '{"policy":' })).json.error.code).toBe('INVALID_JSON');
    expect((await raw('POST', '/v1/sessions', { key: KEY, body: JSON.stringify({ pad: 'x'.repeat(70_000) }) })).status).toBe(413);
    const m = await raw('DELETE', `/v1/sessions/${s.id}`, { key: KEY });
    expect(m.status).toBe(405);
    expect(m.headers.get('allow')).toBe('GET');
    expect((await raw('GET', '/v1/nothing-here', { key: KEY })).json.error.code).toBe('NOT_FOUND');
  });
});

describe('admin API v1: sessions', () => {
  it('creates idempotently with an Idempotency-Key: a retry returns the first session, another body conflicts', async () => {
    const key = `appointment-${Date.now()}`;
    const before = ts.server.registry.size;
    const a = await admin.createSession({ maxParticipants: 3 }, { idempotencyKey: key });
    const b = await admin.createSession({ maxParticipants: 3 }, { idempotencyKey: key });
    expect(b).toEqual(a);
    expect(ts.server.registry.size).toBe(before + 1);
    const replay = await raw('POST', '/v1/sessions', {
      key: KEY,
      body: JSON.stringify({ policy: { maxParticipants: 3 } }),
      headers: { 'idempotency-key': key },
    });
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.json.session.id).toBe(a.id);
    await expect(admin.createSession({ maxParticipants: 4 }, { idempotencyKey: key })).rejects.toMatchObject({
      status: 409,
      code: 'IDEMPOTENCY_CONFLICT',
    });
    // The same key from another tenant is another key.
    const other = new AlcoveAdminClient({ baseUrl: ts.server.url as string, apiKey: OTHER_KEY });
    expect((await other.createSession({ maxParticipants: 3 }, { idempotencyKey: key })).id).not.toBe(a.id);
    // Without a key, two calls are two sessions.
    expect((await admin.createSession()).id).not.toBe((await admin.createSession()).id);
    const bad = await raw('POST', '/v1/sessions', { key: KEY, body: '{}', headers: { 'idempotency-key': 'has space' } });
    expect(bad.json.error.code).toBe('INVALID_MESSAGE');
  });

  it('lists with filters and cursor paging (newest first, every session once)', async () => {
    const since = Date.now();
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push((await admin.createSession()).id);
    await admin.endSession(made[0] as string, 'cancelled');
    await admin.lockSession(made[1] as string);
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await admin.listSessions({ createdAfter: since, limit: 2, ...(cursor ? { cursor } : {}) });
      expect(page.sessions.length).toBeLessThanOrEqual(2);
      seen.push(...page.sessions.map((s) => s.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual([...made].sort());
    const open = (await admin.listSessions({ createdAfter: since, state: 'open' })).sessions.map((s) => s.id);
    expect(open.sort()).toEqual(made.slice(1).sort());
    expect((await admin.listSessions({ createdAfter: since, state: 'ended' })).sessions.map((s) => s.id)).toEqual([made[0]]);
    expect((await admin.listSessions({ createdAfter: since, locked: true })).sessions.map((s) => s.id)).toEqual([made[1]]);
    expect((await admin.listSessions({ createdBefore: since })).sessions.some((s) => made.includes(s.id))).toBe(false);
    const all = [];
    for await (const s of admin.iterateSessions({ createdAfter: since, limit: 1 })) all.push(s.id);
    expect(all.sort()).toEqual([...made].sort());
  });

  it('gets, updates the policy (live participants told of a screen-share change), locks, unlocks and ends', async () => {
    const s = await admin.createSession({ waitingRoom: false, screenShare: 'host' });
    expect(await admin.getSession(s.id)).toEqual(s);
    const host = await admin.mintToken(s.id, { participantId: 'h', role: 'host', displayName: 'H' });
    const { client: hc } = await joinWith(host.token);
    const updated = await admin.updatePolicy(s.id, { screenShare: 'everyone', maxParticipants: 2 });
    expect(updated.policy).toMatchObject({ screenShare: 'everyone', maxParticipants: 2, waitingRoom: false });
    expect(await hc.waitFor('session.policyChanged')).toEqual({ screenShare: 'everyone' });
    // maxParticipants 2: a third participant is refused.
    const c1 = await admin.mintToken(s.id, { participantId: 'c1', role: 'client', displayName: 'C1' });
    const c2 = await admin.mintToken(s.id, { participantId: 'c2', role: 'co-client', displayName: 'C2' });
    const { client: cc1 } = await joinWith(c1.token);
    expect(await joinRefused(c2.token)).toBe('SESSION_FULL');
    await admin.updatePolicy(s.id, { maxParticipants: 6 });

    expect((await admin.lockSession(s.id)).locked).toBe(true);
    expect(await hc.waitFor('session.lockChanged')).toEqual({ locked: true });
    expect(await joinRefused(c2.token)).toBe('SESSION_LOCKED');
    expect((await admin.lockSession(s.id)).locked).toBe(true); // idempotent
    expect((await admin.unlockSession(s.id)).locked).toBe(false);
    const { client: cc2 } = await joinWith(c2.token);

    const ended = await admin.endSession(s.id, 'appointment-over');
    expect(ended).toMatchObject({ state: 'ended', endReason: 'appointment-over' });
    for (const c of [hc, cc1, cc2]) expect(await c.waitFor('session.ended')).toEqual({ reason: 'admin' });
    expect((await admin.endSession(s.id)).endReason).toBe('appointment-over');
    await expect(admin.updatePolicy(s.id, { waitingRoom: true })).rejects.toMatchObject({ status: 409, code: 'SESSION_ENDED' });
    await expect(admin.lockSession(s.id)).rejects.toMatchObject({ status: 409, code: 'SESSION_ENDED' });
    await expect(admin.getSession('AAAAAAAAAAAAAAAAAAAAAA')).rejects.toMatchObject({ status: 404, code: 'SESSION_NOT_FOUND' });
  });
});

describe('admin API v1: participants', () => {
  it('lists, gets, admits, denies, asks to mute and removes through the live room', async () => {
    const s = await admin.createSession();
    const host = await admin.mintToken(s.id, { participantId: 'host', role: 'host', displayName: 'H' });
    const a = await admin.mintToken(s.id, { participantId: 'client-a', role: 'client', displayName: 'A' });
    const b = await admin.mintToken(s.id, { participantId: 'client-b', role: 'co-client', displayName: 'B' });
    await admin.mintToken(s.id, { participantId: 'no-show', role: 'guardian', displayName: 'N' });
    const { client: hc } = await joinWith(host.token);
    const { client: ca, state } = await joinWith(a.token);
    expect(state).toBe('waiting');
    const { client: cb } = await joinWith(b.token);

    const list = await admin.participants(s.id);
    const by = new Map(list.participants.map((p) => [p.participantId, p]));
    expect(by.get('host')).toMatchObject({ status: 'admitted', connected: true, role: 'host' });
    expect(by.get('client-a')).toMatchObject({ status: 'waiting', connected: true, role: 'client' });
    expect(by.get('client-a')?.waitingSince).toEqual(expect.any(Number));
    expect(by.get('no-show')).toMatchObject({ status: 'invited', connected: false, neverJoined: true });
    expect((await admin.participants(s.id, { status: 'waiting' })).participants.map((p) => p.participantId).sort()).toEqual([
      'client-a',
      'client-b',
    ]);
    // Paging: one at a time, every participant once.
    const paged: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await admin.participants(s.id, { limit: 1, ...(cursor ? { cursor } : {}) });
      paged.push(...page.participants.map((p) => p.participantId));
      cursor = page.nextCursor;
    } while (cursor);
    expect(paged).toEqual(list.participants.map((p) => p.participantId));

    expect(await admin.admit(s.id, 'client-a')).toMatchObject({ status: 'admitted', connected: true });
    expect(await ca.waitFor('session.admitted')).toMatchObject({ resumeTicket: expect.any(String) });
    await expect(admin.admit(s.id, 'client-a')).rejects.toMatchObject({ status: 409, code: 'NOT_WAITING' });
    expect(await admin.deny(s.id, 'client-b')).toMatchObject({ status: 'denied', denied: true, connected: false });
    await cb.waitFor('session.denied');
    expect((await cb.closed).code).toBe(4004);
    expect(await joinRefused(b.token)).toBe('INVALID_TOKEN');

    expect(await admin.requestMute(s.id, 'client-a', 'audio')).toEqual({ participantId: 'client-a', kind: 'audio', requested: true });
    expect(await ca.waitFor('host.muteRequested')).toEqual({ kind: 'audio' });
    await expect(admin.requestMute(s.id, 'no-show', 'video')).rejects.toMatchObject({ status: 409, code: 'NOT_LIVE' });

    expect(await admin.getParticipant(s.id, 'client-a')).toMatchObject({ status: 'admitted', firstJoinedAt: expect.any(Number) });
    expect(await admin.remove(s.id, 'client-a')).toMatchObject({ status: 'removed', removed: true, connected: false });
    await ca.waitFor('session.removed');
    expect((await ca.closed).code).toBe(4003);
    expect(await joinRefused(a.token)).toBe('INVALID_TOKEN');
    // A participant who is not connected can be removed too (barred before it comes).
    expect(await admin.remove(s.id, 'no-show')).toMatchObject({ status: 'removed' });
    await expect(admin.mintToken(s.id, { participantId: 'no-show', role: 'guardian', displayName: 'N' })).rejects.toMatchObject({
      code: 'REMOVED',
    });
    expect((await admin.remove(s.id, 'no-show')).status).toBe('removed'); // idempotent
    await expect(admin.getParticipant(s.id, 'never-heard-of')).rejects.toMatchObject({ status: 404, code: 'PARTICIPANT_NOT_FOUND' });
    await expect(admin.admit(s.id, 'never-heard-of')).rejects.toMatchObject({ status: 409, code: 'NOT_WAITING' });
    hc.drop();
  });
});

describe('admin API v1: tokens', () => {
  it('revokes one token by id and every token of a participant: verification refuses them, a new token works', async () => {
    const s = await admin.createSession({ waitingRoom: false });
    const t1 = await admin.mintToken(s.id, { participantId: 'pat', role: 'client', displayName: 'P' });
    const t2 = await admin.mintToken(s.id, { participantId: 'pat', role: 'client', displayName: 'P' });
    expect(t1.tokenId).toMatch(/^tok_/);
    expect(t1.tokenId).not.toBe(t2.tokenId);
    expect(await admin.revokeToken(s.id, t1.tokenId)).toMatchObject({ tokenId: t1.tokenId, participantId: 'pat' });
    expect(await joinRefused(t1.token)).toBe('INVALID_TOKEN');
    const { client } = await joinWith(t2.token);
    client.drop();
    // A token minted outside the API (same key) for the participant is caught by revoke-all too.
    const outside = await ts.token(s.id, 'pat', 'client');
    const all = await admin.revokeParticipantTokens(s.id, 'pat');
    expect(all).toMatchObject({ participantId: 'pat', tokens: 1 });
    expect(await joinRefused(t2.token)).toBe('INVALID_TOKEN');
    expect(await joinRefused(outside)).toBe('INVALID_TOKEN');
    const t3 = await admin.mintToken(s.id, { participantId: 'pat', role: 'client', displayName: 'P' });
    const { client: again } = await joinWith(t3.token);
    again.drop();
    await expect(admin.revokeToken(s.id, 'tok_AAAAAAAAAAAAAAAAAAAAAA')).rejects.toMatchObject({ status: 404, code: 'TOKEN_NOT_FOUND' });
    const s2 = await admin.createSession();
    await expect(admin.revokeToken(s2.id, t3.tokenId)).rejects.toMatchObject({ status: 404, code: 'TOKEN_NOT_FOUND' });
    await expect(
      new AlcoveAdminClient({ baseUrl: ts.server.url as string, apiKey: KEY }).mintToken(s.id, {
        role: 'admin' as never,
        displayName: 'x',
      }),
    ).rejects.toBeInstanceOf(AdminApiError);
  });
});

describe('admin API v1: a host token with a credentials line', () => {
  it("puts credentials into a host's token (waiting guests see it); refuses it too long or on a guest's token", async () => {
    const s = await admin.createSession({ waitingRoom: true });
    const host = await admin.mintToken(s.id, { participantId: 'h-cred', role: 'host', displayName: 'Dr. H', credentials: 'Licensed MFT' });
    const { client: hc } = await joinWith(host.token);
    const c = await admin.mintToken(s.id, { participantId: 'g-cred', role: 'client', displayName: 'G' });
    const gc = await ts.connect();
    const r = await gc.call('session.join', { token: c.token, e2ee: true });
    expect(r.sessionHosts).toEqual([{ participantId: 'h-cred', displayName: 'Dr. H', credentials: 'Licensed MFT' }]);
    await expect(admin.mintToken(s.id, { role: 'host', displayName: 'H', credentials: 'x'.repeat(121) })).rejects.toMatchObject({
      status: 400,
      code: 'INVALID_MESSAGE',
    });
    await expect(admin.mintToken(s.id, { role: 'host', displayName: 'H', credentials: 'a\nb' })).rejects.toMatchObject({ status: 400 });
    await expect(admin.mintToken(s.id, { role: 'client', displayName: 'G', credentials: 'MFT' })).rejects.toMatchObject({
      status: 400,
      code: 'INVALID_MESSAGE',
      message: expect.stringContaining("host's token only"),
    });
    gc.drop();
    hc.drop();
  });
});

describe('admin API v1: attendance, audit, webhook deliveries', () => {
  it('pages attendance and the session audit trail, where every admin action appears with actor admin', async () => {
    const s = await admin.createSession({ waitingRoom: true });
    const host = await admin.mintToken(s.id, { participantId: 'host', role: 'host', displayName: 'H' });
    const c = await admin.mintToken(s.id, { participantId: 'guest', role: 'client', displayName: 'G' });
    const { client: hc } = await joinWith(host.token);
    const { client: gc } = await joinWith(c.token);
    await admin.admit(s.id, 'guest');
    await admin.requestMute(s.id, 'guest', 'video');
    await admin.lockSession(s.id);
    await admin.updatePolicy(s.id, { idleTimeoutS: 600 });
    await admin.revokeToken(s.id, c.tokenId);
    await admin.remove(s.id, 'guest');
    await gc.closed;

    const att = await admin.attendance(s.id, { limit: 1 });
    expect(att.attendance).toHaveLength(1);
    expect(att.nextCursor).toEqual(expect.any(String));
    const rest = await admin.attendance(s.id, { cursor: att.nextCursor as string });
    expect([...att.attendance, ...rest.attendance].map((a) => a.participantId)).toEqual(['host', 'guest']);
    expect(rest.nextCursor).toBeUndefined();

    const events: Array<{ seq: number; type: string; actor?: string; pid?: string }> = [];
    let cursor: string | undefined;
    do {
      const page = await admin.auditEvents(s.id, { limit: 3, ...(cursor ? { cursor } : {}) });
      expect(page.events.length).toBeLessThanOrEqual(3);
      events.push(...page.events);
      cursor = page.nextCursor;
    } while (cursor);
    const seqs = events.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    expect(new Set(seqs).size).toBe(seqs.length);
    const adminTypes = events.filter((e) => e.actor === 'admin').map((e) => e.type);
    for (const t of [
      'session.created',
      'admin.tokenMinted',
      'participant.admitted',
      'host.muteRequested',
      'session.locked',
      'admin.policyUpdated',
      'admin.tokenRevoked',
      'participant.removed',
      'admin.attendanceRead',
    ]) {
      expect(adminTypes, t).toContain(t);
    }
    // Participant ids are pseudonyms; the filter finds one participant's records.
    expect(JSON.stringify(events)).not.toContain('"guest"');
    const guestOnly = (await admin.auditEvents(s.id, { participantId: 'guest', limit: 200 })).events;
    expect(guestOnly.length).toBeGreaterThan(3);
    const pseudonym = guestOnly[0]?.pid;
    expect(pseudonym).toMatch(/^p_[0-9a-f]{32}$/);
    expect(guestOnly.every((e) => e.pid === pseudonym || e.by === pseudonym)).toBe(true);
    hc.drop();
  });

  it('shows recent webhook deliveries with their attempts and outcome, filtered and paged, own sessions only', async () => {
    const s = await admin.createSession();
    await admin.lockSession(s.id);
    await expect
      .poll(async () => (await admin.webhookDeliveries({ sessionId: s.id })).deliveries, { timeout: 30_000, interval: 50 })
      .toSatisfy((d: readonly { outcome: string }[]) => d.length === 2 && d.every((x) => x.outcome === 'delivered'));
    const { deliveries } = await admin.webhookDeliveries({ sessionId: s.id });
    expect(deliveries.map((d) => d.type)).toEqual(['session.locked', 'session.created']);
    for (const d of deliveries) {
      expect(d.attempts).toHaveLength(1);
      expect(d.attempts[0]).toMatchObject({ status: 204 });
      expect(d.finishedAt).toBeGreaterThanOrEqual(d.createdAt);
      expect(received.some((body) => body.includes(d.eventId))).toBe(true);
    }
    const first = await admin.webhookDeliveries({ sessionId: s.id, limit: 1 });
    expect(first.deliveries.map((d) => d.type)).toEqual(['session.locked']);
    const second = await admin.webhookDeliveries({ sessionId: s.id, limit: 1, cursor: first.nextCursor as string });
    expect(second.deliveries.map((d) => d.type)).toEqual(['session.created']);
    expect((await admin.webhookDeliveries({ outcome: 'failed' })).deliveries).toEqual([]);
    // Every webhook body received during this file matches the schema the OpenAPI document gives it.
    expect(received.length).toBeGreaterThan(10);
    const types = new Set<string>();
    for (const text of received) {
      const e = JSON.parse(text) as { type: keyof typeof WEBHOOK_DATA_SCHEMAS; data: unknown };
      types.add(e.type);
      const r = v.safeParse(WEBHOOK_DATA_SCHEMAS[e.type], e.data);
      expect(r.success, `${e.type} ${JSON.stringify(r.issues?.[0]?.path?.map((p) => p.key))}`).toBe(true);
    }
    expect(types.size).toBeGreaterThanOrEqual(8);
    // Another tenant does not see these deliveries.
    const other = new AlcoveAdminClient({ baseUrl: ts.server.url as string, apiKey: OTHER_KEY });
    expect((await other.webhookDeliveries({ sessionId: s.id })).deliveries).toEqual([]);
  });

  it('every route answered with success at least once, and every success matched its schema', async () => {
    expect(await admin.health()).toEqual({ status: 'ok' });
    expect((await admin.openApi()).openapi).toBe('3.1.0');
    const all = ADMIN_ROUTES.map((r) => r.operationId);
    expect(all.filter((op) => !succeeded.has(op))).toEqual([]);
    expect(schemaFailures).toEqual([]);
  });
});
