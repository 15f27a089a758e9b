import { AlcoveError, type AlcoveErrorOptions, type CoreErrorCode } from '../session/errors.js';

/** Codes a {@link ChecklistError} carries (the checklist block of `CORE_ERROR_CODES`). */
export type ChecklistErrorCode = Extract<
  CoreErrorCode,
  | 'CHECKLIST_NOT_BOUND'
  | 'CHECKLIST_CLOSED'
  | 'STEP_NOT_FOUND'
  | 'STEP_REQUIRED'
  | 'STEP_BUSY'
  | 'ANSWER_INVALID'
  | 'ANSWER_TOO_LONG'
  | 'PHONE_INVALID_CHARS'
  | 'PHONE_TOO_SHORT'
  | 'PHONE_TOO_LONG'
  | 'PHONE_NEEDS_COUNTRY_CODE'
  | 'CONSENT_REQUIRED'
  | 'CONSENT_HASH_MISMATCH'
  | 'NETWORK_TEST_FAILED'
  | 'NETWORK_TEST_TIMEOUT'
  | 'CHECKLIST_SUBMIT_FAILED'
  | 'SUMMARY_INVALID'
  | 'SUMMARY_TOO_LARGE'
>;

/** Options of a {@link ChecklistError}. */
export interface ChecklistErrorOptions extends AlcoveErrorOptions {
  /** The step the error is about. */
  readonly stepId?: string;
  /** The answer field at fault (`street`, `contactPhone`…), for the form to point at. */
  readonly field?: string;
  /** For `ANSWER_TOO_LONG`: the largest length allowed (UTF-16 code units, as `String#length`). */
  readonly maxLength?: number;
}

/**
 * An error of the pre-session checklist: a refused answer (`ANSWER_INVALID`, `ANSWER_TOO_LONG`,
 * `PHONE_*` with the `field` at fault), a step that needs the session (`CHECKLIST_NOT_BOUND`), a
 * failed network test, a malformed sealed summary. Messages never contain what the client typed.
 * @example
 * try { checklist.location?.setAddress(form); }
 * catch (e) { if (e instanceof ChecklistError && e.field) showFieldError(e.field, e.code); }
 */
export class ChecklistError<C extends ChecklistErrorCode = ChecklistErrorCode> extends AlcoveError<C> {
  override readonly name: string = 'ChecklistError';
  /** The step the error is about. */
  readonly stepId: string | undefined;
  /** The answer field at fault. */
  readonly field: string | undefined;
  /** For `ANSWER_TOO_LONG`: the largest length allowed. */
  readonly maxLength: number | undefined;

  constructor(code: C, message: string, options: ChecklistErrorOptions = {}) {
    super(code, message, options);
    this.stepId = options.stepId;
    this.field = options.field;
    this.maxLength = options.maxLength;
  }
}
