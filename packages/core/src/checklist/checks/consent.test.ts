import { createHash } from 'node:crypto';
import type { ChecklistPolicyInfo, ConsentDocument, ConsentReceipt } from '@alcove/protocol';
import { consentReceiptMessage } from '@alcove/protocol';
import { describe, expect, it, vi } from 'vitest';
import { MemoryStorage } from '../../test/fake-platform.js';
import { Checklist } from '../checklist.js';
import { ChecklistError } from '../errors.js';
import { createTestPlatform, testBinding, testSigner } from '../test/fakes.js';
import { signConsentReceipt, verifyConsentReceipt } from './consent.js';

const sha = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');
const TEXT_V1 = 'I consent to therapy by video. Version 1.';
const TEXT_V2 = 'I consent to therapy by video. Version 2, with recording rules.';
const doc = (text: string, version: string, rememberOnDevice = true): ConsentDocument => ({
  version,
  sha256: sha(text),
  text,
  rememberOnDevice,
});
const policy = (consent: ConsentDocument | undefined, required = true): ChecklistPolicyInfo => ({
  steps: [
    { id: 'consent', required, allowWarning: false },
    { id: 'custom-rules', required: false, allowWarning: false, title: 'Rules', text: 'Be kind' },
  ],
  requiredBeforeAdmission: true,
  ...(consent ? { consent } : {}),
  jurisdictions: [],
  licensure: 'off',
  shareJurisdiction: false,
  prefillLocation: false,
});

describe('consent step', () => {
  it('acknowledges a text document after verifying its SHA-256', async () => {
    const c = new Checklist({ policy: policy(doc(TEXT_V1, 'v1')), platform: createTestPlatform() });
    const consent = c.consent!;
    expect(consent.document?.version).toBe('v1');
    expect(consent.status).toBe('idle');
    const changes: string[] = [];
    consent.on('statusChanged', ({ from, to }) => changes.push(`${from}→${to}`));
    const details = await consent.acknowledge();
    expect(details).toMatchObject({ version: 'v1', sha256: sha(TEXT_V1), remembered: false });
    expect(consent.status).toBe('passed');
    expect(consent.acknowledged).toBe(true);
    expect(changes).toEqual(['idle→passed']);
  });

  it('refuses a document whose text does not match its hash', async () => {
    const bad: ConsentDocument = { ...doc(TEXT_V1, 'v1'), text: `${TEXT_V1} (edited)` };
    const c = new Checklist({ policy: policy(bad), platform: createTestPlatform() });
    await expect(c.consent!.acknowledge()).rejects.toMatchObject({ code: 'CONSENT_HASH_MISMATCH' });
    expect(c.consent!.status).toBe('failed');
    expect(c.consent!.reason).toBe('CONSENT_HASH_MISMATCH');
    expect(await c.consent!.run()).toBe('failed');
  });

  it('verifies the bytes of a URL document when the app passes them', async () => {
    const url: ConsentDocument = {
      version: 'v9',
      sha256: sha('PDF bytes'),
      url: 'https://practice.example/consent.pdf',
      rememberOnDevice: false,
    };
    const c = new Checklist({ policy: policy(url), platform: createTestPlatform() });
    await expect(c.consent!.acknowledge({ documentBytes: new TextEncoder().encode('other bytes') })).rejects.toBeInstanceOf(ChecklistError);
    await c.consent!.acknowledge({ documentBytes: new TextEncoder().encode('PDF bytes') });
    expect(c.consent!.status).toBe('passed');
  });

  it('cannot pass without a document, and a decline fails the step', async () => {
    const none = new Checklist({ policy: policy(undefined), platform: createTestPlatform() });
    await expect(none.consent!.acknowledge()).rejects.toMatchObject({ code: 'CONSENT_REQUIRED' });
    expect(await none.consent!.run()).toBe('failed');
    expect(none.consent!.reason).toBe('NO_CONSENT_DOCUMENT');

    const c = new Checklist({ policy: policy(doc(TEXT_V1, 'v1')), platform: createTestPlatform() });
    c.consent!.decline();
    expect(c.consent!.status).toBe('failed');
    expect(c.consent!.reason).toBe('CONSENT_DECLINED');
    expect(() => c.consent!.skip()).toThrow(expect.objectContaining({ code: 'STEP_REQUIRED' }));
  });

  it('binds the receipt to document, session, participant and time, signed by the device key', async () => {
    const p = policy(doc(TEXT_V1, 'v1'));
    const c = new Checklist({ policy: p, platform: createTestPlatform() });
    await c.consent!.acknowledge();
    const b = testBinding(p);
    const data = await c.submission(b);
    const receipt = data.consent!;
    expect(receipt).toMatchObject({ version: 'v1', sha256: sha(TEXT_V1), identityKey: b.signer.identityKey });
    expect(receipt.signedAt).toBe(c.consent!.details!.acknowledgedAt);
    const expected = { sessionId: b.sessionId, participantId: b.participantId, document: p.consent!, identityKey: b.signer.identityKey };
    expect(verifyConsentReceipt(receipt, expected)).toBe(true);
    // the signature covers exactly consentReceiptMessage
    const other = testSigner();
    const forged = await signConsentReceipt(
      { sessionId: b.sessionId, participantId: b.participantId, version: 'v1', sha256: sha(TEXT_V1), signedAt: receipt.signedAt },
      other,
    );
    expect(verifyConsentReceipt(forged, expected)).toBe(false); // another device's key
    expect(verifyConsentReceipt(forged, { sessionId: b.sessionId, participantId: b.participantId })).toBe(true); // valid for its own key
    expect(consentReceiptMessage({ sessionId: 's', participantId: 'p', version: 'v1', sha256: 'h', signedAt: 1 })).toContain(
      'alcove-consent v1',
    );
  });

  it('fails verification of a tampered receipt', async () => {
    const p = policy(doc(TEXT_V1, 'v1'));
    const c = new Checklist({ policy: p, platform: createTestPlatform() });
    await c.consent!.acknowledge();
    const b = testBinding(p);
    const r = (await c.submission(b)).consent!;
    const ids = { sessionId: b.sessionId, participantId: b.participantId };
    const flip = (s: string): string => {
      const bytes = Uint8Array.from(atob(s), (ch) => ch.charCodeAt(0));
      bytes[0] = bytes[0]! ^ 1;
      return btoa(String.fromCharCode(...bytes));
    };
    const tampered: [string, ConsentReceipt, typeof ids][] = [
      ['hash', { ...r, sha256: sha(TEXT_V2) }, ids],
      ['version', { ...r, version: 'v2' }, ids],
      ['time', { ...r, signedAt: r.signedAt + 1 }, ids],
      ['signature', { ...r, signature: flip(r.signature) }, ids],
      ['key', { ...r, identityKey: testSigner().identityKey }, ids],
      ['session', r, { ...ids, sessionId: 'session-2' }],
      ['participant', r, { ...ids, participantId: 'client-2' }],
      ['malformed signature', { ...r, signature: 'AAAA' }, ids],
    ];
    for (const [what, receipt, expect_] of tampered) expect(verifyConsentReceipt(receipt, expect_), what).toBe(false);
    expect(verifyConsentReceipt(r, { ...ids, document: { version: 'v2', sha256: sha(TEXT_V2) } })).toBe(false); // another document
    expect(verifyConsentReceipt(r, ids)).toBe(true);
  });

  it('remembers an unchanged document on the device when the policy allows it; a new version needs new consent', async () => {
    const persistentStorage = new MemoryStorage();
    const first = new Checklist({ policy: policy(doc(TEXT_V1, 'v1')), platform: createTestPlatform({ persistentStorage }) });
    await first.consent!.acknowledge();
    first.close();

    // next session on this device (a new tab): the same version and hash count at once (verified)
    const again = new Checklist({ policy: policy(doc(TEXT_V1, 'v1')), platform: createTestPlatform({ persistentStorage }) });
    await vi.waitFor(() => expect(again.consent!.status).toBe('passed'));
    expect(again.consent!.details).toMatchObject({ version: 'v1', remembered: true });

    // a new version: nothing remembered for it
    const v2 = new Checklist({ policy: policy(doc(TEXT_V2, 'v2')), platform: createTestPlatform({ persistentStorage }) });
    await new Promise((r) => setTimeout(r, 10));
    expect(v2.consent!.status).toBe('idle');

    // forget() on the device
    again.consent!.forget();
    const after = new Checklist({ policy: policy(doc(TEXT_V1, 'v1')), platform: createTestPlatform({ persistentStorage }) });
    await new Promise((r) => setTimeout(r, 10));
    expect(after.consent!.status).toBe('idle');
  });

  it('does not remember when the document or the app says no', async () => {
    const persistentStorage = new MemoryStorage();
    const no = new Checklist({ policy: policy(doc(TEXT_V1, 'v1', false)), platform: createTestPlatform({ persistentStorage }) });
    await no.consent!.acknowledge();
    expect(persistentStorage.map.size).toBe(0);
    const app = new Checklist({
      policy: policy(doc(TEXT_V1, 'v1')),
      platform: createTestPlatform({ persistentStorage }),
      rememberConsent: false,
    });
    await app.consent!.acknowledge();
    expect(persistentStorage.map.size).toBe(0);
  });

  it('asks again when the session binds with a new document version', async () => {
    const p1 = policy(doc(TEXT_V1, 'v1', false));
    const c = new Checklist({ policy: p1, platform: createTestPlatform() });
    await c.consent!.acknowledge();
    c.custom('custom-rules')?.acknowledge();
    const p2 = policy(doc(TEXT_V2, 'v2', false));
    const b = testBinding(p2);
    c.bind(b);
    expect(c.consent!.status).toBe('idle');
    expect(c.consent!.document!.version).toBe('v2');
    expect((await c.submission(b)).consent).toBeUndefined();
    await c.consent!.acknowledge();
    expect(
      verifyConsentReceipt((await c.submission(b)).consent!, {
        sessionId: b.sessionId,
        participantId: b.participantId,
        document: p2.consent!,
      }),
    ).toBe(true);
    c.close();
  });
});
