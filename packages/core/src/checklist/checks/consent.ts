import { type ConsentDocument, type ConsentReceipt, consentReceiptMessage } from '@alcove/protocol';
import nacl from 'tweetnacl';
import { fromBase64, toBase64 } from '../../e2ee/encoding.js';
import type { Platform } from '../../platform/platform.js';
import { ChecklistError } from '../errors.js';
import type { ChecklistSigner } from '../types.js';
import { BaseCheck, type CheckContext, type PersistedStep } from './base.js';
import type { ChecklistStepDef } from '@alcove/protocol';

/** The consent step's details: which document was acknowledged, and when. */
export interface ConsentDetails {
  readonly version: string;
  readonly sha256: string;
  /** Unix ms of the acknowledgement in this session (the receipt's `signedAt`). */
  readonly acknowledgedAt: number;
  /** Whether it came from an acknowledgement remembered on this device (no click this session). */
  readonly remembered: boolean;
}

/** Options of {@link ConsentCheck.acknowledge}. */
export interface AcknowledgeOptions {
  /**
   * The document's bytes as the app showed them (e.g. fetched from `document.url`): verified against
   * the policy's SHA-256. Text documents are always verified.
   */
  readonly documentBytes?: Uint8Array;
}

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

/** SHA-256 (lowercase hex) through the platform, or WebCrypto. */
export async function sha256Hex(platform: Platform, data: Uint8Array): Promise<string> {
  if (platform.sha256) return hex(await platform.sha256(data));
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new ChecklistError('CONSENT_HASH_MISMATCH', 'no SHA-256 available to verify the consent document');
  return hex(new Uint8Array(await subtle.digest('SHA-256', data as Uint8Array<ArrayBuffer>)));
}

/**
 * Builds and signs a consent receipt over {@link consentReceiptMessage} (UTF-8) with the device key.
 * Asynchronous: the device key may be a non-extractable WebCrypto key.
 * @example
 * const receipt = await signConsentReceipt({ sessionId, participantId, version: 'v3', sha256, signedAt: Date.now() }, signer);
 */
export async function signConsentReceipt(
  fields: { sessionId: string; participantId: string; version: string; sha256: string; signedAt: number },
  signer: ChecklistSigner,
): Promise<ConsentReceipt> {
  const message = new TextEncoder().encode(consentReceiptMessage(fields));
  return {
    version: fields.version,
    sha256: fields.sha256,
    signedAt: fields.signedAt,
    identityKey: signer.identityKey,
    signature: toBase64(await signer.sign(message)),
  };
}

/** What a receipt must bind to verify. */
export interface ReceiptExpectation {
  readonly sessionId: string;
  readonly participantId: string;
  /** When given, the receipt must name exactly this document. */
  readonly document?: Pick<ConsentDocument, 'version' | 'sha256'>;
  /** When given, the receipt must be signed by exactly this key (base64). */
  readonly identityKey?: string;
}

/**
 * Verifies a consent receipt: the Ed25519 signature over session, participant, document version and
 * hash and time, with the receipt's key; optionally the document and key expected. Any tampering
 * (another hash, version, time, session or participant) fails.
 * @example
 * verifyConsentReceipt(receipt, { sessionId, participantId, document: policy.consent }); // true / false
 */
export function verifyConsentReceipt(receipt: ConsentReceipt, expected: ReceiptExpectation): boolean {
  if (expected.document && (receipt.version !== expected.document.version || receipt.sha256 !== expected.document.sha256)) return false;
  if (expected.identityKey !== undefined && receipt.identityKey !== expected.identityKey) return false;
  const key = fromBase64(receipt.identityKey);
  const sig = fromBase64(receipt.signature);
  if (!key || key.length !== nacl.sign.publicKeyLength || !sig || sig.length !== nacl.sign.signatureLength) return false;
  let message: Uint8Array;
  try {
    message = new TextEncoder().encode(
      consentReceiptMessage({
        sessionId: expected.sessionId,
        participantId: expected.participantId,
        version: receipt.version,
        sha256: receipt.sha256,
        signedAt: receipt.signedAt,
      }),
    );
  } catch {
    return false;
  }
  return nacl.sign.detached.verify(message, sig, key);
}

/**
 * The consent step: the client acknowledges the policy's versioned document (text or URL, bound by
 * its SHA-256). A text document is verified against its hash first. The receipt, signed with the
 * device identity key at submit time, binds version, hash, session, participant and time. An
 * acknowledgement of the same version and hash may be remembered on the device when the document
 * allows it; a new version needs a new acknowledgement.
 * @example
 * const consent = checklist.consent;
 * if (consent?.document?.text) show(consent.document.text);
 * await consent?.acknowledge();
 */
export class ConsentCheck extends BaseCheck<ConsentDetails> {
  readonly kind = 'consent' as const;

  constructor(def: ChecklistStepDef, ctx: CheckContext) {
    super(def, ctx);
    this.#applyRemembered();
  }

  /** The document to show, or `undefined` when the policy names none (the step cannot pass then). */
  get document(): ConsentDocument | undefined {
    return this.ctx.policy().consent;
  }

  /** Whether the current document's acknowledgement is in place. */
  get acknowledged(): boolean {
    const d = this.details;
    const doc = this.document;
    return this.status === 'passed' && !!d && !!doc && d.version === doc.version && d.sha256 === doc.sha256;
  }

  /**
   * Acknowledges the current document (after the client read it).
   * @throws {ChecklistError} `CONSENT_REQUIRED` when the policy has no document; `CONSENT_HASH_MISMATCH`
   *   when its text (or `documentBytes`) does not match its SHA-256 (the step fails).
   */
  async acknowledge(options: AcknowledgeOptions = {}): Promise<ConsentDetails> {
    this.assertOpen();
    const doc = this.#requireDocument();
    await this.#verify(doc, options.documentBytes);
    if (this.document !== doc) throw new ChecklistError('CONSENT_REQUIRED', 'the consent document changed meanwhile', { stepId: this.id });
    const details: ConsentDetails = {
      version: doc.version,
      sha256: doc.sha256,
      acknowledgedAt: Math.floor(this.ctx.now()),
      remembered: false,
    };
    this.setStatus('passed', { details });
    if (doc.rememberOnDevice && this.ctx.options.rememberConsent)
      this.ctx.remembered.addConsent({ version: doc.version, sha256: doc.sha256, at: details.acknowledgedAt });
    return details;
  }

  /** The client declines: the step fails (`CONSENT_DECLINED`) and nothing is remembered. */
  decline(): void {
    this.assertOpen();
    const doc = this.document;
    if (doc) this.ctx.remembered.removeConsent(doc.version, doc.sha256);
    this.setStatus('failed', { reason: 'CONSENT_DECLINED', details: undefined });
  }

  /** Forgets the remembered acknowledgement of the current document on this device (the status stays). */
  forget(): void {
    const doc = this.document;
    if (doc) this.ctx.remembered.removeConsent(doc.version, doc.sha256);
  }

  /**
   * The receipt for `sessionId`/`participantId`, signed now with `signer`.
   * @throws {ChecklistError} `CONSENT_REQUIRED` when the current document is not acknowledged (the promise rejects).
   */
  async receipt(sessionId: string, participantId: string, signer: ChecklistSigner): Promise<ConsentReceipt> {
    const d = this.details;
    if (!this.acknowledged || !d)
      throw new ChecklistError('CONSENT_REQUIRED', 'the consent document is not acknowledged', { stepId: this.id });
    return signConsentReceipt({ sessionId, participantId, version: d.version, sha256: d.sha256, signedAt: d.acknowledgedAt }, signer);
  }

  /** Verifies the document's text against its hash; leaves an acknowledgement in place. */
  protected async execute(signal: AbortSignal): Promise<void> {
    const doc = this.document;
    if (!doc) {
      this.setStatus('failed', { reason: 'NO_CONSENT_DOCUMENT', details: undefined });
      return;
    }
    await this.#verify(doc);
    signal.throwIfAborted();
    if (this.acknowledged) this.setStatus('passed');
    else this.setStatus('idle', { details: undefined });
  }

  /** Back to `idle`; an acknowledgement remembered on the device applies again (see {@link forget}). */
  override reset(): void {
    super.reset();
    this.#applyRemembered();
  }

  protected override policyChanged(): void {
    const d = this.details;
    const doc = this.document;
    if (d && (!doc || d.version !== doc.version || d.sha256 !== doc.sha256)) this.setStatus('idle', { details: undefined });
    this.#applyRemembered();
  }

  override persist(): PersistedStep | undefined {
    if (!this.acknowledged || !this.details) return undefined;
    return { status: 'passed', state: this.details };
  }

  override restore(saved: PersistedStep): void {
    const s = saved.state as Partial<ConsentDetails> | undefined;
    const doc = this.document;
    if (saved.status !== 'passed' || !s || !doc || s.version !== doc.version || s.sha256 !== doc.sha256) return;
    if (typeof s.acknowledgedAt !== 'number' || !Number.isSafeInteger(s.acknowledgedAt) || s.acknowledgedAt < 0) return;
    this.restoreStatus(saved, {
      version: doc.version,
      sha256: doc.sha256,
      acknowledgedAt: s.acknowledgedAt,
      remembered: s.remembered === true,
    });
  }

  #requireDocument(): ConsentDocument {
    const doc = this.document;
    if (!doc) throw new ChecklistError('CONSENT_REQUIRED', 'the session policy names no consent document', { stepId: this.id });
    return doc;
  }

  async #verify(doc: ConsentDocument, bytes?: Uint8Array): Promise<void> {
    const data = bytes ?? (doc.text !== undefined ? new TextEncoder().encode(doc.text) : undefined);
    if (!data) return; // a URL document: the app shows it; the receipt binds the policy's hash
    const digest = await sha256Hex(this.ctx.platform, data);
    if (digest !== doc.sha256) {
      this.setStatus('failed', {
        reason: 'CONSENT_HASH_MISMATCH',
        error: new ChecklistError('CONSENT_HASH_MISMATCH', 'consent document does not match its SHA-256', { stepId: this.id }),
        details: undefined,
      });
      throw new ChecklistError('CONSENT_HASH_MISMATCH', 'consent document does not match its SHA-256', { stepId: this.id });
    }
  }

  #applyRemembered(): void {
    const doc = this.document;
    if (this.status !== 'idle' || !doc || !doc.rememberOnDevice || !this.ctx.options.rememberConsent) return;
    if (doc.text !== undefined) return this.#applyRememberedVerified(doc);
    this.#useRemembered(doc);
  }

  #applyRememberedVerified(doc: ConsentDocument): void {
    // A remembered text document is still verified before it counts.
    if (!this.ctx.remembered.consent(doc.version, doc.sha256)) return;
    void sha256Hex(this.ctx.platform, new TextEncoder().encode(doc.text))
      .then((digest) => {
        if (digest === doc.sha256 && this.document === doc && this.status === 'idle' && !this.closed) this.#useRemembered(doc);
      })
      .catch(() => undefined);
  }

  #useRemembered(doc: ConsentDocument): void {
    if (!this.ctx.remembered.consent(doc.version, doc.sha256)) return;
    this.setStatus('passed', {
      details: { version: doc.version, sha256: doc.sha256, acknowledgedAt: Math.floor(this.ctx.now()), remembered: true },
    });
  }
}
