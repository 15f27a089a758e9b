import { CORE_ERROR_CODES } from '@alcove/core';
import { ERROR_CODE_LIST } from '@alcove/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { en } from './en.js';
import { errorKey, languages, MESSAGES, registerMessages, resolveLang, t } from './messages.js';

describe('message catalogue', () => {
  afterEach(() => {
    delete MESSAGES.fr;
  });
  it('has every key in every language, and no empty text', () => {
    const keys = Object.keys(MESSAGES.en!).sort();
    expect(languages()).toEqual(expect.arrayContaining(['en', 'es']));
    for (const lang of languages()) {
      expect(Object.keys(MESSAGES[lang]!).sort()).toEqual(keys);
      for (const text of Object.values(MESSAGES[lang]!)) expect(text.trim()).not.toBe('');
    }
  });
  it('has a message for every error code of core and the wire, in each language', () => {
    const codes = [...Object.keys(CORE_ERROR_CODES), ...ERROR_CODE_LIST];
    for (const lang of languages()) {
      for (const code of codes) {
        expect(errorKey(code), code).toBe(`error.${code}`);
        expect(MESSAGES[lang]![errorKey(code)], `${lang} ${code}`).toBeTruthy();
        expect(t(lang, errorKey(code))).not.toMatch(/\{code\}|Something went wrong \(/);
      }
    }
  });
  it('keeps placeholders the same in every language', () => {
    const holes = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const lang of languages())
      for (const [k, v] of Object.entries(en)) expect(holes(MESSAGES[lang]![k as keyof typeof en]), `${lang} ${k}`).toEqual(holes(v));
  });
  it('fills placeholders and falls back to English', () => {
    expect(t('es-MX', 'waitingList.admit', { name: 'Ana' })).toBe('Dejar entrar a Ana');
    expect(t('fr', 'leave')).toBe('Leave call');
    expect(t('en', 'failed.callback')).toBe('Your host will call you at {number}.');
  });
  it('is discreet: no text names therapy', () => {
    for (const lang of languages())
      for (const text of Object.values(MESSAGES[lang]!)) expect(text).not.toMatch(/therap|terap|counsel|psych|clinic|patient|paciente/i);
  });
  it('maps known error codes and falls back to a generic message', () => {
    expect(errorKey('INVALID_TOKEN')).toBe('error.INVALID_TOKEN');
    expect(errorKey('PERMISSION_DENIED')).toBe('error.PERMISSION_DENIED');
    expect(errorKey('WHATEVER')).toBe('error.generic');
  });
  it('adds a language and overrides wording', () => {
    registerMessages('fr', { leave: 'Quitter' });
    expect(languages()).toContain('fr');
    expect(t('fr-CA', 'leave')).toBe('Quitter');
    expect(t('fr', 'join')).toBe('Join call');
  });
  it('resolves the language across shadow roots', () => {
    const outer = document.createElement('div');
    outer.lang = 'es';
    const host = document.createElement('div');
    outer.append(host);
    const inner = document.createElement('span');
    host.attachShadow({ mode: 'open' }).append(inner);
    expect(resolveLang(inner)).toBe('es');
    expect(resolveLang(document.createElement('p'))).toBe('en');
  });
});
