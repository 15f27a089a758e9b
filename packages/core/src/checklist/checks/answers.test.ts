import type { ChecklistPolicyInfo } from '@alcove/protocol';
import { describe, expect, it } from 'vitest';
import { MemoryStorage } from '../../test/fake-platform.js';
import { Checklist } from '../checklist.js';
import { ChecklistError } from '../errors.js';
import { createTestPlatform } from '../test/fakes.js';
import { ANSWER_LIMITS } from '../types.js';

const base: ChecklistPolicyInfo = {
  steps: [
    { id: 'location', required: true, allowWarning: false },
    { id: 'emergency-plan', required: true, allowWarning: false },
    { id: 'environment', required: true, allowWarning: true },
    { id: 'browser', required: true, allowWarning: false },
    { id: 'custom-recording', required: false, allowWarning: false, title: 'Recording', text: 'Sessions are not recorded.' },
  ],
  requiredBeforeAdmission: true,
  jurisdictions: ['US-TN', 'US-GA'],
  licensure: 'warn',
  shareJurisdiction: false,
  prefillLocation: true,
  cancellationPolicy: 'Cancel 24 hours ahead or the session is charged.',
};

const addr = { country: 'US', region: 'TN', locality: 'Nashville', street: '1 Broadway', postalCode: '37203' };
const plan = {
  contactName: 'Sam Doe',
  contactPhone: '(615) 555-0100',
  callbackPhone: '+1 615 555 0199',
  plan: 'therapist-calls' as const,
  cancellationPolicyAcknowledged: true,
};

const fail = (f: () => unknown): ChecklistError => {
  try {
    f();
  } catch (e) {
    if (e instanceof ChecklistError) return e;
    throw e;
  }
  throw new Error('did not throw');
};

describe('location step', () => {
  it("passes inside the therapist's jurisdictions and normalises codes", () => {
    const c = new Checklist({ policy: base, platform: createTestPlatform() });
    const d = c.location!.setAddress(addr);
    expect(d.address).toEqual({ country: 'US', region: 'US-TN', locality: 'Nashville', street: '1 Broadway', postalCode: '37203' });
    expect(d.licensure).toEqual({ outcome: 'pass', jurisdiction: 'US-TN' });
    expect(c.location!.status).toBe('passed');
  });

  it('maps the licensure outcome to the status: warn → warning, block → failed, unknown → failed with a reason', () => {
    const warn = new Checklist({ policy: base, platform: createTestPlatform() });
    warn.location!.setAddress({ ...addr, region: 'MS' });
    expect([warn.location!.status, warn.location!.reason]).toEqual(['warning', 'OTHER_REGION']);
    const block = new Checklist({ policy: { ...base, licensure: 'block' }, platform: createTestPlatform() });
    block.location!.setAddress({ ...addr, country: 'CA', region: 'ON' });
    expect([block.location!.status, block.location!.reason]).toEqual(['failed', 'OTHER_COUNTRY']);
    const unknown = new Checklist({ policy: base, platform: createTestPlatform() });
    unknown.location!.setAddress({ ...addr, region: undefined });
    expect([unknown.location!.status, unknown.location!.reason]).toEqual(['failed', 'REGION_MISSING']);
    const off = new Checklist({ policy: { ...base, licensure: 'off' }, platform: createTestPlatform() });
    off.location!.setAddress({ ...addr, country: 'FR', region: undefined });
    expect(off.location!.status).toBe('passed');
    expect(off.location!.licensure).toBeUndefined();
  });

  it('refuses bad input with the field at fault, never truncating', () => {
    const c = new Checklist({ policy: base, platform: createTestPlatform() });
    const loc = c.location!;
    expect(fail(() => loc.setAddress({ ...addr, country: 'USA' }))).toMatchObject({ code: 'ANSWER_INVALID', field: 'country' });
    expect(fail(() => loc.setAddress({ ...addr, country: '' }))).toMatchObject({ code: 'ANSWER_INVALID', field: 'country' });
    expect(fail(() => loc.setAddress({ ...addr, region: 'CA-ON' }))).toMatchObject({ code: 'ANSWER_INVALID', field: 'region' });
    expect(fail(() => loc.setAddress({ ...addr, street: ' ' }))).toMatchObject({ code: 'ANSWER_INVALID', field: 'street' });
    expect(fail(() => loc.setAddress({ ...addr, street: 'x'.repeat(ANSWER_LIMITS.street + 1) }))).toMatchObject({
      code: 'ANSWER_TOO_LONG',
      field: 'street',
      maxLength: ANSWER_LIMITS.street,
    });
    expect(fail(() => loc.setAddress({ ...addr, locality: 'Nash\u0007ville' }))).toMatchObject({
      code: 'ANSWER_INVALID',
      field: 'locality',
    });
    expect(fail(() => loc.setAddress({ ...addr, postalCode: '37203!' }))).toMatchObject({ code: 'ANSWER_INVALID', field: 'postalCode' });
    expect(loc.status).toBe('idle');
    // at the limit is fine
    loc.setAddress({ ...addr, street: 'é'.repeat(ANSWER_LIMITS.street) });
    expect(loc.address!.street).toHaveLength(ANSWER_LIMITS.street);
  });

  it('prefills from the last session on this device only when the app and the policy allow it', () => {
    const persistentStorage = new MemoryStorage();
    const first = new Checklist({ policy: base, platform: createTestPlatform({ persistentStorage }), rememberAnswers: true });
    first.location!.setAddress(addr);
    const next = new Checklist({ policy: base, platform: createTestPlatform({ persistentStorage }), rememberAnswers: true });
    expect(next.location!.prefill).toMatchObject({ country: 'US', region: 'US-TN', street: '1 Broadway' });
    expect(next.location!.status).toBe('idle'); // the client confirms; never answered automatically
    expect(new Checklist({ policy: base, platform: createTestPlatform({ persistentStorage }) }).location!.prefill).toBeUndefined();
    const noPrefill = { ...base, prefillLocation: false };
    expect(
      new Checklist({ policy: noPrefill, platform: createTestPlatform({ persistentStorage }), rememberAnswers: true }).location!.prefill,
    ).toBeUndefined();
    next.location!.forgetRemembered();
    expect(
      new Checklist({ policy: base, platform: createTestPlatform({ persistentStorage }), rememberAnswers: true }).location!.prefill,
    ).toBeUndefined();
    // nothing is written when the app does not remember
    const store = new MemoryStorage();
    new Checklist({ policy: base, platform: createTestPlatform({ persistentStorage: store }) }).location!.setAddress(addr);
    expect(store.map.size).toBe(0);
  });
});

describe('emergency-plan step', () => {
  it('validates and normalises phone numbers with the location country, keeping what was typed', () => {
    const c = new Checklist({ policy: base, platform: createTestPlatform() });
    const ep = c.emergencyPlan!;
    expect(fail(() => ep.setPlan(plan))).toMatchObject({ code: 'PHONE_NEEDS_COUNTRY_CODE', field: 'contactPhone' });
    c.location!.setAddress(addr);
    expect(ep.previewPhone('(615) 555-0100')).toEqual({ entered: '(615) 555-0100', e164: '+16155550100' });
    const a = ep.setPlan({ ...plan, note: 'Call the landline first' });
    expect(a.contactPhone).toEqual({ entered: '(615) 555-0100', e164: '+16155550100' });
    expect(a.callbackPhone).toEqual({ entered: '+1 615 555 0199', e164: '+16155550199' });
    expect(a).toMatchObject({
      contactName: 'Sam Doe',
      plan: 'therapist-calls',
      note: 'Call the landline first',
      cancellationPolicyAcknowledged: true,
    });
    expect(ep.status).toBe('passed');
  });

  it('requires the cancellation policy acknowledgement when the policy has one', () => {
    const c = new Checklist({ policy: base, platform: createTestPlatform() });
    c.location!.setAddress(addr);
    expect(c.emergencyPlan!.cancellationPolicy).toContain('24 hours');
    expect(fail(() => c.emergencyPlan!.setPlan({ ...plan, cancellationPolicyAcknowledged: false }))).toMatchObject({
      code: 'ANSWER_INVALID',
      field: 'cancellationPolicyAcknowledged',
    });
    const none = new Checklist({ policy: { ...base, cancellationPolicy: undefined }, platform: createTestPlatform() });
    none.location!.setAddress(addr);
    expect(
      none.emergencyPlan!.setPlan({ ...plan, cancellationPolicyAcknowledged: undefined }).cancellationPolicyAcknowledged,
    ).toBeUndefined();
  });

  it('refuses bad answers field by field', () => {
    const c = new Checklist({ policy: base, platform: createTestPlatform() });
    c.location!.setAddress(addr);
    const ep = c.emergencyPlan!;
    expect(fail(() => ep.setPlan({ ...plan, contactName: '' }))).toMatchObject({ code: 'ANSWER_INVALID', field: 'contactName' });
    expect(fail(() => ep.setPlan({ ...plan, contactName: 'x'.repeat(ANSWER_LIMITS.contactName + 1) }))).toMatchObject({
      code: 'ANSWER_TOO_LONG',
      field: 'contactName',
    });
    expect(fail(() => ep.setPlan({ ...plan, callbackPhone: '555' }))).toMatchObject({ code: 'PHONE_TOO_SHORT', field: 'callbackPhone' });
    expect(fail(() => ep.setPlan({ ...plan, callbackPhone: 'call me' }))).toMatchObject({
      code: 'PHONE_INVALID_CHARS',
      field: 'callbackPhone',
    });
    expect(fail(() => ep.setPlan({ ...plan, plan: 'carrier-pigeon' as never }))).toMatchObject({ code: 'ANSWER_INVALID', field: 'plan' });
    expect(fail(() => ep.setPlan({ ...plan, note: 'n'.repeat(ANSWER_LIMITS.planNote + 1) }))).toMatchObject({
      code: 'ANSWER_TOO_LONG',
      field: 'note',
    });
    expect(ep.status).toBe('idle');
  });

  it('prefills the contacts from this device when allowed', () => {
    const persistentStorage = new MemoryStorage();
    const first = new Checklist({ policy: base, platform: createTestPlatform({ persistentStorage }), rememberAnswers: true });
    first.location!.setAddress(addr);
    first.emergencyPlan!.setPlan(plan);
    const next = new Checklist({ policy: base, platform: createTestPlatform({ persistentStorage }), rememberAnswers: true });
    expect(next.emergencyPlan!.prefill).toEqual({
      contactName: 'Sam Doe',
      contactPhone: '(615) 555-0100',
      callbackPhone: '+1 615 555 0199',
    });
    expect(next.emergencyPlan!.status).toBe('idle');
  });
});

describe('environment step', () => {
  it('passes once all four answers are known; warns when not private', () => {
    const c = new Checklist({ policy: base, platform: createTestPlatform() });
    const env = c.environment!;
    env.answer({ privateSpace: true, deviceType: 'computer' });
    expect(env.status).toBe('idle');
    env.answer({ privateNetwork: true, connectionType: 'ethernet' });
    expect(env.status).toBe('passed');
    expect(env.details).toEqual({
      privateSpace: true,
      privateNetwork: true,
      deviceType: 'computer',
      connectionType: 'ethernet',
      connectionTypeSource: 'asked',
    });
    env.answer({ privateSpace: false });
    expect([env.status, env.reason]).toEqual(['warning', 'NOT_PRIVATE_SPACE']);
    env.answer({ privateSpace: true, privateNetwork: false });
    expect([env.status, env.reason]).toEqual(['warning', 'NOT_PRIVATE_NETWORK']);
    expect(fail(() => env.answer({ deviceType: 'toaster' as never }))).toMatchObject({ code: 'ANSWER_INVALID', field: 'deviceType' });
    expect(fail(() => env.answer({ privateSpace: 'yes' as never }))).toMatchObject({ code: 'ANSWER_INVALID', field: 'privateSpace' });
  });

  it('detects the connection type through the Network Information API and suggests the device type', async () => {
    const platform = createTestPlatform();
    platform.netInfo = { type: 'cellular', effectiveType: '4g' };
    platform.hint = 'phone';
    const c = new Checklist({ policy: base, platform });
    expect(c.environment!.suggestedDeviceType).toBe('phone');
    await c.start();
    expect(c.environment!.details).toEqual({ connectionType: 'cellular', connectionTypeSource: 'detected' });
    c.environment!.answer({ connectionType: 'wifi' });
    expect(c.environment!.details!.connectionTypeSource).toBe('asked');
    // desktop browsers report no type: asked
    const desktop = createTestPlatform();
    desktop.netInfo = { effectiveType: '4g' };
    const d = new Checklist({ policy: base, platform: desktop });
    d.environment!.detect();
    expect(d.environment!.details).toBeUndefined();
  });
});

describe('browser step', () => {
  it.each([
    ['everything present', {}, true, 'passed', undefined],
    ['no encoded transforms', { encodedTransforms: false }, true, 'failed', 'NO_ENCODED_TRANSFORMS'],
    ['no encoded transforms, E2EE not required', { encodedTransforms: false }, false, 'warning', 'NO_ENCODED_TRANSFORMS'],
    ['no WebRTC', { webrtc: false, encodedTransforms: false }, true, 'failed', 'NO_WEBRTC'],
  ] as const)('%s', async (_c, caps, requireE2ee, status, reason) => {
    const platform = createTestPlatform();
    platform.caps = { ...platform.caps, ...caps };
    const c = new Checklist({ policy: base, platform, requireE2ee });
    expect(await c.browser!.run()).toBe(status);
    expect(c.browser!.reason).toBe(reason);
  });

  it('names an insecure context and missing device API first', async () => {
    const platform = createTestPlatform();
    platform.secure = false;
    (platform as { mediaDevices: unknown }).mediaDevices = undefined;
    platform.caps = { ...platform.caps, encodedTransforms: false };
    const c = new Checklist({ policy: base, platform });
    await c.start();
    expect(c.browser!.reason).toBe('INSECURE_CONTEXT');
    expect(c.browser!.details!.missing).toEqual(['INSECURE_CONTEXT', 'NO_MEDIA_DEVICES', 'NO_ENCODED_TRANSFORMS']);
  });
});

describe('custom step', () => {
  it("shows the policy's title and text and records the acknowledgement", () => {
    const c = new Checklist({ policy: base, platform: createTestPlatform() });
    const step = c.custom('custom-recording')!;
    expect([step.title, step.text, step.kind]).toEqual(['Recording', 'Sessions are not recorded.', 'custom']);
    step.acknowledge();
    expect(step.status).toBe('passed');
    expect(c.customSteps).toEqual([step]);
  });

  it('needs a new acknowledgement when the text changes', () => {
    const c = new Checklist({ policy: base, platform: createTestPlatform() });
    c.custom('custom-recording')!.acknowledge();
    const steps = base.steps.map((s) => (s.id === 'custom-recording' ? { ...s, text: 'Sessions may be recorded.' } : s));
    c.bind({ ...fakeBinding(), policy: { ...base, steps } });
    expect(c.custom('custom-recording')!.status).toBe('idle');
    c.close();
  });
});

function fakeBinding() {
  return {
    sessionId: 's',
    participantId: 'p',
    policy: base,
    signer: { identityKey: 'AAAA', sign: () => new Uint8Array(64) },
    submit: async () => ({ admissible: false, missing: [] }),
    seal: () => undefined,
    request: async () => ({}) as never,
  };
}
