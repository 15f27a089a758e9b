/**
 * Consent receipts: the client's device identity key (Ed25519) signs
 * `consentReceiptMessage({sessionId, participantId, version, sha256, signedAt})` from
 * `@alcove/protocol`. The server checks a receipt before it records it; integrators check the
 * `consent.recorded` webhook with {@link verifyConsentReceipt}.
 * @packageDocumentation
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { consentReceiptMessage } from '@alcove/protocol';

/** A consent receipt as the `consent.recorded` webhook carries it. */
export interface ConsentReceiptRecord {
  readonly sessionId: string;
  readonly participantId: string;
  /** The consent document's version label. */
  readonly documentVersion: string;
  /** Lowercase hex SHA-256 of the consent document. */
  readonly documentSha256: string;
  /** Unix ms when the client acknowledged. */
  readonly signedAt: number;
  /** Ed25519 public key of the client's device, base64 (32 bytes). */
  readonly identityKey: string;
  /** Ed25519 signature, base64 (64 bytes). */
  readonly signature: string;
}

/** How far a receipt's `signedAt` may lie in the past / future when the server accepts it. */
export const CONSENT_RECEIPT_WINDOW = { maxAgeMs: 24 * 60 * 60 * 1000, maxFutureMs: 5 * 60 * 1000 } as const;

const B64_RE = /^[A-Za-z0-9+/]*$/;

/**
 * Strictly decodes base64 or base64url (padding optional) of exactly `length` bytes; `undefined`
 * for anything else (Node's own decoder silently skips bad characters).
 */
export function decodeBase64Exact(s: unknown, length: number): Buffer | undefined {
  if (typeof s !== 'string' || s.length > 4 * Math.ceil(length / 3) + 4) return undefined;
  const std = s
    .replace(/-/g, '+')
    .replace(/_/g, '/')
    .replace(/={0,2}$/, '');
  if (!B64_RE.test(std) || std.length % 4 === 1) return undefined;
  const bytes = Buffer.from(std, 'base64');
  if (bytes.length !== length || bytes.toString('base64').replace(/=+$/, '') !== std) return undefined;
  return bytes;
}

/** An Ed25519 public key object from its 32 raw bytes. */
function ed25519Key(raw: Buffer): KeyObject | undefined {
  try {
    return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
  } catch {
    return undefined;
  }
}

/**
 * Verifies a consent receipt's Ed25519 signature over its fields. It says nothing about *when* it
 * was signed or whether the document is the one you expect: compare `documentVersion` and
 * `documentSha256` with your consent document yourself. Never throws; anything malformed is `false`.
 * @example
 * ```ts
 * import { verifyConsentReceipt, verifyWebhook, type WebhookEventMap } from '@alcove/server/client';
 *
 * const event = verifyWebhook({ body: rawBody, header, secret });
 * if (event.type === 'consent.recorded') {
 *   const r = event.data as WebhookEventMap['consent.recorded'];
 *   const ok = verifyConsentReceipt(r) && r.documentSha256 === myConsentDocument.sha256;
 *   if (ok) await store.saveConsent(r); // keep the receipt as it is: it stays verifiable
 * }
 * ```
 */
export function verifyConsentReceipt(receipt: ConsentReceiptRecord): boolean {
  try {
    if (typeof receipt !== 'object' || receipt === null) return false;
    const { sessionId, participantId, documentVersion, documentSha256, signedAt } = receipt;
    for (const s of [sessionId, participantId, documentVersion, documentSha256])
      if (typeof s !== 'string' || s.length === 0 || s.length > 128) return false;
    if (!/^[0-9a-f]{64}$/.test(documentSha256)) return false;
    const raw = decodeBase64Exact(receipt.identityKey, 32);
    const sig = decodeBase64Exact(receipt.signature, 64);
    if (!raw || !sig) return false;
    const key = ed25519Key(raw);
    if (!key) return false;
    const message = consentReceiptMessage({ sessionId, participantId, version: documentVersion, sha256: documentSha256, signedAt });
    return verify(null, Buffer.from(message, 'utf8'), key, sig);
  } catch {
    return false;
  }
}
