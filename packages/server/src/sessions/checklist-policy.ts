/**
 * The checklist part of a session policy: the integrator's input resolved into a full definition
 * (steps with their flags, consent document, licensure mode), and the view participants get.
 * @packageDocumentation
 */
import { createHash } from 'node:crypto';
import { CHECKLIST_STEP_IDS, CUSTOM_STEP_RE, isChecklistStepId, type ChecklistPolicyInfo } from '@alcove/protocol';
import { SessionError } from './errors.js';
import type { ChecklistConfig, ChecklistStepConfig, ConsentDocumentConfig, LicensureMode, SessionPolicy } from './types.js';

/** Bounds of the checklist definition (the same as the protocol's `ChecklistPolicyInfo`). */
export const CHECKLIST_POLICY_LIMITS = {
  steps: 32,
  title: 120,
  text: 4000,
  consentText: 16_000,
  consentUrl: 2048,
  cancellationPolicy: 4000,
  /**
   * Largest checklist definition, in UTF-8 bytes of its JSON: it travels in every participant's join
   * result, and a client refuses signalling messages over 64 KiB. Link long documents by `url`.
   */
  maxBytes: 24 * 1024,
} as const;

/** Built-in steps whose `warning` counts as done unless the policy says otherwise. */
export const WARNING_ALLOWED_BY_DEFAULT: ReadonlySet<string> = new Set([
  'environment',
  'browser',
  'camera',
  'microphone',
  'speaker',
  'network',
  'location',
]);

const CHECKLIST_KEYS = new Set([
  'steps',
  'requiredBeforeAdmission',
  'consent',
  'licensure',
  'shareJurisdiction',
  'cancellationPolicy',
  'prefillLocation',
]);
const STEP_KEYS = new Set(['id', 'required', 'allowWarning', 'title', 'text']);
const CONSENT_KEYS = new Set(['version', 'sha256', 'text', 'url', 'rememberOnDevice']);
const LICENSURE: readonly LicensureMode[] = ['off', 'warn', 'block'];
const VERSION_RE = /^[A-Za-z0-9._-]{1,40}$/;
const SHA256_RE = /^[0-9a-f]{64}$/;
const URL_RE = /^https:\/\/[^\s]+$/;

const bad = (field: string, message: string): never => {
  throw new SessionError('INVALID_POLICY', message, { field });
};

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function strict(o: Record<string, unknown>, keys: ReadonlySet<string>, prefix: string): void {
  for (const k of Object.keys(o)) if (!keys.has(k)) bad(`${prefix}.${k.slice(0, 40)}`, `Unknown field ${JSON.stringify(k.slice(0, 40))}.`);
}

function optBool(o: Record<string, unknown>, k: string, field: string, dflt: boolean): boolean {
  const v = o[k];
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') bad(field, `${field} must be a boolean.`);
  return v as boolean;
}

function optText(o: Record<string, unknown>, k: string, field: string, max: number): string | undefined {
  const v = o[k];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.length === 0 || v.length > max) bad(field, `${field} must be a string of 1 to ${max} characters.`);
  return v as string;
}

function resolveStep(input: unknown, i: number): ChecklistStepConfig {
  const field = `checklist.steps[${i}]`;
  const o: Record<string, unknown> =
    typeof input === 'string' ? { id: input } : isPlainObject(input) ? input : bad(field, `${field} must be a step id or an object.`);
  strict(o, STEP_KEYS, field);
  const id = o.id;
  if (typeof id !== 'string' || !isChecklistStepId(id)) {
    return bad(`${field}.id`, `${field}.id must be one of ${CHECKLIST_STEP_IDS.join(', ')} or custom-<name> (${CUSTOM_STEP_RE.source}).`);
  }
  const title = optText(o, 'title', `${field}.title`, CHECKLIST_POLICY_LIMITS.title);
  const text = optText(o, 'text', `${field}.text`, CHECKLIST_POLICY_LIMITS.text);
  const custom = id.startsWith('custom-');
  if (custom && (title === undefined || text === undefined)) bad(field, `Custom step ${id} needs a title and a text.`);
  return {
    id,
    required: optBool(o, 'required', `${field}.required`, true),
    allowWarning: optBool(o, 'allowWarning', `${field}.allowWarning`, WARNING_ALLOWED_BY_DEFAULT.has(id)),
    ...(title !== undefined ? { title } : {}),
    ...(text !== undefined ? { text } : {}),
  };
}

function resolveConsent(input: unknown): ConsentDocumentConfig {
  if (!isPlainObject(input)) return bad('checklist.consent', 'checklist.consent must be an object.');
  strict(input, CONSENT_KEYS, 'checklist.consent');
  const { version, sha256 } = input;
  if (typeof version !== 'string' || !VERSION_RE.test(version))
    bad('checklist.consent.version', 'checklist.consent.version must match ^[A-Za-z0-9._-]{1,40}$.');
  if (typeof sha256 !== 'string' || !SHA256_RE.test(sha256))
    bad('checklist.consent.sha256', 'checklist.consent.sha256 must be a lowercase hex SHA-256.');
  const text = optText(input, 'text', 'checklist.consent.text', CHECKLIST_POLICY_LIMITS.consentText);
  const url = input.url;
  if (url !== undefined && (typeof url !== 'string' || url.length > CHECKLIST_POLICY_LIMITS.consentUrl || !URL_RE.test(url))) {
    bad('checklist.consent.url', 'checklist.consent.url must be an https:// URL of at most 2048 characters.');
  }
  if ((text === undefined) === (url === undefined)) bad('checklist.consent', 'checklist.consent needs exactly one of text and url.');
  if (text !== undefined && createHash('sha256').update(text, 'utf8').digest('hex') !== sha256) {
    bad('checklist.consent.sha256', 'checklist.consent.sha256 is not the SHA-256 of the UTF-8 text.');
  }
  return {
    version: version as string,
    sha256: sha256 as string,
    ...(text !== undefined ? { text } : { url: url as string }),
    rememberOnDevice: optBool(input, 'rememberOnDevice', 'checklist.consent.rememberOnDevice', false),
  };
}

/**
 * Resolves the `checklist` field of a policy input (strict: unknown fields are refused).
 * `jurisdictions` are the policy's (already validated); they decide the licensure default.
 * @throws {@link SessionError} `INVALID_POLICY` with the offending `field`.
 */
export function resolveChecklist(input: unknown, jurisdictions: readonly string[]): ChecklistConfig {
  const c: Record<string, unknown> =
    input === undefined ? {} : isPlainObject(input) ? input : bad('checklist', 'checklist must be an object.');
  strict(c, CHECKLIST_KEYS, 'checklist');
  let steps: ChecklistStepConfig[] = [];
  if (c.steps !== undefined) {
    if (!Array.isArray(c.steps) || c.steps.length > CHECKLIST_POLICY_LIMITS.steps) {
      bad('checklist.steps', `checklist.steps must be an array of at most ${CHECKLIST_POLICY_LIMITS.steps} steps.`);
    }
    steps = (c.steps as unknown[]).map(resolveStep);
    const seen = new Set<string>();
    steps.forEach((s, i) => {
      if (seen.has(s.id)) bad(`checklist.steps[${i}].id`, `checklist.steps has ${s.id} twice.`);
      seen.add(s.id);
    });
  }
  const consent = c.consent === undefined ? undefined : resolveConsent(c.consent);
  const hasConsentStep = steps.some((s) => s.id === 'consent');
  if (hasConsentStep && !consent) bad('checklist.consent', 'A consent step needs checklist.consent (the document).');
  if (consent && !hasConsentStep) bad('checklist.steps', 'checklist.consent needs a consent step.');
  const licensure = c.licensure ?? (jurisdictions.length > 0 ? 'warn' : 'off');
  if (!LICENSURE.includes(licensure as LicensureMode)) bad('checklist.licensure', 'checklist.licensure must be off, warn or block.');
  if (licensure !== 'off' && jurisdictions.length === 0)
    bad('checklist.licensure', `checklist.licensure ${licensure as string} needs jurisdictions.`);
  if (licensure === 'block' && !steps.some((s) => s.id === 'location'))
    bad('checklist.licensure', 'checklist.licensure block needs a location step.');
  const cancellationPolicy = optText(c, 'cancellationPolicy', 'checklist.cancellationPolicy', CHECKLIST_POLICY_LIMITS.cancellationPolicy);
  const resolved: ChecklistConfig = {
    steps,
    requiredBeforeAdmission: optBool(c, 'requiredBeforeAdmission', 'checklist.requiredBeforeAdmission', false),
    ...(consent ? { consent } : {}),
    licensure: licensure as LicensureMode,
    shareJurisdiction: optBool(c, 'shareJurisdiction', 'checklist.shareJurisdiction', false),
    ...(cancellationPolicy !== undefined ? { cancellationPolicy } : {}),
    prefillLocation: optBool(c, 'prefillLocation', 'checklist.prefillLocation', true),
  };
  if (Buffer.byteLength(JSON.stringify(resolved), 'utf8') > CHECKLIST_POLICY_LIMITS.maxBytes) {
    bad('checklist', `The checklist definition exceeds ${CHECKLIST_POLICY_LIMITS.maxBytes} bytes; link long documents by url.`);
  }
  return resolved;
}

/**
 * The checklist as participants see it in the join result (`policy.checklist`), or `undefined`
 * when the session has no checklist steps. Jurisdictions come from the top-level policy.
 */
export function checklistPolicyInfo(policy: SessionPolicy): ChecklistPolicyInfo | undefined {
  const c = policy.checklist;
  if (c.steps.length === 0) return undefined;
  return {
    steps: c.steps.map((s) => ({ ...s })),
    requiredBeforeAdmission: c.requiredBeforeAdmission,
    ...(c.consent ? { consent: { ...c.consent } } : {}),
    jurisdictions: [...policy.jurisdictions],
    licensure: c.licensure,
    shareJurisdiction: c.shareJurisdiction,
    ...(c.cancellationPolicy !== undefined ? { cancellationPolicy: c.cancellationPolicy } : {}),
    prefillLocation: c.prefillLocation,
  };
}
