import * as v from 'valibot';
import { Id, b64, str, uint } from './common.js';

/**
 * The pre-session checklist's wire shapes (ARCHITECTURE §8). The server learns step statuses, the
 * consent receipt (document version, hash, signature) and the licensure outcome; every answer that
 * identifies the client travels sealed to the hosts through `checklist.relay`, never in these.
 */

/** A step id: a built-in one ({@link CHECKLIST_STEP_IDS}) or `custom-…` defined by the policy. */
export const StepId = v.pipe(v.string(), v.maxLength(40), v.regex(/^[a-z][a-z0-9-]*$/));

/** Status of one checklist step as the server may know it: never the answer itself. */
export const CheckStatus = v.picklist(['pending', 'passed', 'warning', 'failed', 'skipped']);

/** What the server learns of a checklist: which steps passed, never what was entered. */
export const ChecklistStatus = v.strictObject({
  steps: v.pipe(
    v.record(StepId, CheckStatus),
    v.check((o) => Object.keys(o).length <= 32, 'too many checklist steps'),
  ),
  complete: v.boolean(),
});

/** ISO 3166-1 alpha-2 country (`DE`) or ISO 3166-2 subdivision (`US-TN`). */
export const Jurisdiction = v.pipe(v.string(), v.regex(/^[A-Z]{2}(-[A-Z0-9]{1,3})?$/));

/** A lowercase hex SHA-256 digest. */
export const Sha256Hex = v.pipe(v.string(), v.regex(/^[0-9a-f]{64}$/));

/** A consent document version label, e.g. `2026-11` or `v3`. */
export const ConsentVersion = v.pipe(v.string(), v.minLength(1), v.maxLength(40), v.regex(/^[A-Za-z0-9._-]+$/));

/** One step of the checklist as the session policy defines it. */
export const ChecklistStepDef = v.strictObject({
  id: StepId,
  /** A required step must end `passed` (or `warning` where `allowWarning` is set) to count as done. */
  required: v.boolean(),
  /** Whether `warning` satisfies a required step (device and network checks: true by default). */
  allowWarning: v.boolean(),
  /** Heading shown for the step (custom steps; optional override for built-in ones). */
  title: v.optional(str(120)),
  /** Body text the client reads and acknowledges (custom steps). */
  text: v.optional(str(4000)),
});

/** The consent document a client acknowledges: its text or URL, bound by its SHA-256. */
export const ConsentDocument = v.strictObject({
  version: ConsentVersion,
  /** SHA-256 (lowercase hex) of the document's exact bytes (UTF-8 text, or the file at `url`). */
  sha256: Sha256Hex,
  text: v.optional(str(16_000)),
  url: v.optional(v.pipe(v.string(), v.maxLength(2048), v.regex(/^https:\/\/[^\s]+$/))),
  /** Whether an acknowledgement of this exact version may be remembered on the device. */
  rememberOnDevice: v.boolean(),
});

/** What happens when the client's location is outside the therapist's jurisdictions. */
export const LicensureMode = v.picklist(['off', 'warn', 'block']);
/** Outcome of the licensure check. `unknown`: no location given (yet). */
export const LicensureOutcome = v.picklist(['pass', 'warn', 'block', 'unknown']);

/** The checklist part of the session policy, as participants see it. */
export const ChecklistPolicyInfo = v.strictObject({
  steps: v.pipe(v.array(ChecklistStepDef), v.maxLength(32)),
  /** Whether required steps must be done before the host may admit the client. */
  requiredBeforeAdmission: v.boolean(),
  consent: v.optional(ConsentDocument),
  /** The therapist's licensed jurisdictions. */
  jurisdictions: v.pipe(v.array(Jurisdiction), v.maxLength(64)),
  licensure: LicensureMode,
  /** Whether the client's jurisdiction code may leave the session (audit, webhooks). Default false. */
  shareJurisdiction: v.boolean(),
  /** The practice's cancellation and no-show policy, acknowledged in the emergency-plan step. */
  cancellationPolicy: v.optional(str(4000)),
  /** Whether the app may prefill the location from the last session on this device. */
  prefillLocation: v.boolean(),
});

/**
 * A consent receipt: the client's device identity key signs {@link consentReceiptMessage} over
 * document version and hash, session, participant and time.
 */
export const ConsentReceipt = v.strictObject({
  version: ConsentVersion,
  sha256: Sha256Hex,
  /** Unix ms when the client acknowledged. */
  signedAt: uint(Number.MAX_SAFE_INTEGER),
  /** Ed25519 public key of the client's device (base64, 32 bytes). */
  identityKey: b64(64),
  /** Ed25519 signature (base64, 64 bytes). */
  signature: b64(128),
});

/** A guest's sealed-channel peer: a host and its identity key (no name). */
export const HostKey = v.strictObject({ participantId: Id, identityKey: b64(64) });

/** Relay types of the sealed checklist channel (pair handshake, then sealed messages). */
export const ChecklistRelayType = v.picklist(['commit', 'reveal', 'sealed']);
