import { CHECKLIST_LIMITS, type CheckStatus, type LicensureOutcome, schemas, strictJsonParse } from '@alcove/protocol';
import { ChecklistError } from './errors.js';
import type { NetworkQuality, RecommendedMode } from './network-test.js';
import { isE164 } from './phone.js';
import {
  ANSWER_LIMITS,
  CONNECTION_TYPES,
  type ConnectionType,
  DEVICE_TYPES,
  type DeviceType,
  FALLBACK_PLANS,
  type FallbackPlanKind,
  type PhoneNumber,
} from './types.js';
import { isCleanText } from './validate.js';

/**
 * What the hosts see of a client's checklist, sealed to them end to end (the server never reads it):
 * step statuses, the address and licensure result, the emergency plan, environment attestations,
 * device and network results, and the consent acknowledged. A custom step's acknowledgement is its
 * `passed` status in `steps`.
 */
export interface SealedSummary {
  /** Unix ms when the summary was built. */
  readonly at: number;
  /** All required steps satisfied. */
  readonly complete: boolean;
  /** Every step of the policy by id, with its wire status. */
  readonly steps: Readonly<Record<string, CheckStatus>>;
  readonly location?: {
    readonly country: string;
    readonly region?: string;
    readonly locality: string;
    readonly street: string;
    readonly postalCode?: string;
    /** ISO 3166-2 subdivision, else the country. */
    readonly jurisdiction?: string;
    /** Absent when licensure is off. */
    readonly licensure?: LicensureOutcome;
  };
  readonly emergency?: {
    readonly contactName: string;
    readonly contactPhone: PhoneNumber;
    readonly callbackPhone: PhoneNumber;
    readonly plan: FallbackPlanKind;
    readonly note?: string;
    readonly cancellationPolicyAcknowledged?: boolean;
  };
  readonly environment?: {
    readonly privateSpace?: boolean;
    readonly privateNetwork?: boolean;
    readonly deviceType?: DeviceType;
    readonly connectionType?: ConnectionType;
    readonly connectionTypeSource?: 'detected' | 'asked';
  };
  readonly camera?: { readonly width?: number; readonly height?: number; readonly frameRate?: number; readonly measuredFps?: number };
  readonly microphone?: { readonly metered: boolean; readonly soundDetected: boolean; readonly peakLevel: number };
  readonly speaker?: { readonly heard: boolean };
  readonly network?: {
    readonly rttMs?: number;
    readonly jitterMs?: number;
    readonly lossPct: number;
    readonly kbps: number;
    readonly quality: NetworkQuality;
    readonly recommended: RecommendedMode;
    readonly durationMs: number;
    /** The probe filled the path: `kbps` is its capacity. */
    readonly saturated?: boolean;
  };
  readonly consent?: { readonly version: string; readonly sha256: string; readonly acknowledgedAt: number; readonly remembered: boolean };
}

/** Largest encoded summary: the sealed channel's limit less room for the sealing envelope. */
export const MAX_SUMMARY_BYTES = CHECKLIST_LIMITS.maxSealedBytes - 64;

// --- A small strict schema: compact keys on the wire, bounded values, unknown keys refused ---------

type Spec =
  | { readonly t: 'text'; readonly max: number }
  | { readonly t: 'check'; readonly ok: (x: unknown) => boolean }
  | { readonly t: 'num'; readonly min: number; readonly max: number; readonly int?: boolean }
  | { readonly t: 'bool' }
  | { readonly t: 'enum'; readonly values: readonly string[]; readonly indexed?: boolean }
  | { readonly t: 'obj'; readonly fields: Readonly<Record<string, Field>> }
  | { readonly t: 'rec'; readonly key: (k: string) => boolean; readonly value: Spec; readonly maxEntries: number };
interface Field {
  readonly k: string;
  readonly s: Spec;
  readonly opt?: boolean;
}

/** A protocol (valibot) schema used through its Standard Schema interface. */
const std =
  (schema: { '~standard': { validate(x: unknown): unknown } }) =>
  (x: unknown): boolean => {
    const r = schema['~standard'].validate(x) as { issues?: unknown } | Promise<unknown>;
    return !(r instanceof Promise) && !r.issues;
  };

const text = (max: number): Spec => ({ t: 'text', max });
const int = (max: number): Spec => ({ t: 'num', min: 0, max, int: true });
const dec = (max: number): Spec => ({ t: 'num', min: 0, max });
const bool: Spec = { t: 'bool' };
const oneOf = (values: readonly string[], indexed = false): Spec => ({ t: 'enum', values, indexed });
const obj = (fields: Record<string, Field>): Spec => ({ t: 'obj', fields });
const f = (k: string, s: Spec, opt = false): Field => ({ k, s, opt });
const jurisdiction: Spec = { t: 'check', ok: std(schemas.Jurisdiction) };
const phone = obj({
  entered: f('i', { t: 'check', ok: (x) => isCleanText(x, ANSWER_LIMITS.phone) && /^[+0-9 ().\-\u00a0\u2007\u202f]+$/.test(x) }),
  e164: f('e', { t: 'check', ok: isE164 }),
});
const STEP_STATUS_VALUES: readonly CheckStatus[] = ['pending', 'passed', 'warning', 'failed', 'skipped'];
const LICENSURE: readonly LicensureOutcome[] = ['pass', 'warn', 'block', 'unknown'];

const SUMMARY_SPEC = obj({
  at: f('t', int(Number.MAX_SAFE_INTEGER)),
  complete: f('c', bool),
  steps: f('s', { t: 'rec', key: std(schemas.StepId), value: oneOf(STEP_STATUS_VALUES, true), maxEntries: 32 }),
  location: f(
    'l',
    obj({
      country: f('c', { t: 'check', ok: (x) => typeof x === 'string' && /^[A-Z]{2}$/.test(x) }),
      region: f('r', { t: 'check', ok: (x) => typeof x === 'string' && /^[A-Z]{2}-[A-Z0-9]{1,3}$/.test(x) }, true),
      locality: f('y', text(ANSWER_LIMITS.locality)),
      street: f('s', text(ANSWER_LIMITS.street)),
      postalCode: f(
        'z',
        { t: 'check', ok: (x) => isCleanText(x, ANSWER_LIMITS.postalCode) && /^[A-Za-z0-9][A-Za-z0-9 -]*$/.test(x) },
        true,
      ),
      jurisdiction: f('j', jurisdiction, true),
      licensure: f('o', oneOf(LICENSURE), true),
    }),
    true,
  ),
  emergency: f(
    'e',
    obj({
      contactName: f('n', text(ANSWER_LIMITS.contactName)),
      contactPhone: f('p', phone),
      callbackPhone: f('b', phone),
      plan: f('f', oneOf(FALLBACK_PLANS)),
      note: f('t', text(ANSWER_LIMITS.planNote), true),
      cancellationPolicyAcknowledged: f('a', bool, true),
    }),
    true,
  ),
  environment: f(
    'x',
    obj({
      privateSpace: f('s', bool, true),
      privateNetwork: f('n', bool, true),
      deviceType: f('d', oneOf(DEVICE_TYPES), true),
      connectionType: f('c', oneOf(CONNECTION_TYPES), true),
      connectionTypeSource: f('o', oneOf(['detected', 'asked']), true),
    }),
    true,
  ),
  camera: f(
    'a',
    obj({
      width: f('w', int(100_000), true),
      height: f('h', int(100_000), true),
      frameRate: f('f', dec(1000), true),
      measuredFps: f('m', dec(1000), true),
    }),
    true,
  ),
  microphone: f('m', obj({ metered: f('e', bool), soundDetected: f('s', bool), peakLevel: f('p', dec(1)) }), true),
  speaker: f('k', obj({ heard: f('h', bool) }), true),
  network: f(
    'n',
    obj({
      rttMs: f('r', dec(60_000), true),
      jitterMs: f('j', dec(60_000), true),
      lossPct: f('l', dec(100)),
      kbps: f('k', int(1_000_000)),
      quality: f('q', oneOf(['good', 'fair', 'poor'])),
      recommended: f('m', oneOf(['video', 'audio-only'])),
      durationMs: f('d', int(60_000)),
      saturated: f('s', bool, true),
    }),
    true,
  ),
  consent: f(
    'q',
    obj({
      version: f('v', { t: 'check', ok: std(schemas.ConsentVersion) }),
      sha256: f('h', { t: 'check', ok: std(schemas.Sha256Hex) }),
      acknowledgedAt: f('t', int(Number.MAX_SAFE_INTEGER)),
      remembered: f('r', bool),
    }),
    true,
  ),
});

const invalid = (path: string): ChecklistError => new ChecklistError('SUMMARY_INVALID', `sealed summary: invalid ${path || 'value'}`);
const isPlain = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
/** Numbers are kept short on the wire: at most 3 decimals. */
const short = (n: number): number => Math.round(n * 1000) / 1000;

function encodeValue(spec: Spec, value: unknown, path: string): unknown {
  switch (spec.t) {
    case 'obj': {
      if (!isPlain(value)) throw invalid(path);
      const known = new Set(Object.keys(spec.fields));
      for (const k of Object.keys(value)) if (!known.has(k) && value[k] !== undefined) throw invalid(`${path}.${k}`);
      const out: Record<string, unknown> = {};
      for (const [name, field] of Object.entries(spec.fields)) {
        const x = value[name];
        if (x === undefined) {
          if (!field.opt) throw invalid(`${path}.${name}`);
          continue;
        }
        out[field.k] = encodeValue(field.s, x, `${path}.${name}`);
      }
      return out;
    }
    case 'rec': {
      if (!isPlain(value)) throw invalid(path);
      return Object.fromEntries(Object.entries(value).map(([k, x]) => [k, encodeValue(spec.value, x, `${path}.${k}`)]));
    }
    case 'enum':
      return spec.indexed ? spec.values.indexOf(value as string) : value;
    case 'num':
      return typeof value === 'number' ? short(value) : value;
    default:
      return value;
  }
}

function decodeValue(spec: Spec, raw: unknown, path: string): unknown {
  switch (spec.t) {
    case 'text':
      if (!isCleanText(raw, spec.max)) throw invalid(path);
      return raw;
    case 'check':
      if (!spec.ok(raw)) throw invalid(path);
      return raw;
    case 'num':
      if (typeof raw !== 'number' || !Number.isFinite(raw) || raw < spec.min || raw > spec.max || (spec.int && !Number.isSafeInteger(raw)))
        throw invalid(path);
      return raw;
    case 'bool':
      if (typeof raw !== 'boolean') throw invalid(path);
      return raw;
    case 'enum':
      if (spec.indexed) {
        if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 0 || raw >= spec.values.length) throw invalid(path);
        return spec.values[raw];
      }
      if (typeof raw !== 'string' || !spec.values.includes(raw)) throw invalid(path);
      return raw;
    case 'obj': {
      if (!isPlain(raw)) throw invalid(path);
      const byKey = new Map(Object.entries(spec.fields).map(([name, field]) => [field.k, [name, field] as const]));
      for (const k of Object.keys(raw)) if (!byKey.has(k)) throw invalid(`${path}.${k}`);
      const out: Record<string, unknown> = {};
      for (const [k, [name, field]] of byKey) {
        if (!(k in raw)) {
          if (!field.opt) throw invalid(`${path}.${name}`);
          continue;
        }
        out[name] = decodeValue(field.s, raw[k], `${path}.${name}`);
      }
      return out;
    }
    case 'rec': {
      if (!isPlain(raw)) throw invalid(path);
      const entries = Object.entries(raw);
      if (entries.length > spec.maxEntries) throw invalid(path);
      const out: Record<string, unknown> = {};
      for (const [k, x] of entries) {
        if (!spec.key(k)) throw invalid(`${path} key`);
        out[k] = decodeValue(spec.value, x, `${path}.${k}`);
      }
      return out;
    }
  }
}

/** Wire format version of the encoded summary. */
const SUMMARY_VERSION = 1;

/**
 * Encodes a summary for sealing: compact JSON in UTF-8, validated against the same strict schema the
 * host parses with, at most {@link MAX_SUMMARY_BYTES} (`CHECKLIST_LIMITS.maxSealedBytes - 64`). Every
 * free-text field is bounded at input time ({@link ANSWER_LIMITS}), so a summary built by the
 * checklist always fits; nothing is ever truncated.
 * @throws {ChecklistError} `SUMMARY_INVALID` for a value outside the schema, `SUMMARY_TOO_LARGE` if it does not fit.
 * @example
 * binding.seal(summary); // the session then calls: sealTo(host, encodeSummary(summary))
 */
export function encodeSummary(summary: SealedSummary): Uint8Array {
  const compact = encodeValue(SUMMARY_SPEC, summary, 'summary') as Record<string, unknown>;
  decodeValue(SUMMARY_SPEC, compact, 'summary');
  const bytes = new TextEncoder().encode(JSON.stringify({ v: SUMMARY_VERSION, ...compact }));
  if (bytes.length > MAX_SUMMARY_BYTES)
    throw new ChecklistError('SUMMARY_TOO_LARGE', `sealed summary is ${bytes.length} bytes (at most ${MAX_SUMMARY_BYTES})`);
  return bytes;
}

/**
 * Parses a summary a host received — untrusted input: size bound, fatal UTF-8, strict JSON (no
 * duplicate or prototype keys), then the schema (unknown keys, wrong types, unbounded or malformed
 * strings all refused).
 * @throws {ChecklistError} `SUMMARY_INVALID` on anything else.
 * @example
 * const summary = parseSummary(opened); // after unsealing
 * render(summary.location, summary.emergency);
 */
export function parseSummary(bytes: Uint8Array): SealedSummary {
  if (!(bytes instanceof Uint8Array) || bytes.length > MAX_SUMMARY_BYTES) throw invalid('size');
  let textValue: string;
  try {
    textValue = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw invalid('encoding');
  }
  const parsed = strictJsonParse(textValue, { maxDepth: 6 });
  if (!parsed.ok || !isPlain(parsed.value)) throw invalid('json');
  const { v, ...rest } = parsed.value;
  if (v !== SUMMARY_VERSION) throw invalid('version');
  return decodeValue(SUMMARY_SPEC, rest, 'summary') as SealedSummary;
}
