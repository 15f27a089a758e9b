import { ChecklistError } from './errors.js';

// Control characters (C0, DEL, C1) and lone surrogates are refused in free text: they would expand in
// JSON and have no place in an address or a name.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to refuse them
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Options of {@link checkText}. */
export interface TextRule {
  readonly stepId: string;
  readonly field: string;
  readonly max: number;
  readonly required?: boolean;
  /** Allowed characters (whole-string test), for codes and numbers. */
  readonly pattern?: RegExp;
}

/**
 * Trims `value` and checks it: a string, not empty when required, at most `max` code units, no
 * control characters or lone surrogates, matching `pattern`. Returns the trimmed text or `undefined`
 * (optional and empty).
 * @throws {ChecklistError} `ANSWER_INVALID` or `ANSWER_TOO_LONG` with `field` (never with the value).
 */
export function checkText(value: unknown, rule: TextRule): string | undefined {
  const { stepId, field, max } = rule;
  if (value === undefined || value === null) {
    if (rule.required) throw new ChecklistError('ANSWER_INVALID', `${field} is required`, { stepId, field });
    return undefined;
  }
  if (typeof value !== 'string') throw new ChecklistError('ANSWER_INVALID', `${field} must be a string`, { stepId, field });
  const text = value.trim();
  if (text === '') {
    if (rule.required) throw new ChecklistError('ANSWER_INVALID', `${field} is required`, { stepId, field });
    return undefined;
  }
  if (text.length > max)
    throw new ChecklistError('ANSWER_TOO_LONG', `${field} is longer than ${max} characters`, { stepId, field, maxLength: max });
  if (CONTROL.test(text) || LONE_SURROGATE.test(text)) {
    throw new ChecklistError('ANSWER_INVALID', `${field} contains control characters`, { stepId, field });
  }
  if (rule.pattern && !rule.pattern.test(text)) throw new ChecklistError('ANSWER_INVALID', `${field} is malformed`, { stepId, field });
  return text;
}

/** Whether `s` is free text {@link checkText} would accept at `max` (used by the summary parser). */
export function isCleanText(s: unknown, max: number): s is string {
  return typeof s === 'string' && s.length > 0 && s.length <= max && s === s.trim() && !CONTROL.test(s) && !LONE_SURROGATE.test(s);
}

/** A boolean answer, or `ANSWER_INVALID`. */
export function checkBoolean(value: unknown, stepId: string, field: string): boolean {
  if (typeof value !== 'boolean') throw new ChecklistError('ANSWER_INVALID', `${field} must be true or false`, { stepId, field });
  return value;
}

/** One of `allowed`, or `ANSWER_INVALID`. */
export function checkChoice<T extends string>(value: unknown, allowed: readonly T[], stepId: string, field: string): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ChecklistError('ANSWER_INVALID', `${field} must be one of ${allowed.join(', ')}`, { stepId, field });
  }
  return value as T;
}

/** An object answer, or `ANSWER_INVALID`. */
export function checkObject(value: unknown, stepId: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new ChecklistError('ANSWER_INVALID', 'answer must be an object', { stepId });
  return value as Record<string, unknown>;
}
