import { CHECKLIST_POLICY_LIMITS, resolveChecklist } from './checklist-policy.js';
import { SessionError } from './errors.js';
import type { ScreenSharePolicy, SessionPolicy } from './types.js';

/** Bounds and defaults of a session policy. */
export const POLICY_LIMITS = {
  maxParticipants: { min: 2, max: 100, default: 6 },
  idleTimeoutS: { min: 60, max: 86_400, default: 1_800 },
  jurisdictions: { max: 64 },
  checklistSteps: { max: CHECKLIST_POLICY_LIMITS.steps },
} as const;

const KEYS = new Set([
  'waitingRoom',
  'e2eeRequired',
  'recording',
  'maxParticipants',
  'idleTimeoutS',
  'jurisdictions',
  'checklist',
  'screenShare',
]);
const JURISDICTION_RE = /^[A-Z]{2}(-[A-Z0-9]{1,3})?$/;
const SCREEN_SHARE: readonly ScreenSharePolicy[] = ['host', 'everyone', 'nobody'];

const bad = (field: string, message: string): never => {
  throw new SessionError('INVALID_POLICY', message, { field });
};

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function bool(o: Record<string, unknown>, k: string, dflt: boolean): boolean {
  const v = o[k];
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') bad(k, `${k} must be a boolean.`);
  return v as boolean;
}

function int(o: Record<string, unknown>, k: 'maxParticipants' | 'idleTimeoutS'): number {
  const v = o[k];
  const lim = POLICY_LIMITS[k];
  if (v === undefined) return lim.default;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lim.min || v > lim.max) {
    bad(k, `${k} must be an integer from ${lim.min} to ${lim.max}.`);
  }
  return v as number;
}

function stringList(v: unknown, field: string, re: RegExp, max: number): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || v.length > max) return bad(field, `${field} must be an array of at most ${max} entries.`);
  const out: string[] = [];
  for (const item of v) {
    if (typeof item !== 'string' || !re.test(item)) bad(field, `${field} has an invalid entry.`);
    if (out.includes(item as string)) bad(field, `${field} has a duplicate entry.`);
    out.push(item as string);
  }
  return out;
}

/**
 * Validates an integrator's policy input (strict: unknown fields are refused) and fills in the
 * secure defaults. A resolved policy is itself valid input and resolves to itself (the registry
 * re-resolves stored policies when it reopens).
 * @throws {@link SessionError} `INVALID_POLICY` with the offending `field`.
 */
export function resolvePolicy(input: unknown = {}): SessionPolicy {
  if (input === undefined || input === null) input = {};
  if (!isPlainObject(input)) return bad('policy', 'The policy must be an object.');
  for (const k of Object.keys(input)) if (!KEYS.has(k)) bad(k, `Unknown policy field ${JSON.stringify(k.slice(0, 40))}.`);
  if (input.recording !== undefined && input.recording !== false) bad('recording', 'Recording is not supported; recording must be false.');
  const jurisdictions = stringList(input.jurisdictions, 'jurisdictions', JURISDICTION_RE, POLICY_LIMITS.jurisdictions.max);
  const checklist = resolveChecklist(input.checklist, jurisdictions);
  const screenShare = input.screenShare ?? 'host';
  if (!SCREEN_SHARE.includes(screenShare as ScreenSharePolicy)) bad('screenShare', 'screenShare must be host, everyone or nobody.');
  return {
    waitingRoom: bool(input, 'waitingRoom', true),
    e2eeRequired: bool(input, 'e2eeRequired', true),
    recording: false,
    maxParticipants: int(input, 'maxParticipants'),
    idleTimeoutS: int(input, 'idleTimeoutS'),
    jurisdictions,
    checklist,
    screenShare: screenShare as ScreenSharePolicy,
  };
}
