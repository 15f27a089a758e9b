import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { mintJoinToken } from '@alcove/server';
import { type CallFixture, startCall, waitFor } from '@alcove/testing';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChildServer, startChildServer } from '../test/browser/child-server-handle.js';
import { startTestSite } from '../test/browser/site.js';

// The pre-session checklist in Chromium against the real server (in a process of its own, so its
// heap, logs, audit trail and webhook bodies can be searched for what the client typed): a waiting
// client fills in every step with fake devices, runs the network test through the SFU, and its
// answers reach the therapist sealed — also a second therapist who arrives later. Admission follows
// the policy: a client outside the therapist's jurisdictions, or with a required step undone, is
// refused.

const here = fileURLToPath(new URL('.', import.meta.url));
const SECRET = 'checklist-browser-test-secret-0123456789';
const CONSENT_TEXT = 'I agree to online sessions. (test document v1)';
const CONSENT = { version: 'v1', sha256: createHash('sha256').update(CONSENT_TEXT, 'utf8').digest('hex'), text: CONSENT_TEXT };
const ALL_STEPS = ['consent', 'location', 'emergency-plan', 'environment', 'browser', 'camera', 'microphone', 'speaker', 'network'];

// What the client types: none of it may ever reach the server in clear.
const CANARY = {
  street: '77 Canarystreet Qx7f3a',
  locality: 'Canaryville Zb91',
  contact: 'Canary Contactperson Kd55',
  contactPhone: '+1 615 555 0142',
  contactE164: '+16155550142',
  callback: '+1 615 555 0199',
  callbackE164: '+16155550199',
};

type W = { alcoveChecklist: any };
const pageState = <T>(p: Page, fn: (w: W['alcoveChecklist']) => T): Promise<T> =>
  p.evaluate((src) => new Function('w', `return (${src})(w)`)((window as unknown as W).alcoveChecklist), fn.toString()) as Promise<T>;

describe('the pre-session checklist in Chromium against the real server', () => {
  let call: CallFixture<ChildServer>;

  beforeAll(async () => {
    call = await startCall<ChildServer>({
      tmpPrefix: 'alcove-checklist-browser-',
      server: ({ dataDir }) => startChildServer(dataDir, SECRET),
      site: () => startTestSite(join(here, '..', 'test', 'browser', 'checklist-page.ts'), { e2eeWorker: true }),
    });
  });
  afterAll(async () => {
    await call?.close();
  });

  const open = async (): Promise<Page> => {
    const p = await call.newPage('/index.html');
    await p.waitForFunction(() => 'alcoveChecklist' in window);
    return p;
  };
  const token = (sid: string, pid: string, role: 'host' | 'client') =>
    mintJoinToken({ sid, pid, role, name: role === 'host' ? 'Therapist' : 'Client' }, { hs256Secret: SECRET, ttlS: 600 });
  const start = async (p: Page, sid: string, pid: string, role: 'host' | 'client'): Promise<string> =>
    p.evaluate(([u, t, r]) => (window as unknown as W).alcoveChecklist.start(u, t, r), [
      call.server.wsUrl,
      await token(sid, pid, role),
      role,
    ] as const);
  const leave = (p: Page): Promise<unknown> =>
    p.evaluate(() => (window as unknown as W).alcoveChecklist.session?.leave()).catch(() => undefined);

  it('a waiting client completes every step; both therapists get the sealed answers; the server never holds them', async () => {
    const sid = await call.server.createSession({
      jurisdictions: ['US-TN'],
      checklist: { steps: ALL_STEPS, requiredBeforeAdmission: true, consent: CONSENT, licensure: 'block' },
    });
    const host = await open();
    const client = await open();
    const host2 = await open();
    try {
      expect(await start(host, sid, 'h1', 'host')).toBe('joined');
      expect(await start(client, sid, 'c1', 'client')).toBe('waiting');
      const statuses = await client.evaluate((a) => (window as unknown as W).alcoveChecklist.fill(a), {
        address: { country: 'US', region: 'TN', locality: CANARY.locality, street: CANARY.street },
        plan: { contactName: CANARY.contact, contactPhone: CANARY.contactPhone, callbackPhone: CANARY.callback, plan: 'therapist-calls' },
      });
      // Fake devices: every step is done; the fake microphone's short beeps (20 ms twice a second)
      // are heard however they fall between the meter's readings.
      for (const id of ALL_STEPS) expect(['passed', 'warning'], `${id}: ${statuses[id]}`).toContain(statuses[id]);
      expect(statuses.location).toBe('passed');
      expect(statuses.microphone).toBe('passed');

      // The network test ran through the SFU within its bound and measured a bitrate.
      const net = await pageState(client, (w) => ({ network: w.network, progress: w.progress }));
      expect(net.network.kbps).toBeGreaterThan(0);
      expect(net.network.durationMs).toBeLessThanOrEqual(10_000);
      expect(net.progress.length).toBeGreaterThan(1);
      expect(net.progress.at(-1)).toBe(1);
      console.info(
        `network test: ${net.network.durationMs} ms, ${net.network.kbps} kbps, rtt ${net.network.rttMs} ms, loss ${net.network.lossPct} %`,
      );

      // The therapist sees the sealed answers and the emergency panel data while the client waits.
      const summary = await waitFor(
        "the host to open the client's sealed answers with the network result",
        () => host.evaluate(() => (window as unknown as W).alcoveChecklist.summaryOf('c1')),
        (s: any) => s?.network !== undefined && s?.location !== undefined,
      );
      expect(summary.location.street).toBe(CANARY.street);
      expect(summary.location.licensure).toBe('pass');
      expect(summary.steps.network).toMatch(/passed|warning/);
      const emergency: any = await host.evaluate(() => (window as unknown as W).alcoveChecklist.emergency('c1'));
      expect(emergency.emergencyContact).toEqual({
        name: CANARY.contact,
        phone: { entered: CANARY.contactPhone, e164: CANARY.contactE164 },
      });
      expect(emergency.callbackPhone.e164).toBe(CANARY.callbackE164);
      expect(emergency.location.locality).toBe(CANARY.locality);
      const entry = await waitFor(
        'the waiting list to show the client as admissible',
        () => host.evaluate(() => (window as unknown as W).alcoveChecklist.session.waiting.find((w: any) => w.id === 'c1')),
        (e: any) => e?.admissible === true,
      );
      expect(entry.licensure).toBe('pass');

      // A second therapist who arrives later gets them too, through a pair channel of its own.
      expect(await start(host2, sid, 'h2', 'host')).toBe('joined');
      const late = await waitFor(
        "the late host to open the client's answers",
        () => host2.evaluate(() => (window as unknown as W).alcoveChecklist.summaryOf('c1')),
        (s: any) => s?.emergency !== undefined,
      );
      expect(late.emergency.contactName).toBe(CANARY.contact);

      expect(await host.evaluate(() => (window as unknown as W).alcoveChecklist.admit('c1'))).toBe('admitted');
      await waitFor(
        'the client to be admitted',
        () => client.evaluate(() => (window as unknown as W).alcoveChecklist.session.state),
        (s) => s === 'joined',
      );
      // During the call the emergency data stays at hand.
      const during: any = await host.evaluate(() => (window as unknown as W).alcoveChecklist.emergency('c1'));
      expect(during.callbackPhone.e164).toBe(CANARY.callbackE164);

      // Nothing the client typed is in the server's memory, logs, audit trail or webhook bodies.
      const heap = await call.server.heapSnapshot();
      const records = await call.server.records();
      const output = call.server.output();
      expect(heap).toContain(sid); // the snapshot is the server's and holds its strings…
      expect(records).toContain('consent.recorded'); // …the records exist…
      expect(records).toContain('licensure.checked');
      for (const [name, value] of Object.entries(CANARY)) {
        expect(heap.includes(value), `heap holds ${name}`).toBe(false);
        expect(records.includes(value), `records hold ${name}`).toBe(false);
        expect(output.includes(value), `logs hold ${name}`).toBe(false);
      }
      // …and the licensure record carries the outcome only: the policy does not share the jurisdiction.
      expect(records).toMatch(/"licensure\.checked"[^\n]*"outcome":"pass"/);
      expect(records).not.toMatch(/"jurisdiction":/);
    } finally {
      await Promise.all([leave(client), leave(host2), leave(host)]);
      await call.closePages(client, host2, host);
    }
  });

  it("a client outside the therapist's jurisdictions is blocked when the policy says block; the admit is refused", async () => {
    const sid = await call.server.createSession({
      jurisdictions: ['US-TN'],
      checklist: { steps: ['location', 'emergency-plan'], licensure: 'block' },
    });
    const host = await open();
    const client = await open();
    try {
      await start(host, sid, 'h1', 'host');
      await start(client, sid, 'c1', 'client');
      const statuses = await client.evaluate(() =>
        (window as unknown as W).alcoveChecklist.fill({
          address: { country: 'US', region: 'GA', locality: 'Atlanta', street: '2 Peach St' },
        }),
      );
      expect(statuses.location).toBe('failed');
      await waitFor(
        'the host to learn the licensure outcome',
        () => host.evaluate(() => (window as unknown as W).alcoveChecklist.session.waiting.find((w: any) => w.id === 'c1')?.licensure),
        (l) => l === 'block',
      );
      expect(await host.evaluate(() => (window as unknown as W).alcoveChecklist.admit('c1'))).toBe('LICENSURE_BLOCKED');
      expect(await client.evaluate(() => (window as unknown as W).alcoveChecklist.session.state)).toBe('waiting');
    } finally {
      await Promise.all([leave(client), leave(host)]);
      await call.closePages(client, host);
    }
  });

  it('a client with a required step undone cannot be admitted until it is done', async () => {
    const sid = await call.server.createSession({
      checklist: { steps: ['environment', 'emergency-plan'], requiredBeforeAdmission: true },
    });
    const host = await open();
    const client = await open();
    try {
      await start(host, sid, 'h1', 'host');
      await start(client, sid, 'c1', 'client');
      await client.evaluate(() => (window as unknown as W).alcoveChecklist.fill({ leave: ['emergency-plan'] }));
      const info = await waitFor(
        'the host to learn what is missing',
        () => host.evaluate(() => (window as unknown as W).alcoveChecklist.submitted.filter((s: any) => s.participantId === 'c1').at(-1)),
        (s: any) => s?.missing?.join(',') === 'emergency-plan',
      );
      expect(info.admissible).toBe(false);
      expect(await host.evaluate(() => (window as unknown as W).alcoveChecklist.admit('c1'))).toBe('CHECKLIST_INCOMPLETE');

      await client.evaluate(() => (window as unknown as W).alcoveChecklist.fill({ leave: ['environment'] }));
      await waitFor(
        'the client to become admissible',
        () => host.evaluate(() => (window as unknown as W).alcoveChecklist.session.waiting.find((w: any) => w.id === 'c1')?.admissible),
        (a) => a === true,
      );
      expect(await host.evaluate(() => (window as unknown as W).alcoveChecklist.admit('c1'))).toBe('admitted');
    } finally {
      await Promise.all([leave(client), leave(host)]);
      await call.closePages(client, host);
    }
  });
});
