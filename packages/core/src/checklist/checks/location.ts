import { evaluateLicensure } from '../licensure.js';
import { checkObject, checkText } from '../validate.js';
import { ChecklistError } from '../errors.js';
import { ANSWER_LIMITS, type AddressInput, type LicensureResult, type LocationAnswer, type StepStatus } from '../types.js';
import { BaseCheck, type PersistedStep } from './base.js';

/** The location step's details: the address and the licensure result (absent when licensure is off). */
export interface LocationDetails {
  readonly address: LocationAnswer;
  readonly licensure?: LicensureResult;
}

const STEP = 'location';
const POSTAL = /^[A-Za-z0-9][A-Za-z0-9 -]*$/;

/**
 * Validates and normalises an address (codes upper-cased, text trimmed).
 * @throws {ChecklistError} `ANSWER_INVALID` / `ANSWER_TOO_LONG` with the `field` at fault.
 * @example
 * validateAddress({ country: 'us', region: 'tn', locality: 'Nashville', street: '1 Main St' }).region; // 'US-TN'
 */
export function validateAddress(input: AddressInput): LocationAnswer {
  const o = checkObject(input, STEP);
  const country = checkText(o.country, {
    stepId: STEP,
    field: 'country',
    max: 8,
    required: true,
    pattern: /^[A-Za-z]{2}$/,
  })?.toUpperCase() as string;
  let region = checkText(o.region, { stepId: STEP, field: 'region', max: 8, pattern: /^[A-Za-z0-9-]+$/ })?.toUpperCase();
  if (region !== undefined) {
    if (!region.includes('-')) region = `${country}-${region}`;
    if (!/^[A-Z]{2}-[A-Z0-9]{1,3}$/.test(region) || !region.startsWith(`${country}-`)) {
      throw new ChecklistError('ANSWER_INVALID', 'region must be an ISO 3166-2 subdivision of the country', {
        stepId: STEP,
        field: 'region',
      });
    }
  }
  const locality = checkText(o.locality, { stepId: STEP, field: 'locality', max: ANSWER_LIMITS.locality, required: true }) as string;
  const street = checkText(o.street, { stepId: STEP, field: 'street', max: ANSWER_LIMITS.street, required: true }) as string;
  const postalCode = checkText(o.postalCode, { stepId: STEP, field: 'postalCode', max: ANSWER_LIMITS.postalCode, pattern: POSTAL });
  return { country, ...(region ? { region } : {}), locality, street, ...(postalCode ? { postalCode } : {}) };
}

/**
 * The location step: where the client is for this session (structured address, for emergency
 * dispatch), and the licensure check against the therapist's jurisdictions in the policy. Status:
 * pass → passed, warn → warning, block → failed, unknown (no country / region needed) → failed with
 * a reason. With licensure `off`, a valid address passes.
 * @example
 * const loc = checklist.location!;
 * if (loc.prefill) showForm(loc.prefill); // last session's address on this device, to confirm
 * const { licensure } = loc.setAddress({ country: 'US', region: 'US-TN', locality: 'Nashville', street: '1 Main St' });
 */
export class LocationCheck extends BaseCheck<LocationDetails> {
  readonly kind = 'location' as const;

  /**
   * The address of the last session on this device, for the client to confirm (only when the app
   * enables `rememberAnswers` and the policy allows `prefillLocation`). Never answered automatically.
   */
  get prefill(): LocationAnswer | undefined {
    if (!this.#mayRemember()) return undefined;
    const saved = this.ctx.remembered.read().location;
    if (saved === undefined) return undefined;
    try {
      return validateAddress(saved as AddressInput);
    } catch {
      return undefined;
    }
  }

  get address(): LocationAnswer | undefined {
    return this.details?.address;
  }

  get licensure(): LicensureResult | undefined {
    return this.details?.licensure;
  }

  /**
   * Sets the address for this session and evaluates licensure.
   * @throws {ChecklistError} `ANSWER_INVALID` / `ANSWER_TOO_LONG` with `field` (the step is unchanged).
   */
  setAddress(input: AddressInput): LocationDetails {
    this.assertOpen();
    const address = validateAddress(input);
    const details = this.#evaluate(address);
    if (this.#mayRemember()) this.ctx.remembered.setLocation(address);
    return details;
  }

  /** Forgets the address remembered on this device (prefill). */
  forgetRemembered(): void {
    this.ctx.remembered.setLocation(undefined);
  }

  /** Re-evaluates licensure for the current address against the current policy. */
  protected async execute(): Promise<void> {
    const address = this.address;
    if (address) this.#evaluate(address);
    else this.setStatus('idle');
  }

  protected override policyChanged(): void {
    const address = this.address;
    if (address) this.#evaluate(address);
  }

  override persist(): PersistedStep | undefined {
    const a = this.address;
    return a ? { status: this.status, state: { address: a } } : undefined;
  }

  override restore(saved: PersistedStep): void {
    const s = saved.state as { address?: unknown } | undefined;
    if (!s || typeof s !== 'object' || s.address === undefined) return;
    try {
      this.#evaluate(validateAddress(s.address as AddressInput));
    } catch {
      // malformed storage: start afresh
    }
  }

  #mayRemember(): boolean {
    return this.ctx.options.rememberAnswers && this.ctx.policy().prefillLocation;
  }

  #evaluate(address: LocationAnswer): LocationDetails {
    const policy = this.ctx.policy();
    const licensure = evaluateLicensure(address, policy.jurisdictions, policy.licensure);
    const details: LocationDetails = { address, ...(licensure ? { licensure } : {}) };
    const status: StepStatus = !licensure || licensure.outcome === 'pass' ? 'passed' : licensure.outcome === 'warn' ? 'warning' : 'failed';
    this.setStatus(status, { reason: licensure?.reason, details });
    return details;
  }
}
