import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CONSENT_SHA256, CONSENT_TEXT, FULL_CHECKLIST } from '../signaling/testing/checklist-fixtures.js';
import { checklistPolicyInfo } from './checklist-policy.js';
import { SessionError } from './errors.js';
import { resolvePolicy } from './policy.js';

const consent = { version: 'v3', sha256: CONSENT_SHA256, text: CONSENT_TEXT };

/** The field of the INVALID_POLICY error `input` raises. */
function refusedField(input: unknown): string | undefined {
  try {
    resolvePolicy(input);
  } catch (e) {
    expect(e).toBeInstanceOf(SessionError);
    expect((e as SessionError).code).toBe('INVALID_POLICY');
    return (e as SessionError).field;
  }
  return undefined;
}

describe('checklist policy', () => {
  it('fills in the defaults: required, allowWarning per step, licensure from jurisdictions', () => {
    const p = resolvePolicy({ checklist: { steps: ['consent', 'location', 'camera', 'emergency-plan', 'network'], consent } });
    expect(p.checklist.steps).toEqual([
      { id: 'consent', required: true, allowWarning: false },
      { id: 'location', required: true, allowWarning: true },
      { id: 'camera', required: true, allowWarning: true },
      { id: 'emergency-plan', required: true, allowWarning: false },
      { id: 'network', required: true, allowWarning: true },
    ]);
    expect(p.checklist).toMatchObject({
      requiredBeforeAdmission: false,
      licensure: 'off',
      shareJurisdiction: false,
      prefillLocation: true,
    });
    expect(p.checklist.consent).toEqual({ ...consent, rememberOnDevice: false });
    expect(resolvePolicy({ jurisdictions: ['US-TN'] }).checklist.licensure).toBe('warn');
    expect(resolvePolicy({}).checklist).toEqual({
      steps: [],
      requiredBeforeAdmission: false,
      licensure: 'off',
      shareJurisdiction: false,
      prefillLocation: true,
    });
  });

  it('takes step objects with overrides and custom steps with a title and a text', () => {
    const p = resolvePolicy({
      jurisdictions: ['US-TN', 'DE'],
      checklist: {
        steps: [
          { id: 'camera', required: false, allowWarning: false, title: 'Your camera' },
          'location',
          { id: 'custom-insurance', title: 'Insurance', text: 'Have your card ready.' },
        ],
        requiredBeforeAdmission: true,
        licensure: 'block',
        shareJurisdiction: true,
        cancellationPolicy: 'Cancel 24 hours ahead.',
        prefillLocation: false,
      },
    });
    expect(p.checklist.steps).toEqual([
      { id: 'camera', required: false, allowWarning: false, title: 'Your camera' },
      { id: 'location', required: true, allowWarning: true },
      { id: 'custom-insurance', required: true, allowWarning: false, title: 'Insurance', text: 'Have your card ready.' },
    ]);
    expect(p.checklist).toMatchObject({
      requiredBeforeAdmission: true,
      licensure: 'block',
      shareJurisdiction: true,
      cancellationPolicy: 'Cancel 24 hours ahead.',
      prefillLocation: false,
    });
  });

  it('refuses bad definitions with the offending field', () => {
    const url = 'https://example.org/consent.pdf';
    const cases: [unknown, string][] = [
      [{ checklist: { steps: ['private-space'] } }, 'checklist.steps[0].id'],
      [{ checklist: { steps: ['camera', 'Camera'] } }, 'checklist.steps[1].id'],
      [{ checklist: { steps: ['camera', 'camera'] } }, 'checklist.steps[1].id'],
      [{ checklist: { steps: [{ id: 'camera' }, 'camera'] } }, 'checklist.steps[1].id'],
      [{ checklist: { steps: ['custom-x'] } }, 'checklist.steps[0]'],
      [{ checklist: { steps: [{ id: 'custom-x', title: 'X' }] } }, 'checklist.steps[0]'],
      [{ checklist: { steps: [{ id: 'custom-' }] } }, 'checklist.steps[0].id'],
      [{ checklist: { steps: [{ id: 'camera', title: 'x'.repeat(121) }] } }, 'checklist.steps[0].title'],
      [{ checklist: { steps: [{ id: 'camera', required: 'yes' }] } }, 'checklist.steps[0].required'],
      [{ checklist: { steps: [{ id: 'camera', answer: 'x' }] } }, 'checklist.steps[0].answer'],
      [{ checklist: { steps: [42] } }, 'checklist.steps[0]'],
      [{ checklist: { steps: Array.from({ length: 33 }, (_, i) => ({ id: `custom-s${i}`, title: 't', text: 't' })) } }, 'checklist.steps'],
      [{ checklist: { steps: 'camera' } }, 'checklist.steps'],
      [{ checklist: { steps: ['consent'] } }, 'checklist.consent'],
      [{ checklist: { steps: ['camera'], consent } }, 'checklist.steps'],
      [{ checklist: { steps: ['consent'], consent: { ...consent, sha256: 'ab'.repeat(32) } } }, 'checklist.consent.sha256'],
      [{ checklist: { steps: ['consent'], consent: { ...consent, sha256: CONSENT_SHA256.toUpperCase() } } }, 'checklist.consent.sha256'],
      [{ checklist: { steps: ['consent'], consent: { ...consent, url } } }, 'checklist.consent'],
      [{ checklist: { steps: ['consent'], consent: { version: 'v3', sha256: CONSENT_SHA256 } } }, 'checklist.consent'],
      [
        { checklist: { steps: ['consent'], consent: { version: 'v3', sha256: CONSENT_SHA256, url: 'http://example.org/c' } } },
        'checklist.consent.url',
      ],
      [
        { checklist: { steps: ['consent'], consent: { version: 'v3', sha256: CONSENT_SHA256, url: 'javascript:alert(1)' } } },
        'checklist.consent.url',
      ],
      [{ checklist: { steps: ['consent'], consent: { ...consent, version: 'v 3' } } }, 'checklist.consent.version'],
      [{ checklist: { steps: ['consent'], consent: { ...consent, rememberOnDevice: 1 } } }, 'checklist.consent.rememberOnDevice'],
      [{ checklist: { steps: ['consent'], consent: { ...consent, signedBy: 'x' } } }, 'checklist.consent.signedBy'],
      [{ checklist: { licensure: 'warn' } }, 'checklist.licensure'],
      [{ jurisdictions: ['US-TN'], checklist: { licensure: 'block', steps: ['camera'] } }, 'checklist.licensure'],
      [{ jurisdictions: ['US-TN'], checklist: { licensure: 'strict' } }, 'checklist.licensure'],
      [{ checklist: { shareJurisdiction: 'no' } }, 'checklist.shareJurisdiction'],
      [{ checklist: { cancellationPolicy: 'x'.repeat(4001) } }, 'checklist.cancellationPolicy'],
      [{ checklist: { prefillLocation: null } }, 'checklist.prefillLocation'],
      [{ checklist: { requiredBeforeAdmission: 1 } }, 'checklist.requiredBeforeAdmission'],
      [{ checklist: { location: 'Main St' } }, 'checklist.location'],
      [{ checklist: [] }, 'checklist'],
    ];
    for (const [input, field] of cases) expect(refusedField(input), JSON.stringify(input).slice(0, 120)).toBe(field);
  });

  it('keeps the definition small enough for a join result (64 KiB signalling messages)', () => {
    const text = 'é'.repeat(4000); // 8 000 UTF-8 bytes
    const steps = ['a', 'b', 'c', 'd'].map((n) => ({ id: `custom-${n}`, title: 'T', text }));
    expect(resolvePolicy({ checklist: { steps: steps.slice(0, 2) } }).checklist.steps).toHaveLength(2);
    expect(refusedField({ checklist: { steps } })).toBe('checklist');
  });

  it('takes a consent document by https URL and checks a text against its hash (UTF-8)', () => {
    const url = resolvePolicy({
      checklist: {
        steps: ['consent'],
        consent: { version: '2026-11', sha256: 'ab'.repeat(32), url: 'https://example.org/c.pdf', rememberOnDevice: true },
      },
    });
    expect(url.checklist.consent).toEqual({
      version: '2026-11',
      sha256: 'ab'.repeat(32),
      url: 'https://example.org/c.pdf',
      rememberOnDevice: true,
    });
    const text = 'Consentement éclairé ✓';
    const sha256 = createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex');
    expect(resolvePolicy({ checklist: { steps: ['consent'], consent: { version: 'v1', sha256, text } } }).checklist.consent?.text).toBe(
      text,
    );
    const latin1 = createHash('sha256').update(Buffer.from(text, 'latin1')).digest('hex');
    expect(refusedField({ checklist: { steps: ['consent'], consent: { version: 'v1', sha256: latin1, text } } })).toBe(
      'checklist.consent.sha256',
    );
  });

  it('resolves a resolved policy to itself (the registry re-reads stored policies)', () => {
    const once = resolvePolicy({ jurisdictions: ['US-TN'], checklist: { ...FULL_CHECKLIST, requiredBeforeAdmission: true } });
    expect(resolvePolicy(JSON.parse(JSON.stringify(once)))).toEqual(once);
  });

  it('gives participants the definition with the top-level jurisdictions, and nothing without steps', () => {
    const p = resolvePolicy({ jurisdictions: ['US-TN', 'US-GA'], checklist: { ...FULL_CHECKLIST, shareJurisdiction: true } });
    const info = checklistPolicyInfo(p);
    expect(info?.jurisdictions).toEqual(['US-TN', 'US-GA']);
    expect(info?.licensure).toBe('warn');
    expect(info?.steps.map((s) => s.id)).toEqual(p.checklist.steps.map((s) => s.id));
    expect(info?.consent?.sha256).toBe(CONSENT_SHA256);
    expect(checklistPolicyInfo(resolvePolicy({ jurisdictions: ['DE'] }))).toBeUndefined();
  });
});
