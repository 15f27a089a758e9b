import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { consentReceiptMessage, isChecklistStepId } from './checklist.js';
import { parseClientMessage } from './parse.js';
import { ChecklistPolicyInfo } from './schemas/checklist.js';

const sha = '5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef';
const req = (method: string, data: unknown) => JSON.stringify({ v: 1, id: 1, method, data });

describe('checklist wire shapes', () => {
  it('knows built-in and custom step ids and refuses others', () => {
    expect(isChecklistStepId('consent')).toBe(true);
    expect(isChecklistStepId('network')).toBe(true);
    expect(isChecklistStepId('custom-insurance')).toBe(true);
    expect(isChecklistStepId('custom-')).toBe(false);
    expect(isChecklistStepId('location2')).toBe(false);
    expect(isChecklistStepId('Consent')).toBe(false);
  });

  it('builds the consent receipt message from its fields, in a fixed order', () => {
    const m = consentReceiptMessage({ sessionId: 's1', participantId: 'p1', version: 'v3', sha256: sha, signedAt: 5 });
    expect(m).toBe(`alcove-consent v1\ns1\np1\nv3\n${sha}\n5`);
    expect(() => consentReceiptMessage({ sessionId: 's\n1', participantId: 'p1', version: 'v3', sha256: sha, signedAt: 5 })).toThrow(
      TypeError,
    );
    expect(() => consentReceiptMessage({ sessionId: 's1', participantId: 'p1', version: 'v3', sha256: sha, signedAt: -1 })).toThrow(
      TypeError,
    );
  });

  it('a checklist.submit with a warning status and a receipt parses; an answer field does not', () => {
    const ok = parseClientMessage(req('checklist.submit', { status: { steps: { camera: 'warning' }, complete: false } }));
    expect(ok.ok).toBe(true);
    const leak = parseClientMessage(req('checklist.submit', { status: { steps: {}, complete: false }, location: 'Main St' }));
    expect(leak.ok).toBe(false);
    const badHash = parseClientMessage(
      req('checklist.submit', {
        status: { steps: {}, complete: false },
        consent: { version: 'v1', sha256: 'XYZ', signedAt: 1, identityKey: 'AA', signature: 'AA' },
      }),
    );
    expect(badHash.ok).toBe(false);
  });

  it('checklist.relay refuses unknown types and oversize payloads', () => {
    expect(parseClientMessage(req('checklist.relay', { to: 'h1', type: 'sealed', payload: 'A'.repeat(6144) })).ok).toBe(true);
    expect(parseClientMessage(req('checklist.relay', { to: 'h1', type: 'sealed', payload: 'A'.repeat(6145) })).ok).toBe(false);
    expect(parseClientMessage(req('checklist.relay', { to: 'h1', type: 'key', payload: 'AA' })).ok).toBe(false);
  });

  it('the policy info takes https consent URLs only and ISO 3166 jurisdictions', () => {
    const base = {
      steps: [],
      requiredBeforeAdmission: false,
      jurisdictions: ['US-TN', 'DE'],
      licensure: 'block',
      shareJurisdiction: false,
      prefillLocation: true,
    };
    expect(v.safeParse(ChecklistPolicyInfo, base).success).toBe(true);
    expect(v.safeParse(ChecklistPolicyInfo, { ...base, jurisdictions: ['Tennessee'] }).success).toBe(false);
    const consent = { version: 'v1', sha256: sha, rememberOnDevice: false };
    expect(v.safeParse(ChecklistPolicyInfo, { ...base, consent: { ...consent, url: 'https://example.org/consent.pdf' } }).success).toBe(
      true,
    );
    expect(v.safeParse(ChecklistPolicyInfo, { ...base, consent: { ...consent, url: 'javascript:alert(1)' } }).success).toBe(false);
  });
});
