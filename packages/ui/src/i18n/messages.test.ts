import { describe, expect, it } from 'vitest';
import { errorKey, LANGUAGES, MESSAGES, t } from './messages.js';

describe('message catalogue', () => {
  it('has every key in every language', () => {
    const keys = Object.keys(MESSAGES.en!).sort();
    for (const lang of LANGUAGES) expect(Object.keys(MESSAGES[lang]!).sort()).toEqual(keys);
    expect(LANGUAGES).toEqual(expect.arrayContaining(['en', 'es']));
  });
  it('fills placeholders and falls back to English', () => {
    expect(t('es-MX', 'waitingList.admit', { name: 'Ana' })).toBe('Dejar entrar a Ana');
    expect(t('fr', 'leave')).toBe('Leave call');
    expect(t('en', 'failed.callback')).toBe('Your host will call you at {number}.');
  });
  it('is discreet: no text names therapy', () => {
    for (const lang of LANGUAGES) for (const text of Object.values(MESSAGES[lang]!)) expect(text).not.toMatch(/therap|terap|counsel|psych/i);
  });
  it('maps known error codes and falls back to a generic message', () => {
    expect(errorKey('INVALID_TOKEN')).toBe('error.INVALID_TOKEN');
    expect(errorKey('WHATEVER')).toBe('error.generic');
  });
});
