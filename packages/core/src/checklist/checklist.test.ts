import { createHash } from 'node:crypto';
import { CHECKLIST_STEP_IDS, type ChecklistPolicyInfo } from '@alcove/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryStorage } from '../test/fake-platform.js';
import { Checklist } from './checklist.js';
import type { Check } from './checks/base.js';
import { verifyConsentReceipt } from './checks/consent.js';
import type { ChecklistStateChange } from './types.js';
import { STORAGE_KEYS } from './storage.js';
import { encodeSummary, parseSummary } from './summary.js';
import { FakeDevice, FakeLink, FakeTestServer, createTestPlatform, testBinding } from './test/fakes.js';
import { DEFAULT_CHECKLIST_POLICY } from './types.js';

const TEXT = 'Consent to video therapy, v3.';
const policy: ChecklistPolicyInfo = {
  steps: [
    { id: 'consent', required: true, allowWarning: false },
    { id: 'location', required: true, allowWarning: true },
    { id: 'emergency-plan', required: true, allowWarning: false },
    { id: 'environment', required: true, allowWarning: true },
    { id: 'camera', required: false, allowWarning: true },
    { id: 'network', required: false, allowWarning: true },
    { id: 'custom-fees', required: true, allowWarning: false, title: 'Fees', text: 'Sessions are billed monthly.' },
  ],
  requiredBeforeAdmission: true,
  consent: { version: 'v3', sha256: createHash('sha256').update(TEXT).digest('hex'), text: TEXT, rememberOnDevice: false },
  jurisdictions: ['US-TN'],
  licensure: 'warn',
  shareJurisdiction: false,
  prefillLocation: true,
  cancellationPolicy: 'Cancel a day ahead.',
};
const address = { country: 'US', region: 'US-MS', locality: 'Jackson', street: '1 Capitol St' };
const plan = {
  contactName: 'Sam',
  contactPhone: '601 555 0100',
  callbackPhone: '601-555-0199',
  plan: 'client-rejoins' as const,
  cancellationPolicyAcknowledged: true,
};

/** Answers every required step (location in another region: licensure warns). */
async function answerAll(c: Checklist): Promise<void> {
  await c.consent!.acknowledge();
  c.location!.setAddress(address);
  c.emergencyPlan!.setPlan(plan);
  c.environment!.answer({ privateSpace: true, privateNetwork: true, deviceType: 'computer', connectionType: 'wifi' });
  c.custom('custom-fees')!.acknowledge();
}

describe('Checklist', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('follows the policy: its steps in order, required flags and custom text', () => {
    const c = new Checklist({ policy, platform: createTestPlatform() });
    expect(c.steps.map((s) => s.id)).toEqual(policy.steps.map((s) => s.id));
    const common: readonly Check[] = c.steps; // every step has the common shape
    expect(common.every((s) => typeof s.run === 'function' && typeof s.skip === 'function' && typeof s.reset === 'function')).toBe(true);
    expect(c.steps.map((s) => s.kind)).toEqual(['consent', 'location', 'emergency-plan', 'environment', 'camera', 'network', 'custom']);
    expect(c.require('custom-fees').required).toBe(true);
    expect(c.microphone).toBeUndefined();
    expect(() => c.require('microphone')).toThrow(expect.objectContaining({ code: 'STEP_NOT_FOUND' }));
    expect(c.state).toBe('idle');
    expect(c.current?.id).toBe('consent');
  });

  it('uses a default policy with every built-in step but consent when none is given', () => {
    const c = new Checklist({ platform: createTestPlatform() });
    expect(c.policy).toBe(DEFAULT_CHECKLIST_POLICY);
    expect(c.steps.map((s) => s.id)).toEqual(CHECKLIST_STEP_IDS.filter((id) => id !== 'consent'));
  });

  it('moves idle → inProgress → complete with typed events, and back when a required step is reset', async () => {
    const c = new Checklist({ policy, platform: createTestPlatform() });
    const states: ChecklistStateChange[] = [];
    const progress: number[] = [];
    const changed: string[] = [];
    c.on('stateChanged', (s) => states.push(s));
    c.on('progress', (p) => progress.push(p.requiredDone));
    c.on('stepChanged', (s) => changed.push(`${s.id}:${s.status}`));
    await answerAll(c);
    expect(c.complete).toBe(true);
    expect(c.progress).toEqual({ done: 5, total: 7, requiredDone: 5, requiredTotal: 5, complete: true });
    expect(states.map((s) => `${s.from}→${s.to}`)).toEqual(['idle→inProgress', 'inProgress→complete']);
    expect(progress.at(-1)).toBe(5);
    expect(changed).toContain('location:warning'); // licensure warns, and warning is allowed here
    expect(c.current?.id).toBe('camera');
    c.custom('custom-fees')!.reset();
    expect(c.state).toBe('inProgress');
    expect(states.at(-1)).toEqual({ from: 'complete', to: 'inProgress', reason: 'step' });
  });

  it('submits after changes once bound, debounced and coalesced, with wire statuses and a signed receipt', async () => {
    const c = new Checklist({ policy, platform: createTestPlatform(), submitDebounceMs: 300 });
    const b = testBinding(policy);
    const submitted: unknown[] = [];
    c.on('submitted', (r) => submitted.push(r));
    c.bind(b);
    await vi.advanceTimersByTimeAsync(10);
    expect(b.submitted).toHaveLength(1);
    expect(b.submitted[0]!.status.steps).toEqual({
      consent: 'pending',
      location: 'pending',
      'emergency-plan': 'pending',
      environment: 'pending',
      camera: 'pending',
      network: 'pending',
      'custom-fees': 'pending',
    });
    expect(b.submitted[0]!.licensure).toEqual({ outcome: 'unknown' });
    await answerAll(c); // five changes in a row
    await vi.advanceTimersByTimeAsync(299);
    expect(b.submitted).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(10);
    expect(b.submitted).toHaveLength(2);
    const last = b.submitted[1]!;
    expect(last.status.complete).toBe(true);
    expect(last.status.steps).toMatchObject({ consent: 'passed', location: 'warning', 'custom-fees': 'passed', camera: 'pending' });
    expect(last.licensure).toEqual({ outcome: 'warn' }); // jurisdiction only when the policy shares it
    expect(
      verifyConsentReceipt(last.consent!, {
        sessionId: 'session-1',
        participantId: 'client-1',
        document: policy.consent!,
        identityKey: b.signer.identityKey,
      }),
    ).toBe(true);
    expect(submitted.at(-1)).toEqual({ admissible: true, missing: ['camera', 'network'] });
    expect(c.admission).toEqual({ admissible: true, missing: ['camera', 'network'] });
    // nothing changed: nothing sent
    await c.flush();
    expect(b.submitted).toHaveLength(2);
    c.close();
  });

  it('shares the jurisdiction only when the policy allows it', async () => {
    const shared = { ...policy, shareJurisdiction: true };
    const c = new Checklist({ policy: shared, platform: createTestPlatform() });
    c.location!.setAddress(address);
    expect((await c.submission(testBinding(shared))).licensure).toEqual({ outcome: 'warn', jurisdiction: 'US-MS' });
    const off = new Checklist({ policy: { ...policy, licensure: 'off' }, platform: createTestPlatform() });
    off.location!.setAddress(address);
    expect((await off.submission(testBinding(policy))).licensure).toBeUndefined();
  });

  it('hands the hosts a sealed summary that the host can parse, and never puts answers in the submission', async () => {
    const c = new Checklist({ policy, platform: createTestPlatform() });
    const b = testBinding(policy);
    c.bind(b);
    await answerAll(c);
    await c.camera!.run();
    await c.flush();
    const summary = b.sealed.at(-1)!;
    expect(parseSummary(encodeSummary(summary))).toEqual(summary);
    expect(summary.location).toEqual({ ...address, jurisdiction: 'US-MS', licensure: 'warn' });
    expect(summary.emergency).toMatchObject({
      contactName: 'Sam',
      contactPhone: { entered: '601 555 0100', e164: '+16015550100' },
      callbackPhone: { e164: '+16015550199' },
      plan: 'client-rejoins',
      cancellationPolicyAcknowledged: true,
    });
    expect(summary.environment).toMatchObject({ privateSpace: true, connectionType: 'wifi' });
    expect(summary.camera).toEqual({ width: 1280, height: 720, frameRate: 30 });
    expect(summary.consent).toMatchObject({ version: 'v3', remembered: false });
    expect(summary.steps['custom-fees']).toBe('passed');
    const wire = JSON.stringify(b.submitted);
    for (const secret of ['Jackson', 'Capitol', 'Sam', '555', 'US-MS']) expect(wire).not.toContain(secret);
    // an unchanged summary is not sealed again
    const n = b.sealed.length;
    c.environment!.answer({ privateSpace: true });
    await c.flush();
    expect(b.sealed).toHaveLength(n);
    c.close();
  });

  it('retries a failed submission with backoff and reports it as an error event', async () => {
    const c = new Checklist({ policy, platform: createTestPlatform(), submitDebounceMs: 0 });
    const b = testBinding(policy);
    b.failSubmit = 2;
    const errors: string[] = [];
    c.on('error', (e) => errors.push(e.code));
    c.bind(b);
    await vi.advanceTimersByTimeAsync(10);
    expect(errors).toEqual(['CHECKLIST_SUBMIT_FAILED']);
    await vi.advanceTimersByTimeAsync(1000);
    expect(errors).toEqual(['CHECKLIST_SUBMIT_FAILED', 'CHECKLIST_SUBMIT_FAILED']);
    await vi.advanceTimersByTimeAsync(2000);
    expect(b.submitted).toHaveLength(1);
    c.close();
  });

  it('rebuilds the steps for a new policy on bind, keeping answers of steps that remain', async () => {
    const c = new Checklist({ platform: createTestPlatform() }); // default policy, before join()
    c.location!.setAddress(address);
    c.environment!.answer({ privateSpace: true, privateNetwork: true, deviceType: 'phone', connectionType: 'cellular' });
    await c.camera!.run();
    const cam = c.camera!;
    const lists: string[][] = [];
    c.on('stepsChanged', (s) => lists.push(s.map((x) => x.id)));
    c.bind(testBinding(policy));
    expect(lists.at(-1)).toEqual(policy.steps.map((s) => s.id));
    expect(c.location!.licensure).toEqual({ outcome: 'warn', jurisdiction: 'US-MS', reason: 'OTHER_REGION' }); // re-evaluated
    expect(c.environment!.status).toBe('passed');
    expect(c.camera).toBe(cam); // same module: the preview keeps running
    expect(c.camera!.stream).toBeDefined();
    expect(c.microphone).toBeUndefined();
    expect(c.consent!.status).toBe('idle');
    c.close();
  });

  it("runs the network test only once bound, through the session's requests", async () => {
    const platform = createTestPlatform();
    const c = new Checklist({ policy, platform });
    await expect(c.network!.run()).rejects.toMatchObject({ code: 'CHECKLIST_NOT_BOUND' });
    expect(c.network!.status).toBe('idle');
    const link = Object.assign(new FakeLink(), { kbps: 700 });
    platform.device = () => new FakeDevice(link);
    const server = new FakeTestServer(link);
    const b = testBinding(policy, server);
    c.bind(b);
    const fractions: number[] = [];
    c.network!.on('progress', (f) => fractions.push(f));
    const running = c.network!.run();
    for (let i = 0; i < 120 && c.network!.status === 'running'; i++) await vi.advanceTimersByTimeAsync(100);
    expect(await running).toBe('warning');
    expect(c.network!.reason).toBe('NETWORK_FAIR');
    expect(c.network!.result).toMatchObject({ quality: 'fair', recommended: 'video' });
    expect(fractions.at(-1)).toBe(1);
    expect(server.count('network.testEnd')).toBe(1);
    await c.flush();
    expect(b.sealed.at(-1)!.network).toMatchObject({ quality: 'fair' });
    c.close();
  });

  it('resumes after a reload in the same tab: answers, statuses, results and devices', async () => {
    const sessionStorage = new MemoryStorage();
    const first = new Checklist({ policy, platform: createTestPlatform({ sessionStorage }) });
    await answerAll(first);
    await first.camera!.selectDevice('cam-2');
    await first.camera!.run();
    first.bind(testBinding(policy));
    const before = first.result();
    // The reload: the page goes without close() (close() is for a checklist done with; it clears the tab's state).

    const platform = createTestPlatform({ sessionStorage });
    const events: unknown[] = [];
    const again = new Checklist({ policy, platform });
    again.on('stepChanged', (s) => events.push(s));
    expect(again.state).toBe('complete');
    expect(again.result().steps).toEqual(before.steps);
    expect(again.location!.address).toEqual({ ...address });
    expect(again.emergencyPlan!.answer!.contactPhone.e164).toBe('+16015550100');
    expect(again.consent!.acknowledged).toBe(true);
    expect(again.devices).toEqual({ cameraId: 'cam-2' }); // the stream itself does not survive a reload
    expect(platform.media.opened).toHaveLength(0); // no device opened by resuming
    const b = testBinding(policy); // the same session binds again
    again.bind(b);
    expect(again.complete).toBe(true);
    await vi.advanceTimersByTimeAsync(400);
    expect(b.submitted.at(-1)!.status.complete).toBe(true);
    expect(events).toHaveLength(0);
    again.close();
  });

  it('starts afresh when another session binds, keeping device results', async () => {
    const sessionStorage = new MemoryStorage();
    const first = new Checklist({ policy, platform: createTestPlatform({ sessionStorage }) });
    first.bind(testBinding(policy, undefined, { sessionId: 'session-1' }));
    await answerAll(first);
    await first.camera!.run();
    // reload (no close())
    const next = new Checklist({ policy, platform: createTestPlatform({ sessionStorage }) });
    expect(next.location!.status).toBe('warning');
    next.bind(testBinding(policy, undefined, { sessionId: 'session-2' }));
    expect(next.location!.status).toBe('idle');
    expect(next.consent!.status).toBe('idle');
    expect(next.camera!.status).toBe('passed');
    next.close();
  });

  it('ignores stale or malformed saved progress', async () => {
    const sessionStorage = new MemoryStorage();
    const first = new Checklist({ policy, platform: createTestPlatform({ sessionStorage }), resumeMaxAgeMs: 60_000 });
    first.location!.setAddress(address);
    // reload (no close(), which would clear it)
    vi.advanceTimersByTime(61_000);
    expect(new Checklist({ policy, platform: createTestPlatform({ sessionStorage }), resumeMaxAgeMs: 60_000 }).location!.status).toBe(
      'idle',
    );

    const key = STORAGE_KEYS.progress('default');
    for (const bad of [
      '{not json',
      '[]',
      JSON.stringify({
        v: 1,
        savedAt: Date.now(),
        steps: { location: { status: 'passed', state: { address: { country: 'USA' } } } },
        devices: {},
      }),
    ]) {
      sessionStorage.set(key, bad);
      const c = new Checklist({ policy, platform: createTestPlatform({ sessionStorage }) });
      expect(c.location!.status).toBe('idle');
    }
  });

  it('has a serialisable result', async () => {
    const c = new Checklist({ policy, platform: createTestPlatform() });
    await answerAll(c);
    await c.camera!.run();
    const json = JSON.stringify(c);
    const back = JSON.parse(json) as ReturnType<Checklist['result']>;
    expect(back).toEqual(c.result());
    expect(back).toMatchObject({
      version: 1,
      state: 'complete',
      complete: true,
      licensure: { outcome: 'warn' },
      devices: { cameraId: 'cam-1' },
    });
    expect(back.steps.find((s) => s.id === 'camera')).toMatchObject({ status: 'passed', details: { width: 1280 } });
    expect(json).not.toContain('getTracks');
  });

  it('closes once: releases devices, stops submitting, refuses further use', async () => {
    const platform = createTestPlatform();
    const c = new Checklist({ policy, platform });
    const b = testBinding(policy);
    c.bind(b);
    await c.camera!.run();
    const states: string[] = [];
    c.on('stateChanged', (s) => states.push(s.to));
    c.close();
    c.close();
    expect(states).toEqual(['closed']);
    expect(c.state).toBe('closed');
    expect(platform.media.opened[0]!.readyState).toBe('ended');
    expect(() => c.location!.setAddress(address)).toThrow(expect.objectContaining({ code: 'CHECKLIST_CLOSED' }));
    await expect(c.start()).rejects.toMatchObject({ code: 'CHECKLIST_CLOSED' });
    await vi.advanceTimersByTimeAsync(5000);
    expect(b.submitted).toHaveLength(0);
  });

  it('checks the binding it is given', () => {
    const c = new Checklist({ policy, platform: createTestPlatform() });
    expect(() => c.bind({} as never)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('never logs what the client entered', async () => {
    const spies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((m) => vi.spyOn(console, m).mockImplementation(() => undefined));
    const c = new Checklist({ policy, platform: createTestPlatform(), rememberAnswers: true });
    c.bind(testBinding(policy));
    await answerAll(c);
    try {
      c.emergencyPlan!.setPlan({ ...plan, contactPhone: 'not a phone' });
    } catch (e) {
      expect((e as Error).message).not.toContain('not a phone');
    }
    await c.flush();
    c.close();
    for (const s of spies) {
      expect(s).not.toHaveBeenCalled();
      s.mockRestore();
    }
  });
});
