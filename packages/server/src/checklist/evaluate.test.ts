import { describe, expect, it } from 'vitest';
import { resolvePolicy } from '../sessions/policy.js';
import { CONSENT_SHA256, CONSENT_TEXT } from '../signaling/testing/checklist-fixtures.js';
import { evaluateChecklist, unknownSteps } from './evaluate.js';

const policy = (over: Record<string, unknown> = {}) =>
  resolvePolicy({
    jurisdictions: ['US-TN'],
    checklist: {
      steps: ['consent', 'location', 'camera', { id: 'speaker', required: false }, { id: 'network', allowWarning: false }],
      consent: { version: 'v3', sha256: CONSENT_SHA256, text: CONSENT_TEXT },
      ...over,
    },
  }).checklist;

describe('evaluateChecklist', () => {
  it('lists unknown steps', () => {
    expect(unknownSteps(policy(), { camera: 'passed', microphone: 'passed', 'custom-x': 'failed' })).toEqual(['microphone', 'custom-x']);
  });

  it('fills in pending, honours allowWarning and required, and recomputes complete', () => {
    const c = policy();
    const ev = evaluateChecklist(c, { location: 'warning', camera: 'warning', network: 'warning' }, { consentVerified: false });
    expect(ev.status).toEqual({
      steps: { consent: 'pending', location: 'warning', camera: 'warning', speaker: 'pending', network: 'warning' },
      complete: false,
    });
    expect(ev.missing).toEqual(['consent', 'network']);
    expect(ev.admissible).toBe(true); // not required before admission
    const done = evaluateChecklist(
      c,
      { consent: 'passed', location: 'passed', camera: 'warning', network: 'passed', speaker: 'failed' },
      { consentVerified: true },
    );
    expect(done.status.complete).toBe(true);
    expect(done.missing).toEqual([]);
    // consent passed without a valid receipt does not count.
    const noReceipt = evaluateChecklist(
      c,
      { consent: 'passed', location: 'passed', camera: 'passed', network: 'passed' },
      { consentVerified: false },
    );
    expect(noReceipt.status.steps.consent).toBe('pending');
    expect(noReceipt.missing).toEqual(['consent']);
    // skipped and failed required steps are missing.
    expect(
      evaluateChecklist(c, { consent: 'passed', location: 'skipped', camera: 'failed', network: 'passed' }, { consentVerified: true })
        .missing,
    ).toEqual(['location', 'camera']);
  });

  it('admits only a complete checklist when required before admission, and never a licensure block in block mode', () => {
    const req = policy({ requiredBeforeAdmission: true });
    expect(evaluateChecklist(req, {}, { consentVerified: true }).admissible).toBe(false);
    const all = { consent: 'passed', location: 'passed', camera: 'passed', network: 'passed' } as const;
    expect(evaluateChecklist(req, all, { consentVerified: true }).admissible).toBe(true);
    expect(evaluateChecklist(req, all, { consentVerified: true, licensure: 'block' }).admissible).toBe(true); // warn mode
    const block = policy({ licensure: 'block' });
    expect(evaluateChecklist(block, {}, { consentVerified: false, licensure: 'block' }).admissible).toBe(false);
    expect(evaluateChecklist(block, {}, { consentVerified: false, licensure: 'warn' }).admissible).toBe(true);
    expect(evaluateChecklist(block, {}, { consentVerified: false, licensure: 'unknown' }).admissible).toBe(true);
  });
});
