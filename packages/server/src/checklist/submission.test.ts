import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '@alcove/testing';
import type { SessionPolicyInput } from '../sessions/types.js';
import {
  CONSENT_SHA256,
  CONSENT_VERSION,
  FULL_CHECKLIST,
  allPassed,
  newIdentity,
  signReceipt,
} from '../signaling/testing/checklist-fixtures.js';
import { roomsOf } from '../server.js';
import { startTestServer, type TestServer } from '../signaling/testing/harness.js';
import type { TestClient } from '../signaling/testing/ws-test-client.js';
import { verifyConsentReceipt } from './consent-receipt.js';

let ts: TestServer | undefined;
afterEach(async () => {
  await ts?.close();
  ts = undefined;
});

type Posted = { type: string; data: Record<string, unknown> };

/** A test server whose webhooks land in `posted`. */
async function serverWithHooks(): Promise<{ ts: TestServer; posted: Posted[] }> {
  const posted: Posted[] = [];
  const fetchStub = (async (_url: string, init: { body: string }) => {
    posted.push(JSON.parse(init.body) as Posted);
    return new Response('', { status: 200 });
  }) as unknown as typeof fetch;
  const server = await startTestServer({
    webhooks: {
      endpoints: [{ url: 'http://127.0.0.1:9/hook', secret: 'webhook-secret-0123456789' }],
      fetch: fetchStub,
      allowPrivateNetworks: true,
    },
  });
  return { ts: server, posted };
}

const code = (r: { ok: boolean; error?: { code: string } }): string => (r.ok ? 'ok' : (r.error?.code ?? '?'));

/** A session with a host (key published) and one waiting client. */
async function setup(server: TestServer, policy: SessionPolicyInput) {
  const sid = server.createSession(policy);
  const { client: host } = await server.join(sid, 'host-1', 'host');
  await host.call('e2ee.publishKey', { identityKey: newIdentity().identityKey, suites: [1] });
  const { client, result } = await server.join(sid, 'client-1', 'client');
  await host.waitFor('waitingRoom.changed', (d) => d.waiting.some((w: { id: string }) => w.id === 'client-1'));
  return { sid, host, client, result };
}

type AuditLine = { type: string; detail?: Record<string, unknown> };

/** Audit lines of `types`, once at least `n` are on disk (the log writes asynchronously). */
function auditOf(server: TestServer, types: readonly string[], n: number): Promise<AuditLine[]> {
  const read = (): AuditLine[] =>
    readFileSync(join(server.dataDir, 'audit.log'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as AuditLine)
      .filter((l) => types.includes(l.type));
  return waitFor(`${n} audit line(s) of ${types.join('/')}`, read, (lines) => lines.length >= n, { timeoutMs: 10_000, intervalMs: 20 });
}

/** Waits until every webhook emitted so far reached the stub (a `session.ping` marks the point). */
async function settle(host: TestClient, posted: Posted[], type: string, n: number): Promise<void> {
  await host.call('session.ping', {});
  await waitFor(
    `${n} ${type} webhook(s)`,
    () => posted.filter((p) => p.type === type).length,
    (c) => c >= n,
    { timeoutMs: 10_000, intervalMs: 20 },
  );
}

describe('checklist.submit', () => {
  it('tells the client and the hosts the join policy, and only guests the hosts', async () => {
    ts = await startTestServer();
    const { host, result } = await setup(ts, { jurisdictions: ['US-TN'], checklist: FULL_CHECKLIST });
    expect(result.policy.checklist?.steps.map((s) => s.id)).toEqual([
      'consent',
      'location',
      'emergency-plan',
      'environment',
      'browser',
      'camera',
      'microphone',
      'speaker',
      'network',
      'custom-insurance',
    ]);
    expect(result.policy.checklist?.jurisdictions).toEqual(['US-TN']);
    expect(result.policy.checklist?.licensure).toBe('warn');
    expect(result.policy.checklist?.consent?.sha256).toBe(CONSENT_SHA256);
    expect(result.hosts).toHaveLength(1);
    expect(result.hosts?.[0]?.participantId).toBe('host-1');
    const h2 = await ts.join(result.sessionId, 'host-2', 'host');
    expect(h2.result.hosts).toBeUndefined();
    expect(h2.result.waiting?.[0]).toMatchObject({ id: 'client-1', admissible: true });
    expect((await host.request('checklist.submit', { status: { steps: {}, complete: false } })).ok ? 'ok' : 'refused').toBe('refused');
  });

  it('refuses unknown steps and changes nothing; recomputes complete, missing and admissible', async () => {
    ts = await startTestServer();
    const { sid, host, client } = await setup(ts, {
      checklist: {
        steps: ['camera', { id: 'network', allowWarning: false }, { id: 'speaker', required: false }, 'emergency-plan'],
        requiredBeforeAdmission: true,
      },
    });
    const first = await client.call('checklist.submit', { status: { steps: { camera: 'passed' }, complete: true } });
    expect(first).toEqual({ admissible: false, missing: ['network', 'emergency-plan'] });
    const note = await host.waitFor('checklist.submitted');
    expect(note).toEqual({
      participantId: 'client-1',
      status: { steps: { camera: 'passed', network: 'pending', speaker: 'pending', 'emergency-plan': 'pending' }, complete: false },
      admissible: false,
      missing: ['network', 'emergency-plan'],
    });
    const unknown = await client.request('checklist.submit', {
      status: { steps: { camera: 'failed', microphone: 'passed' }, complete: true },
    });
    expect(code(unknown)).toBe('UNKNOWN_STEP');
    expect(roomsOf(ts.server).get(sid)?.participant('client-1')?.checklist?.steps.camera).toBe('passed');
    // A warning where the step allows it counts; where it does not, it is missing.
    const warn = await client.call('checklist.submit', {
      status: { steps: { camera: 'warning', network: 'warning', 'emergency-plan': 'passed' }, complete: true },
    });
    expect(warn).toEqual({ admissible: false, missing: ['network'] });
    const done = await client.call('checklist.submit', {
      status: { steps: { camera: 'warning', network: 'passed', 'emergency-plan': 'passed', speaker: 'failed' }, complete: false },
    });
    expect(done).toEqual({ admissible: true, missing: [] });
    const last = await host.waitFor('checklist.submitted', (d) => d.status.complete === true);
    expect(last.admissible).toBe(true);
    const entry = await host.waitFor('waitingRoom.changed', (d) => d.waiting[0]?.admissible === true);
    expect(entry.waiting[0].checklist.complete).toBe(true);
  });

  it('checks consent receipts: document, signature, time; a valid one makes consent count', async () => {
    ts = await startTestServer();
    const { sid, host, client } = await setup(ts, {
      checklist: { steps: ['consent', 'camera'], consent: FULL_CHECKLIST.consent!, requiredBeforeAdmission: true },
    });
    const id = newIdentity();
    const steps = { consent: 'passed', camera: 'passed' } as const;
    const noReceipt = await client.call('checklist.submit', { status: { steps, complete: true } });
    expect(noReceipt).toEqual({ admissible: false, missing: ['consent'] });
    expect(code(await host.request('host.admit', { participantId: 'client-1' }))).toBe('CHECKLIST_INCOMPLETE');

    const good = signReceipt(id, { sessionId: sid, participantId: 'client-1' });
    const sig = Buffer.from(good.signature, 'base64');
    sig[0] = (sig[0] as number) ^ 0x80;
    const now = Date.now();
    const bad = [
      { ...good, signature: sig.toString('base64') },
      signReceipt(id, { sessionId: sid, participantId: 'client-1', version: 'v2' }),
      signReceipt(id, { sessionId: sid, participantId: 'client-1', sha256: 'ab'.repeat(32) }),
      { ...good, version: 'v2' },
      signReceipt(id, { sessionId: sid, participantId: 'client-1', signedAt: now - 25 * 3600_000 }),
      signReceipt(id, { sessionId: sid, participantId: 'client-1', signedAt: now + 10 * 60_000 }),
      signReceipt(id, { sessionId: sid, participantId: 'someone-else' }),
      signReceipt(id, { sessionId: 'another-session', participantId: 'client-1' }),
      { ...good, identityKey: newIdentity().identityKey },
    ];
    for (const consent of bad) {
      const r = await client.request('checklist.submit', { status: { steps, complete: true }, consent });
      expect(code(r), JSON.stringify(consent).slice(0, 80)).toBe('INVALID_RECEIPT');
    }
    expect(roomsOf(ts.server).get(sid)?.participant('client-1')?.checklist?.steps.consent).toBe('pending');

    expect(await client.call('checklist.submit', { status: { steps, complete: true }, consent: good })).toEqual({
      admissible: true,
      missing: [],
    });
    const note = await host.waitFor('checklist.submitted', (d) => d.consent !== undefined);
    expect(note.consent).toEqual({ version: CONSENT_VERSION, sha256: CONSENT_SHA256, verified: true });
    expect(note.status.steps.consent).toBe('passed');
    // The receipt holds for the rest of the session: later submissions need not repeat it.
    expect(await client.call('checklist.submit', { status: { steps, complete: true } })).toEqual({ admissible: true, missing: [] });
    await host.call('host.admit', { participantId: 'client-1' });
    await client.waitFor('session.admitted');
  });

  it('licensure: records the outcome, blocks admission in block mode, shares the jurisdiction only when allowed', async () => {
    ({ ts } = await serverWithHooks());
    const { sid, host, client } = await setup(ts, { jurisdictions: ['US-TN'], checklist: { steps: ['location'], licensure: 'block' } });
    const r = await client.request('checklist.submit', {
      status: { steps: { location: 'failed' }, complete: false },
      licensure: { outcome: 'block', jurisdiction: 'US-GA' },
    });
    expect(code(r)).toBe('INVALID_MESSAGE'); // this policy does not share jurisdictions
    expect(
      await client.call('checklist.submit', {
        status: { steps: { location: 'failed' }, complete: false },
        licensure: { outcome: 'block' },
      }),
    ).toEqual({ admissible: false, missing: ['location'] });
    const entry = await host.waitFor('waitingRoom.changed', (d) => d.waiting[0]?.licensure === 'block');
    expect(entry.waiting[0].admissible).toBe(false);
    // Not required before admission, and still refused: the location is outside the licence.
    expect(code(await host.request('host.admit', { participantId: 'client-1' }))).toBe('LICENSURE_BLOCKED');
    // A later submission without an outcome keeps the block.
    await client.call('checklist.submit', { status: { steps: { location: 'passed' }, complete: true } });
    expect(code(await host.request('host.admit', { participantId: 'client-1' }))).toBe('LICENSURE_BLOCKED');
    // Leaving and joining again does not lift it either.
    await client.call('session.leave', {});
    const { client: again } = await ts.join(sid, 'client-1', 'client');
    await host.waitFor('waitingRoom.changed', (d) => d.waiting[0]?.id === 'client-1' && d.waiting[0]?.licensure === 'block');
    expect(code(await host.request('host.admit', { participantId: 'client-1' }))).toBe('LICENSURE_BLOCKED');
    const client2 = again;
    expect(
      await client2.call('checklist.submit', { status: { steps: { location: 'passed' }, complete: true }, licensure: { outcome: 'pass' } }),
    ).toEqual({ admissible: true, missing: [] });
    await host.call('host.admit', { participantId: 'client-1' });
    await client2.waitFor('session.admitted');
  });

  it('shares the jurisdiction in webhooks and audit only when the policy says so', async () => {
    let posted: Posted[];
    ({ ts, posted } = await serverWithHooks());
    const shared = await setup(ts, { jurisdictions: ['US-TN'], checklist: { steps: ['location'], shareJurisdiction: true } });
    await shared.client.call('checklist.submit', {
      status: { steps: { location: 'warning' }, complete: true },
      licensure: { outcome: 'warn', jurisdiction: 'US-GA' },
    });
    await settle(shared.host, posted, 'licensure.checked', 1);
    const sid2 = ts.createSession({ jurisdictions: ['US-TN'], checklist: { steps: ['location'] } });
    const { client: c2 } = await ts.join(sid2, 'client-2', 'client');
    await c2.call('checklist.submit', { status: { steps: { location: 'passed' }, complete: true }, licensure: { outcome: 'pass' } });
    await settle(shared.host, posted, 'licensure.checked', 2);
    const checks = posted.filter((p) => p.type === 'licensure.checked').map((p) => p.data);
    expect(checks).toContainEqual({ sessionId: shared.sid, participantId: 'client-1', outcome: 'warn', jurisdiction: 'US-GA' });
    expect(checks).toContainEqual({ sessionId: sid2, participantId: 'client-2', outcome: 'pass' });
    const audit = await auditOf(ts, ['licensure.checked'], 2);
    expect(audit.map((l) => l.detail)).toEqual([{ outcome: 'warn', jurisdiction: 'US-GA' }, { outcome: 'pass' }]);
  });

  it('webhooks carry policy step ids and statuses only, a verifiable receipt, and are written on change only, at most 8 per client', async () => {
    let posted: Posted[];
    ({ ts, posted } = await serverWithHooks());
    const { sid, host, client } = await setup(ts, { checklist: FULL_CHECKLIST });
    const consent = signReceipt(newIdentity(), { sessionId: sid, participantId: 'client-1' });
    const steps = allPassed();
    await client.call('checklist.submit', { status: { steps, complete: true }, consent });
    // Identical resubmissions record nothing.
    for (let i = 0; i < 5; i++) await client.call('checklist.submit', { status: { steps, complete: true }, consent });
    await settle(host, posted, 'checklist.completed', 1);
    await settle(host, posted, 'consent.recorded', 1);
    const completed = posted.filter((p) => p.type === 'checklist.completed');
    expect(completed).toHaveLength(1);
    expect(completed[0]?.data).toEqual({ sessionId: sid, participantId: 'client-1', steps });
    const recorded = posted.filter((p) => p.type === 'consent.recorded');
    expect(recorded).toHaveLength(1);
    const receipt = recorded[0]?.data as unknown as Parameters<typeof verifyConsentReceipt>[0];
    expect(receipt).toEqual({
      sessionId: sid,
      participantId: 'client-1',
      documentVersion: CONSENT_VERSION,
      documentSha256: CONSENT_SHA256,
      signedAt: consent.signedAt,
      identityKey: consent.identityKey,
      signature: consent.signature,
    });
    expect(verifyConsentReceipt(receipt)).toBe(true);

    // 20 different complete states: at most 8 records in all for this client.
    for (let i = 0; i < 20; i++) {
      await client.call('checklist.submit', {
        status: {
          steps: { ...steps, 'custom-insurance': i % 2 ? 'skipped' : 'failed', speaker: i % 3 ? 'passed' : 'warning' },
          complete: true,
        },
      });
    }
    await host.call('session.ping', {});
    await waitFor(
      'checklist webhooks to be capped',
      () => posted.filter((p) => p.type === 'checklist.completed' || p.type === 'consent.recorded').length,
      (n) => n >= 8,
      { timeoutMs: 10_000, intervalMs: 20 },
    );
    const mine = posted.filter((p) => ['checklist.completed', 'consent.recorded', 'licensure.checked'].includes(p.type));
    expect(mine).toHaveLength(8);
    const ids = new Set(FULL_CHECKLIST.steps?.map((s) => (typeof s === 'string' ? s : s.id)));
    for (const p of mine.filter((x) => x.type === 'checklist.completed')) {
      for (const k of Object.keys(p.data.steps as object)) expect(ids.has(k), k).toBe(true);
      expect(Object.keys(p.data).sort()).toEqual(['participantId', 'sessionId', 'steps']);
    }
    const audit = await auditOf(ts, ['checklist.completed', 'consent.recorded', 'licensure.checked'], 8);
    expect(audit).toHaveLength(8);
    expect(ts.logLines.some((l) => l.includes('checklist.recordsCapped'))).toBe(true);
  });

  it('is refused in a session without a checklist', async () => {
    ts = await startTestServer();
    const sid = ts.createSession();
    const { client } = await ts.join(sid, 'c', 'client');
    expect(code(await client.request('checklist.submit', { status: { steps: {}, complete: true } }))).toBe('INVALID_STATE');
    expect(code(await client.request('checklist.relay', { to: 'h', type: 'commit', payload: 'AAAA' }))).toBe('INVALID_STATE');
  });
});
