import { ChecklistError } from '../errors.js';
import { normalizePhone } from '../phone.js';
import { checkChoice, checkObject, checkText } from '../validate.js';
import { ANSWER_LIMITS, type EmergencyPlanAnswer, type EmergencyPlanInput, FALLBACK_PLANS, type PhoneNumber } from '../types.js';
import { BaseCheck, type PersistedStep } from './base.js';

const STEP = 'emergency-plan';

/** Contacts remembered on the device for prefill (as entered). */
export interface EmergencyPlanPrefill {
  readonly contactName?: string;
  readonly contactPhone?: string;
  readonly callbackPhone?: string;
}

/**
 * The emergency-plan step: an emergency contact (name, phone), the client's callback number, what
 * happens if the video fails (the therapist calls the callback number, or the client rejoins), and
 * the acknowledgement of the practice's cancellation and no-show policy when the policy has one.
 * Phone numbers are normalised to E.164 (national numbers with the location's country); the UI
 * shows `e164` for the client to confirm — a number is never changed silently.
 * @example
 * const plan = checklist.emergencyPlan!;
 * plan.previewPhone('0151 2345 6789'); // { entered: '0151 2345 6789', e164: '+4915123456789' } with a DE location
 * plan.setPlan({ contactName: 'Sam', contactPhone: '+1 615 555 0100', callbackPhone: '615-555-0199', plan: 'therapist-calls', cancellationPolicyAcknowledged: true });
 */
export class EmergencyPlanCheck extends BaseCheck<EmergencyPlanAnswer> {
  readonly kind = 'emergency-plan' as const;

  /** The practice's cancellation and no-show policy to acknowledge, if any. */
  get cancellationPolicy(): string | undefined {
    return this.ctx.policy().cancellationPolicy;
  }

  /** The last contacts entered on this device (when the app and policy allow prefill). */
  get prefill(): EmergencyPlanPrefill | undefined {
    if (!this.#mayRemember()) return undefined;
    const c = this.ctx.remembered.read().contacts as Record<string, unknown> | undefined;
    if (!c || typeof c !== 'object') return undefined;
    const pick = (k: string, max: number): string | undefined =>
      typeof c[k] === 'string' && (c[k] as string).length <= max ? (c[k] as string) : undefined;
    const out = {
      contactName: pick('contactName', ANSWER_LIMITS.contactName),
      contactPhone: pick('contactPhone', ANSWER_LIMITS.phone),
      callbackPhone: pick('callbackPhone', ANSWER_LIMITS.phone),
    };
    return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as EmergencyPlanPrefill;
  }

  get answer(): EmergencyPlanAnswer | undefined {
    return this.details;
  }

  /**
   * Normalises a phone number as the client types, for the UI to show the E.164 form to confirm.
   * @throws {ChecklistError} `PHONE_*`, `ANSWER_INVALID`, `ANSWER_TOO_LONG`.
   */
  previewPhone(entered: string, field = 'phone'): PhoneNumber {
    return normalizePhone(entered, { country: this.ctx.countryHint(), stepId: STEP, field });
  }

  /**
   * Sets the plan. Throws (and leaves the step unchanged) on any invalid field.
   * @throws {ChecklistError} `ANSWER_INVALID`, `ANSWER_TOO_LONG`, `PHONE_*` with `field`
   *   (`contactName`, `contactPhone`, `callbackPhone`, `plan`, `note`, `cancellationPolicyAcknowledged`).
   */
  setPlan(input: EmergencyPlanInput): EmergencyPlanAnswer {
    this.assertOpen();
    const answer = this.#validate(input);
    this.setStatus('passed', { details: answer });
    if (this.#mayRemember()) {
      this.ctx.remembered.setContacts({
        contactName: answer.contactName,
        contactPhone: answer.contactPhone.entered,
        callbackPhone: answer.callbackPhone.entered,
      });
    }
    return answer;
  }

  /** Forgets the contacts remembered on this device. */
  forgetRemembered(): void {
    this.ctx.remembered.setContacts(undefined);
  }

  /** Re-validates the current answer (the cancellation policy may have appeared meanwhile). */
  protected async execute(): Promise<void> {
    this.#revalidate();
  }

  protected override policyChanged(): void {
    this.#revalidate();
  }

  override persist(): PersistedStep | undefined {
    const a = this.details;
    if (!a) return undefined;
    const input: EmergencyPlanInput = {
      contactName: a.contactName,
      contactPhone: a.contactPhone.entered,
      callbackPhone: a.callbackPhone.entered,
      plan: a.plan,
      ...(a.note ? { note: a.note } : {}),
      ...(a.cancellationPolicyAcknowledged !== undefined ? { cancellationPolicyAcknowledged: a.cancellationPolicyAcknowledged } : {}),
    };
    // Phones are stored with their E.164 form so a national number resumes without the location.
    return { status: this.status, state: { input, contactE164: a.contactPhone.e164, callbackE164: a.callbackPhone.e164 } };
  }

  override restore(saved: PersistedStep): void {
    const s = saved.state as { input?: EmergencyPlanInput; contactE164?: unknown; callbackE164?: unknown } | undefined;
    if (!s || typeof s !== 'object' || !s.input) return;
    try {
      const answer = this.#validate(s.input, { contactPhone: s.contactE164, callbackPhone: s.callbackE164 });
      this.setStatus('passed', { details: answer });
    } catch {
      // malformed storage: start afresh
    }
  }

  #revalidate(): void {
    const a = this.details;
    if (!a) return;
    if (this.cancellationPolicy !== undefined && a.cancellationPolicyAcknowledged !== true) this.setStatus('idle', { details: undefined });
  }

  #mayRemember(): boolean {
    return this.ctx.options.rememberAnswers && this.ctx.policy().prefillLocation;
  }

  #validate(input: EmergencyPlanInput, known: Record<string, unknown> = {}): EmergencyPlanAnswer {
    const o = checkObject(input, STEP);
    const contactName = checkText(o.contactName, {
      stepId: STEP,
      field: 'contactName',
      max: ANSWER_LIMITS.contactName,
      required: true,
    }) as string;
    const phone = (field: 'contactPhone' | 'callbackPhone'): PhoneNumber => {
      if (typeof o[field] !== 'string') throw new ChecklistError('ANSWER_INVALID', `${field} is required`, { stepId: STEP, field });
      const e164 = known[field];
      // A restored national number keeps the E.164 form the client confirmed.
      if (typeof e164 === 'string' && e164.startsWith('+')) {
        const n = normalizePhone(e164, { stepId: STEP, field });
        checkText(o[field], {
          stepId: STEP,
          field,
          max: ANSWER_LIMITS.phone,
          required: true,
          pattern: /^[+0-9 ().\-\u00a0\u2007\u202f]+$/,
        });
        return { entered: (o[field] as string).trim(), e164: n.e164 };
      }
      return normalizePhone(o[field] as string, { country: this.ctx.countryHint(), stepId: STEP, field });
    };
    const contactPhone = phone('contactPhone');
    const callbackPhone = phone('callbackPhone');
    const plan = checkChoice(o.plan, FALLBACK_PLANS, STEP, 'plan');
    const note = checkText(o.note, { stepId: STEP, field: 'note', max: ANSWER_LIMITS.planNote });
    const hasPolicy = this.cancellationPolicy !== undefined;
    if (hasPolicy && o.cancellationPolicyAcknowledged !== true) {
      throw new ChecklistError('ANSWER_INVALID', 'the cancellation and no-show policy must be acknowledged', {
        stepId: STEP,
        field: 'cancellationPolicyAcknowledged',
      });
    }
    return {
      contactName,
      contactPhone,
      callbackPhone,
      plan,
      ...(note ? { note } : {}),
      ...(hasPolicy ? { cancellationPolicyAcknowledged: true } : {}),
    };
  }
}
