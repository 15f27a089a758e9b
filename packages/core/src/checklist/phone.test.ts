import { describe, expect, it } from 'vitest';
import { ChecklistError } from './errors.js';
import { callingCodeOf, isE164, normalizePhone } from './phone.js';

const code = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    return e instanceof ChecklistError ? e.code : 'OTHER';
  }
  return undefined;
};

describe('normalizePhone', () => {
  it('keeps an international number, removing spaces, dashes, dots and parentheses', () => {
    expect(normalizePhone('+1 (615) 555-0100')).toEqual({ entered: '+1 (615) 555-0100', e164: '+16155550100' });
    expect(normalizePhone('+49 151.2345.6789')).toEqual({ entered: '+49 151.2345.6789', e164: '+4915123456789' });
  });

  it('turns a leading 00 into +', () => {
    expect(normalizePhone('0044 20 7946 0958').e164).toBe('+442079460958');
  });

  it('makes a national number E.164 with the location country, dropping the trunk prefix', () => {
    expect(normalizePhone('0151 2345 6789', { country: 'DE' }).e164).toBe('+4915123456789');
    expect(normalizePhone('020 7946 0958', { country: 'gb' }).e164).toBe('+442079460958');
    expect(normalizePhone('(615) 555-0100', { country: 'US' }).e164).toBe('+16155550100');
    expect(normalizePhone('1 615 555 0100', { country: 'US' }).e164).toBe('+16155550100');
    expect(normalizePhone('06 6982 1234', { country: 'IT' }).e164).toBe('+390669821234'); // Italy keeps the 0
    expect(normalizePhone('8 912 345 67 89', { country: 'RU' }).e164).toBe('+79123456789');
  });

  it('keeps what was typed next to the normalised number (never silently changed)', () => {
    const p = normalizePhone('  0151-2345 6789 ', { country: 'DE' });
    expect(p.entered).toBe('0151-2345 6789');
    expect(p.e164).toBe('+4915123456789');
  });

  it('asks for a country code when a national number has no country to go by', () => {
    expect(code(() => normalizePhone('0151 2345 6789'))).toBe('PHONE_NEEDS_COUNTRY_CODE');
    expect(code(() => normalizePhone('615 555 0100', { country: 'ZZ' }))).toBe('PHONE_NEEDS_COUNTRY_CODE');
  });

  it('refuses other characters, too few and too many digits, with a clear code and field', () => {
    expect(code(() => normalizePhone('+1 615 CALL NOW'))).toBe('PHONE_INVALID_CHARS');
    expect(code(() => normalizePhone('+1 615 555 0100 ext 2'))).toBe('PHONE_INVALID_CHARS');
    expect(code(() => normalizePhone('615+5550100', { country: 'US' }))).toBe('PHONE_INVALID_CHARS');
    expect(code(() => normalizePhone('+49 1234'))).toBe('PHONE_TOO_SHORT');
    expect(code(() => normalizePhone('+49 1234 5678 9012 345'))).toBe('PHONE_TOO_LONG');
    expect(code(() => normalizePhone('+0 123 456 789'))).toBe('ANSWER_INVALID');
    expect(code(() => normalizePhone('   '))).toBe('ANSWER_INVALID');
    expect(code(() => normalizePhone('+1 615 555 0100 0000000000000000000000'))).toBe('ANSWER_TOO_LONG');
    try {
      normalizePhone('+1 abc', { field: 'callbackPhone', stepId: 'emergency-plan' });
    } catch (e) {
      expect((e as ChecklistError).field).toBe('callbackPhone');
      expect((e as ChecklistError).message).not.toContain('abc'); // never echoes what was typed
    }
  });

  it('accepts 8 to 15 digits', () => {
    expect(normalizePhone('+4212345678').e164).toBe('+4212345678');
    expect(normalizePhone('+123456789012345').e164).toBe('+123456789012345');
  });
});

describe('calling codes', () => {
  it('knows the calling code of a country', () => {
    expect(callingCodeOf('US')).toBe('1');
    expect(callingCodeOf('de')).toBe('49');
    expect(callingCodeOf('XK')).toBe('383');
    expect(callingCodeOf('ZZ')).toBeUndefined();
  });

  it('recognises E.164', () => {
    expect(isE164('+16155550100')).toBe(true);
    expect(isE164('16155550100')).toBe(false);
    expect(isE164('+0123456789')).toBe(false);
  });
});
