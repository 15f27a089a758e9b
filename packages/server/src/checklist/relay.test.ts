import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CHECKLIST_LIMITS } from '@alcove/protocol';
import { waitFor } from '@alcove/testing';
import { FULL_CHECKLIST, allPassed, newIdentity, signReceipt } from '../signaling/testing/checklist-fixtures.js';
import { startTestServer, type TestServer } from '../signaling/testing/harness.js';
import type { TestClient } from '../signaling/testing/ws-test-client.js';
import { CHECKLIST_RELAY_LIMITS } from './checklist-desk.js';

let ts: TestServer | undefined;
afterEach(async () => {
  await ts?.close();
  ts = undefined;
});

const code = (r: { ok: boolean; error?: { code: string } }): string => (r.ok ? 'ok' : (r.error?.code ?? '?'));
const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

describe('checklist.relay and checklist.hosts', () => {
  it('lets a guest reach admitted hosts with a key, a host reach any guest, and nothing else', async () => {
    ts = await startTestServer();
    const sid = ts.createSession({ checklist: FULL_CHECKLIST, maxParticipants: 8 });
    const { client: h1 } = await ts.join(sid, 'h1', 'host');
    const { client: h2 } = await ts.join(sid, 'h2', 'host');
    const { client: w, result: wr } = await ts.join(sid, 'w', 'client');
    expect(wr.hosts).toEqual([]);
    const { client: a } = await ts.join(sid, 'a', 'guardian');
    await h1.call('host.admit', { participantId: 'a' });
    await a.waitFor('session.admitted');
    const relay = (c: TestClient, to: string, type: 'commit' | 'reveal' | 'sealed' = 'commit') =>
      c.request('checklist.relay', { to, type, payload: 'AAAA' }).then(code);

    // No host has published its key yet.
    expect(await relay(w, 'h1')).toBe('NOT_FOUND');
    const k1 = newIdentity().identityKey;
    await h1.call('e2ee.publishKey', { identityKey: k1, suites: [1] });
    expect(await w.waitFor('checklist.hosts')).toEqual({ hosts: [{ participantId: 'h1', identityKey: k1 }] });
    expect(await a.waitFor('checklist.hosts')).toEqual({ hosts: [{ participantId: 'h1', identityKey: k1 }] });
    expect(h1.notifications('checklist.hosts')).toHaveLength(0);

    expect(await relay(w, 'h1')).toBe('ok');
    expect(await h1.waitFor('checklist.message')).toEqual({ from: 'w', type: 'commit', payload: 'AAAA' });
    expect(await relay(a, 'h1', 'sealed')).toBe('ok');
    await h1.waitFor('checklist.message', (d) => d.from === 'a');
    // Guests cannot reach other guests, a host without a key, themselves or nobody: one answer for all.
    for (const to of ['a', 'h2', 'w', 'nobody']) expect(await relay(w, to), to).toBe('NOT_FOUND');
    expect(await relay(a, 'w')).toBe('NOT_FOUND');
    // Hosts reach waiting and admitted guests, not other hosts.
    expect(await relay(h1, 'w', 'reveal')).toBe('ok');
    expect(await w.waitFor('checklist.message')).toEqual({ from: 'h1', type: 'reveal', payload: 'AAAA' });
    expect(await relay(h2, 'a', 'sealed')).toBe('ok');
    await a.waitFor('checklist.message', (d) => d.from === 'h2');
    expect(await relay(h1, 'h2')).toBe('NOT_ALLOWED');
    expect(await relay(h1, 'h1')).toBe('NOT_FOUND');
    expect(await relay(h1, 'nobody')).toBe('NOT_FOUND');
    expect(h2.notifications('checklist.message')).toHaveLength(0);

    // The host set changes: a second key, a key change, a departure, a replacement.
    const k2 = newIdentity().identityKey;
    await h2.call('e2ee.publishKey', { identityKey: k2, suites: [1] });
    expect((await w.waitFor('checklist.hosts', (d) => d.hosts.length === 2)).hosts).toEqual([
      { participantId: 'h1', identityKey: k1 },
      { participantId: 'h2', identityKey: k2 },
    ]);
    await h2.call('e2ee.publishKey', { identityKey: k2, suites: [1] }); // same key: no news
    await h1.call('session.leave', {});
    expect((await w.waitFor('checklist.hosts', (d) => d.hosts.length === 1 && d.hosts[0].participantId === 'h2')).hosts).toEqual([
      { participantId: 'h2', identityKey: k2 },
    ]);
    expect(await relay(w, 'h1')).toBe('NOT_FOUND');
    const { client: h2b } = await ts.join(sid, 'h2', 'host'); // replaces h2's presence
    expect((await w.waitFor('checklist.hosts', (d) => d.hosts.length === 0)).hosts).toEqual([]);
    const k3 = newIdentity().identityKey;
    await h2b.call('e2ee.publishKey', { identityKey: k3, suites: [1] });
    expect((await w.waitFor('checklist.hosts', (d) => d.hosts[0]?.identityKey === k3)).hosts).toEqual([
      { participantId: 'h2', identityKey: k3 },
    ]);
    await w.call('session.ping', {});
    expect(w.notifications('checklist.hosts').map((f) => f.data.hosts.length)).toEqual([1, 2, 1, 0, 1]);
    // A guest joining now learns the hosts in its join result.
    const late = await ts.join(sid, 'late', 'co-client');
    expect(late.result.hosts).toEqual([{ participantId: 'h2', identityKey: k3 }]);
  });

  it('refuses oversize sealed payloads and rate-limits handshake messages', async () => {
    ts = await startTestServer();
    const sid = ts.createSession({ checklist: FULL_CHECKLIST });
    const { client: host } = await ts.join(sid, 'h', 'host');
    await host.call('e2ee.publishKey', { identityKey: newIdentity().identityKey, suites: [1] });
    const { client: w } = await ts.join(sid, 'w', 'client');
    const max = CHECKLIST_LIMITS.maxSealedBytes;
    const at = Buffer.alloc(max, 7).toString('base64');
    const over = Buffer.alloc(max + 1, 7).toString('base64');
    expect(code(await w.request('checklist.relay', { to: 'h', type: 'sealed', payload: over }))).toBe('PAYLOAD_TOO_LARGE');
    expect(
      code(await w.request('checklist.relay', { to: 'h', type: 'sealed', payload: over.replace(/=+$/, '').replace(/\+/g, '-') })),
    ).toBe('PAYLOAD_TOO_LARGE');
    expect(host.notifications('checklist.message')).toHaveLength(0);
    expect(code(await w.request('checklist.relay', { to: 'h', type: 'sealed', payload: at }))).toBe('ok');
    await host.waitFor('checklist.message', (d) => d.payload === at);
    // Handshake messages: a small bucket per sender.
    const burst = CHECKLIST_RELAY_LIMITS.guest.burst;
    const answers = await Promise.all(
      Array.from({ length: burst * 3 }, () => w.request('checklist.relay', { to: 'h', type: 'commit', payload: 'AAAA' }).then(code)),
    );
    expect(answers).toContain('RATE_LIMITED');
    expect(answers.filter((c) => c === 'ok').length).toBeGreaterThanOrEqual(burst);
    expect(new Set(answers)).toEqual(new Set(['ok', 'RATE_LIMITED']));
  });

  it('keeps order within a pair: a held sealed message goes before the next handshake message', async () => {
    ts = await startTestServer();
    const sid = ts.createSession({ checklist: FULL_CHECKLIST });
    const { client: host } = await ts.join(sid, 'h', 'host');
    await host.call('e2ee.publishKey', { identityKey: newIdentity().identityKey, suites: [1] });
    const { client: w } = await ts.join(sid, 'w', 'client');
    for (const p of ['AAAA', 'AAAB', 'AAAC']) await w.call('checklist.relay', { to: 'h', type: 'sealed', payload: p });
    await w.call('checklist.relay', { to: 'h', type: 'commit', payload: 'BBBB' });
    await host.waitFor('checklist.message', (d) => d.type === 'commit');
    const seen = host.notifications('checklist.message').map((f) => f.data.payload);
    // AAAB was replaced by AAAC (latest wins); AAAC arrives before the commit.
    expect(seen.slice(-2)).toEqual(['AAAC', 'BBBB']);
    expect(seen[0]).toBe('AAAA');
    expect(seen).not.toContain('AAAB');
  });

  it('a waiting client flooding submits and relays cannot slow or disconnect a host', async () => {
    const posted: { type: string }[] = [];
    const fetchStub = (async (_url: string, init: { body: string }) => {
      posted.push(JSON.parse(init.body) as { type: string });
      return new Response('', { status: 200 });
    }) as unknown as typeof fetch;
    // The connection's own rate limit is lifted so that every message reaches the room.
    ts = await startTestServer({
      limits: { rateLimit: { perSecond: 1_000_000, burst: 1_000_000, maxStrikes: 1_000_000 } },
      webhooks: {
        endpoints: [{ url: 'http://127.0.0.1:9/hook', secret: 'webhook-secret-0123456789' }],
        fetch: fetchStub,
        allowPrivateNetworks: true,
      },
    });
    const sid = ts.createSession({ checklist: FULL_CHECKLIST });
    const { client: host } = await ts.join(sid, 'h', 'host');
    await host.call('e2ee.publishKey', { identityKey: newIdentity().identityKey, suites: [1] });
    const { client: w, result: wr } = await ts.join(sid, 'w', 'client');
    expect(wr.hosts).toHaveLength(1);
    const consent = signReceipt(newIdentity(), { sessionId: sid, participantId: 'w' });
    const statuses = ['passed', 'warning', 'failed', 'skipped', 'pending'] as const;
    const started = performance.now();
    const N = 2000;
    const BATCH = 25;
    let pings = 0;
    let answered = 0;
    for (let i = 0; i < N; i += BATCH) {
      const batch: Promise<unknown>[] = [];
      for (let j = i; j < i + BATCH; j++) {
        const steps = { ...allPassed(), camera: statuses[j % 5], 'custom-insurance': statuses[(j >> 2) % 5] };
        batch.push(w.request('checklist.submit', { status: { steps, complete: j % 2 === 0 }, ...(j % 7 === 0 ? { consent } : {}) }));
        batch.push(w.request('checklist.relay', { to: 'h', type: j % 10 === 0 ? 'commit' : 'sealed', payload: b64(`sealed ${j}`) }));
      }
      // The host keeps working meanwhile.
      pings++;
      batch.push(host.call('session.ping', {}).then(() => answered++));
      const results = await Promise.all(batch);
      expect(results.length).toBe(BATCH * 2 + 1);
    }
    // The last state the client sent.
    const lastSteps = { ...allPassed(), 'custom-insurance': 'skipped' as const };
    await w.call('checklist.submit', { status: { steps: lastSteps, complete: true } });
    await w.call('checklist.relay', { to: 'h', type: 'sealed', payload: b64('the last answers') });
    // ...always arrives.
    await host.waitFor(
      'checklist.submitted',
      (d) => d.status.steps['custom-insurance'] === 'skipped' && d.status.steps.camera === 'passed',
      10_000,
    );
    await host.waitFor('checklist.message', (d) => d.payload === b64('the last answers'), 10_000);
    const elapsedS = (performance.now() - started) / 1000;

    expect(answered).toBe(pings);
    expect((await host.request('session.ping', {})).ok).toBe(true);
    expect(host.closeInfo).toBeUndefined();
    expect(host.ws.readyState).toBe(host.ws.OPEN);
    // At most one forward per second (plus the first): a bound that depends on time only, never on N.
    const bound = Math.floor(elapsedS) + 2;
    const submitted = host.notifications('checklist.submitted').length;
    const waitingChanges = host.notifications('waitingRoom.changed').length;
    const sealed = host.notifications('checklist.message').filter((f) => f.data.type === 'sealed').length;
    const commits = host.notifications('checklist.message').filter((f) => f.data.type === 'commit').length;
    if (process.env.ALCOVE_TIMING) console.info({ elapsedS, submitted, waitingChanges, sealed, commits });
    expect(submitted).toBeLessThanOrEqual(bound);
    expect(waitingChanges).toBeLessThanOrEqual(bound + 1); // + the client's arrival
    expect(commits).toBeLessThanOrEqual(CHECKLIST_RELAY_LIMITS.guest.burst + Math.ceil(elapsedS * CHECKLIST_RELAY_LIMITS.guest.perSecond));
    expect(sealed).toBeLessThanOrEqual(bound + commits); // a commit flushes a held sealed message first
    expect(submitted + waitingChanges + sealed + commits).toBeLessThan(N / 4);
    // Records: bounded per client, whatever the flood.
    await host.call('session.ping', {});
    const records = posted.filter((p) => ['checklist.completed', 'consent.recorded', 'licensure.checked'].includes(p.type));
    expect(records.length).toBeLessThanOrEqual(CHECKLIST_LIMITS.maxRecordsPerClient);
  }, 120_000);

  it('never logs, audits or posts what a client typed or the sealed bytes (canary)', async () => {
    const posted: string[] = [];
    const fetchStub = (async (_url: string, init: { body: string }) => {
      posted.push(init.body);
      return new Response('', { status: 200 });
    }) as unknown as typeof fetch;
    ts = await startTestServer({
      webhooks: {
        endpoints: [{ url: 'http://127.0.0.1:9/hook', secret: 'webhook-secret-0123456789' }],
        fetch: fetchStub,
        allowPrivateNetworks: true,
      },
    });
    const answers = {
      address: 'CANARY 1428 Elm Street Springwood',
      contact: 'CANARYCONTACT Nancy',
      phone: '+1-555-0100-CANARY',
      note: 'CANARYNOTE I feel unsafe at home',
    };
    const sealedPayloads = Object.values(answers).map(b64);
    const sid = ts.createSession({ jurisdictions: ['US-TN'], checklist: { ...FULL_CHECKLIST, licensure: 'block' } });
    const { client: host } = await ts.join(sid, 'h', 'host');
    await host.call('e2ee.publishKey', { identityKey: newIdentity().identityKey, suites: [1] });
    const { client: w } = await ts.join(sid, 'w', 'client');
    await w.call('checklist.relay', { to: 'h', type: 'commit', payload: sealedPayloads[0] as string });
    await w.call('checklist.relay', { to: 'h', type: 'reveal', payload: sealedPayloads[1] as string });
    for (const p of sealedPayloads) await w.call('checklist.relay', { to: 'h', type: 'sealed', payload: p });
    await host.call('checklist.relay', { to: 'w', type: 'sealed', payload: sealedPayloads[3] as string });
    // Clients that put answers where they do not belong are refused (and nothing is logged).
    const leaks = [
      { status: { steps: { location: 'passed' }, complete: false }, location: answers.address },
      { status: { steps: { location: 'passed' }, complete: false }, licensure: { outcome: 'pass', jurisdiction: answers.address } },
      { status: { steps: { [answers.contact]: 'passed' }, complete: false } },
      { status: { steps: { location: 'passed' }, complete: false }, licensure: { outcome: 'pass', jurisdiction: 'US-TN' } },
      { status: { steps: { location: 'passed', 'custom-canary-note': 'passed' }, complete: false } },
    ];
    for (const data of leaks) expect((await w.request('checklist.submit', data)).ok).toBe(false);
    const consent = signReceipt(newIdentity(), { sessionId: sid, participantId: 'w' });
    await w.call('checklist.submit', { status: { steps: allPassed(), complete: true }, consent, licensure: { outcome: 'pass' } });
    await host.waitFor('checklist.message', (d) => d.payload === sealedPayloads[3]);
    await host.call('host.admit', { participantId: 'w' });
    await host.call('host.end', {});
    await waitFor(
      'the checklist webhooks',
      () => posted.filter((b) => /checklist\.completed|consent\.recorded|licensure\.checked/.test(b)).length,
      (n) => n >= 3,
      { timeoutMs: 10_000, intervalMs: 20 },
    );
    const audit = await waitFor(
      'the audit to hold the session end',
      () => readFileSync(join(ts?.dataDir as string, 'audit.log'), 'utf8'),
      (t) => t.includes('session.ended'),
      { timeoutMs: 10_000, intervalMs: 20 },
    );
    const everything = [ts.logLines.join('\n'), audit, posted.join('\n')];
    const canaries = [...Object.values(answers), ...sealedPayloads, 'CANARY'];
    for (const text of everything) for (const c of canaries) expect(text).not.toContain(c);
  });
});
