import { describe, expect, it } from 'vitest';
import { ChecklistError } from './errors.js';
import { MAX_SUMMARY_BYTES, type SealedSummary, encodeSummary, parseSummary } from './summary.js';
import { ANSWER_LIMITS } from './types.js';

const sample: SealedSummary = {
  at: 1_790_000_000_000,
  complete: false,
  steps: { consent: 'passed', location: 'warning', 'emergency-plan': 'passed', camera: 'pending', 'custom-recording': 'passed' },
  location: {
    country: 'US',
    region: 'US-MS',
    locality: 'Jackson',
    street: '1 Main St, Apt 2',
    postalCode: '39201',
    jurisdiction: 'US-MS',
    licensure: 'warn',
  },
  emergency: {
    contactName: 'Sam Doe',
    contactPhone: { entered: '(601) 555-0100', e164: '+16015550100' },
    callbackPhone: { entered: '+1 601 555 0199', e164: '+16015550199' },
    plan: 'therapist-calls',
    note: 'Call the landline first',
    cancellationPolicyAcknowledged: true,
  },
  environment: { privateSpace: true, privateNetwork: false, deviceType: 'computer', connectionType: 'wifi', connectionTypeSource: 'asked' },
  camera: { width: 1280, height: 720, frameRate: 30, measuredFps: 29.7 },
  microphone: { metered: true, soundDetected: true, peakLevel: 0.61 },
  speaker: { heard: true },
  network: { rttMs: 42.5, jitterMs: 3.1, lossPct: 0.25, kbps: 1830, quality: 'good', recommended: 'video', durationMs: 4750 },
  consent: { version: '2026-11', sha256: 'a'.repeat(64), acknowledgedAt: 1_790_000_000_000, remembered: false },
};

const invalid = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    return e instanceof ChecklistError ? e.code : `OTHER ${String(e)}`;
  }
  return undefined;
};

const enc = (o: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(o));
const compact = (): Record<string, unknown> => JSON.parse(new TextDecoder().decode(encodeSummary(sample))) as Record<string, unknown>;

describe('sealed summary', () => {
  it('round-trips through encode and parse', () => {
    expect(parseSummary(encodeSummary(sample))).toEqual(sample);
    const minimal: SealedSummary = { at: 1, complete: true, steps: {} };
    expect(parseSummary(encodeSummary(minimal))).toEqual(minimal);
  });

  it('fits the sealed channel even when every field is at its limit with 3-byte characters (the most any accepted character costs) and 32 long step ids', () => {
    const wide = (n: number): string => '€'.repeat(n); // 3 bytes in UTF-8
    const steps: Record<string, 'warning'> = {};
    for (let i = 0; i < 32; i++) steps[`custom-${String(i).padStart(2, '0')}${'x'.repeat(31)}`] = 'warning';
    const worst: SealedSummary = {
      ...sample,
      at: Number.MAX_SAFE_INTEGER,
      steps,
      location: {
        country: 'US',
        region: 'US-ABC',
        locality: wide(ANSWER_LIMITS.locality),
        street: wide(ANSWER_LIMITS.street),
        postalCode: 'A'.repeat(ANSWER_LIMITS.postalCode),
        jurisdiction: 'US-ABC',
        licensure: 'unknown',
      },
      emergency: {
        contactName: wide(ANSWER_LIMITS.contactName),
        contactPhone: { entered: `+${'1'.repeat(ANSWER_LIMITS.phone - 1)}`, e164: '+123456789012345' },
        callbackPhone: { entered: `+${'1'.repeat(ANSWER_LIMITS.phone - 1)}`, e164: '+123456789012345' },
        plan: 'therapist-calls',
        note: wide(ANSWER_LIMITS.planNote),
        cancellationPolicyAcknowledged: true,
      },
      camera: { width: 99_999, height: 99_999, frameRate: 999.999, measuredFps: 999.999 },
      microphone: { metered: true, soundDetected: false, peakLevel: 0.999 },
      network: {
        rttMs: 59_999.999,
        jitterMs: 59_999.999,
        lossPct: 99.999,
        kbps: 999_999,
        quality: 'poor',
        recommended: 'audio-only',
        durationMs: 59_999,
      },
      consent: { version: 'v'.repeat(40), sha256: 'f'.repeat(64), acknowledgedAt: Number.MAX_SAFE_INTEGER, remembered: true },
    };
    const bytes = encodeSummary(worst);
    expect(bytes.length).toBeLessThanOrEqual(MAX_SUMMARY_BYTES);
    expect(parseSummary(bytes)).toEqual(worst);
  });

  it('refuses to encode values outside the schema instead of truncating them', () => {
    const long = { ...sample, location: { ...sample.location!, street: 'x'.repeat(ANSWER_LIMITS.street + 1) } };
    expect(invalid(() => encodeSummary(long))).toBe('SUMMARY_INVALID');
    expect(invalid(() => encodeSummary({ ...sample, extra: 1 } as unknown as SealedSummary))).toBe('SUMMARY_INVALID');
  });

  it('parses strictly: unknown keys, wrong types, bad codes and oversize input are refused', () => {
    const c = compact();
    expect(invalid(() => parseSummary(enc({ ...c, z: 1 })))).toBe('SUMMARY_INVALID');
    expect(invalid(() => parseSummary(enc({ ...c, v: 2 })))).toBe('SUMMARY_INVALID');
    expect(invalid(() => parseSummary(enc({ ...c, c: 'yes' })))).toBe('SUMMARY_INVALID');
    expect(invalid(() => parseSummary(enc({ ...c, s: { consent: 9 } })))).toBe('SUMMARY_INVALID');
    expect(invalid(() => parseSummary(enc({ ...c, s: { 'Bad Id': 1 } })))).toBe('SUMMARY_INVALID');
    const l = c.l as Record<string, unknown>;
    expect(invalid(() => parseSummary(enc({ ...c, l: { ...l, c: 'usa' } })))).toBe('SUMMARY_INVALID');
    expect(invalid(() => parseSummary(enc({ ...c, l: { ...l, y: 'a\u0000b' } })))).toBe('SUMMARY_INVALID');
    expect(invalid(() => parseSummary(enc({ ...c, l: { ...l, s: 'x'.repeat(ANSWER_LIMITS.street + 1) } })))).toBe('SUMMARY_INVALID');
    expect(invalid(() => parseSummary(enc({ ...c, l: { ...l, j: 'Mississippi' } })))).toBe('SUMMARY_INVALID');
    const e = c.e as Record<string, unknown>;
    expect(invalid(() => parseSummary(enc({ ...c, e: { ...e, p: { i: '601', e: '601' } } })))).toBe('SUMMARY_INVALID');
    expect(invalid(() => parseSummary(enc({ ...c, n: { ...(c.n as object), q: 'great' } })))).toBe('SUMMARY_INVALID');
    expect(invalid(() => parseSummary(enc({ ...c, q: { ...(c.q as object), h: 'A'.repeat(64) } })))).toBe('SUMMARY_INVALID');
    expect(invalid(() => parseSummary(enc({ ...c, t: -1 })))).toBe('SUMMARY_INVALID');
    expect(invalid(() => parseSummary(new TextEncoder().encode('{"v":1,"t":1,"c":true,"s":{},"s":{}}')))).toBe('SUMMARY_INVALID');
    expect(invalid(() => parseSummary(new TextEncoder().encode('{"v":1,"__proto__":{}}')))).toBe('SUMMARY_INVALID');
    expect(invalid(() => parseSummary(new Uint8Array([0x7b, 0xff, 0x7d])))).toBe('SUMMARY_INVALID');
    expect(invalid(() => parseSummary(new Uint8Array(MAX_SUMMARY_BYTES + 1)))).toBe('SUMMARY_INVALID');
    expect(invalid(() => parseSummary(enc([1, 2])))).toBe('SUMMARY_INVALID');
    expect(invalid(() => parseSummary('{}' as unknown as Uint8Array))).toBe('SUMMARY_INVALID');
  });

  it('never puts a rejected value in the error message', () => {
    const c = compact();
    try {
      parseSummary(enc({ ...c, l: { ...(c.l as object), s: `secret street ${'x'.repeat(200)}` } }));
    } catch (e) {
      expect((e as Error).message).not.toContain('secret');
    }
  });
});
