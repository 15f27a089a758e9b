/**
 * Checklist fixtures for tests: a consent document with its hash, device identity keys and signed
 * consent receipts (what a client's `@alcove/core` checklist produces).
 * Exported by `@alcove/server/testing`.
 */
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { consentReceiptMessage, type ConsentReceipt } from '@alcove/protocol';
import type { ChecklistInput } from '../../sessions/types.js';

/** A consent document's text and its SHA-256. */
export const CONSENT_TEXT = 'I consent to tele-therapy. Les séances sont confidentielles.';
export const CONSENT_SHA256 = createHash('sha256').update(CONSENT_TEXT, 'utf8').digest('hex');
export const CONSENT_VERSION = 'v3';

/** A checklist policy with every built-in step, a custom one and the consent document. */
export const FULL_CHECKLIST: ChecklistInput = {
  steps: [
    'consent',
    'location',
    'emergency-plan',
    'environment',
    'browser',
    'camera',
    'microphone',
    'speaker',
    'network',
    { id: 'custom-insurance', title: 'Insurance', text: 'Bring your insurance card.', required: false },
  ],
  consent: { version: CONSENT_VERSION, sha256: CONSENT_SHA256, text: CONSENT_TEXT },
};

/** A device identity: an Ed25519 key pair and its raw public key in base64. */
export interface TestIdentity {
  readonly privateKey: KeyObject;
  /** Raw 32-byte public key, base64. */
  readonly identityKey: string;
}

/** A fresh Ed25519 device identity. */
export function newIdentity(): TestIdentity {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const x = publicKey.export({ format: 'jwk' }).x as string;
  return { privateKey, identityKey: Buffer.from(x, 'base64url').toString('base64') };
}

/** A consent receipt signed by `id` (fields overridable to forge bad ones). */
export function signReceipt(
  id: TestIdentity,
  f: { sessionId: string; participantId: string; version?: string; sha256?: string; signedAt?: number },
): ConsentReceipt {
  const version = f.version ?? CONSENT_VERSION;
  const sha256 = f.sha256 ?? CONSENT_SHA256;
  const signedAt = f.signedAt ?? Date.now();
  const msg = consentReceiptMessage({ sessionId: f.sessionId, participantId: f.participantId, version, sha256, signedAt });
  const signature = sign(null, Buffer.from(msg, 'utf8'), id.privateKey).toString('base64');
  return { version, sha256, signedAt, identityKey: id.identityKey, signature };
}

/** Every step of {@link FULL_CHECKLIST} passed (the custom one too). */
export function allPassed(): Record<string, 'passed'> {
  const steps: Record<string, 'passed'> = {};
  for (const s of FULL_CHECKLIST.steps ?? []) steps[typeof s === 'string' ? s : s.id] = 'passed';
  return steps;
}
