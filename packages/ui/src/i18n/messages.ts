import type { AlcoveErrorCode } from '@alcove/core';
import { type Catalogue, en, type MessageKey } from './en.js';
import { es } from './es.js';

export type { Catalogue, ErrorMessages, MessageKey, ReasonMessages } from './en.js';

/** The catalogues by language (primary subtag). English is the reference; {@link registerMessages} adds more. */
export const MESSAGES: Record<string, Readonly<Catalogue>> = { en, es };

/** Languages with a catalogue (`en`, `es`, and any added with {@link registerMessages}). */
export function languages(): string[] {
  return Object.keys(MESSAGES);
}

/**
 * Adds a language, or changes wording of an existing one (a practice's terminology). Give every
 * key for a new language (`Catalogue` makes a missing key a compile error); for an existing one,
 * a partial object overrides just those keys. Elements pick it up on their next render.
 * @example
 * import { registerMessages, type Catalogue } from '@alcove/ui';
 * const fr: Catalogue = { 'status.idle': 'Non connecté', … };
 * registerMessages('fr', fr);
 * registerMessages('en', { 'waiting.body': 'Your clinician will let you in shortly.' });
 */
export function registerMessages(lang: string, messages: Partial<Catalogue>): void {
  const primary = lang.toLowerCase().split('-')[0]!;
  MESSAGES[primary] = { ...en, ...MESSAGES[primary], ...messages };
}

/**
 * Looks up `key` in the catalogue of `lang` (its primary subtag; English when unknown) and fills
 * `{placeholders}`. Parameters are inserted as text; callers put the result in `textContent`.
 */
export function t(lang: string, key: MessageKey, params: Record<string, string | number> = {}): string {
  const primary = lang.toLowerCase().split('-')[0] ?? 'en';
  const template = MESSAGES[primary]?.[key] ?? en[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (_, name: string) => (name in params ? String(params[name]) : `{${name}}`));
}

/** The message key for an error code: `error.<CODE>` for every code of `@alcove/core`, else the generic one. */
export function errorKey(code: AlcoveErrorCode | (string & {})): MessageKey {
  const k = `error.${code}`;
  return Object.hasOwn(en, k) ? (k as MessageKey) : 'error.generic';
}

/** The code of an error-like value (`AlcoveError` or a wire error), else `INTERNAL_ERROR`. */
export function errorCode(e: unknown): string {
  return typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string'
    ? (e as { code: string }).code
    : 'INTERNAL_ERROR';
}

/**
 * The one language resolver: the element's own `lang`, else the nearest ancestor's across shadow
 * roots, else the document's, else English.
 */
export function resolveLang(el: Element): string {
  let node: Element | null = el;
  while (node) {
    const found: Element | null = node.closest('[lang]');
    const lang = found?.getAttribute('lang');
    if (lang) return lang;
    const root = node.getRootNode();
    node = root instanceof ShadowRoot ? root.host : null;
  }
  return el.ownerDocument?.documentElement?.getAttribute('lang') || 'en';
}
