/**
 * Checklist constants and the consent receipt's signed bytes, shared by the client that signs and
 * the server (and integrators) that verify.
 * @packageDocumentation
 */

/** Built-in step ids, in their default order. Custom steps are `custom-<name>`. */
export const CHECKLIST_STEP_IDS = [
  'consent',
  'location',
  'emergency-plan',
  'environment',
  'browser',
  'camera',
  'microphone',
  'speaker',
  'network',
] as const;

/** A built-in step id. */
export type BuiltInStepId = (typeof CHECKLIST_STEP_IDS)[number];

/** Custom step ids the policy may define: `custom-` and 1–32 of `[a-z0-9-]`. */
export const CUSTOM_STEP_RE = /^custom-[a-z0-9-]{1,32}$/;

/** Whether `id` is a step id a policy may define. */
export function isChecklistStepId(id: string): boolean {
  return (CHECKLIST_STEP_IDS as readonly string[]).includes(id) || CUSTOM_STEP_RE.test(id);
}

/** Limits of the checklist and its sealed channel. */
export const CHECKLIST_LIMITS = {
  /** Largest sealed blob (decoded bytes) per recipient in one `checklist.relay` of type `sealed`. */
  maxSealedBytes: 4096,
  /** The server forwards a client's sealed updates to a host at most once per this many ms (latest wins). */
  forwardIntervalMs: 1000,
  /** Audit lines / webhooks per client and session for checklist events, at most. */
  maxRecordsPerClient: 8,
} as const;

/** Limits of the network test. */
export const NETWORK_TEST_LIMITS = {
  /** The client's measurement takes at most this long. */
  maxDurationMs: 10_000,
  /** The server closes a test's transports after this long, whatever the client does. */
  serverTimeoutMs: 15_000,
  /** Network tests one participant may start per session. */
  maxPerParticipant: 5,
} as const;

/** What a consent receipt binds. */
export interface ConsentReceiptFields {
  readonly sessionId: string;
  readonly participantId: string;
  readonly version: string;
  readonly sha256: string;
  readonly signedAt: number;
}

/**
 * The exact bytes (UTF-8 of this string) a consent receipt's Ed25519 signature covers. Fields are
 * newline-separated; none may contain a newline (ids, version and hash are restricted by the schema).
 * @example
 * const msg = new TextEncoder().encode(consentReceiptMessage({ sessionId, participantId, version: 'v3', sha256, signedAt }));
 */
export function consentReceiptMessage(f: ConsentReceiptFields): string {
  for (const s of [f.sessionId, f.participantId, f.version, f.sha256]) {
    if (s.includes('\n')) throw new TypeError('consent receipt fields must not contain newlines');
  }
  if (!Number.isSafeInteger(f.signedAt) || f.signedAt < 0) throw new TypeError('signedAt must be a non-negative integer (Unix ms)');
  return ['alcove-consent v1', f.sessionId, f.participantId, f.version, f.sha256, String(f.signedAt)].join('\n');
}
