import { checkBoolean, checkChoice, checkObject } from '../validate.js';
import {
  CONNECTION_TYPES,
  type ConnectionType,
  DEVICE_TYPES,
  type DeviceType,
  type EnvironmentAnswer,
  type EnvironmentInput,
} from '../types.js';
import { BaseCheck, type PersistedStep } from './base.js';

const STEP = 'environment';

/**
 * Maps the Network Information API's `type` to a connection kind (`undefined`: ask the client).
 * @example
 * connectionTypeOf('cellular'); // 'cellular'
 * connectionTypeOf(undefined);  // undefined (desktop browsers report no type)
 */
export function connectionTypeOf(type: string | undefined): ConnectionType | undefined {
  switch (type) {
    case 'wifi':
      return 'wifi';
    case 'ethernet':
      return 'ethernet';
    case 'cellular':
      return 'cellular';
    case 'bluetooth':
    case 'wimax':
    case 'other':
      return 'other';
    default:
      return undefined; // 'none', 'unknown' or absent (desktop browsers report no type)
  }
}

/**
 * The environment step: the client attests a private space and a private network, and names the
 * device type (prefilled from the browser's hint) and connection type (detected through the Network
 * Information API where the browser has one, otherwise asked). Passes once all four are known;
 * `warning` when the space or the network is not private.
 * @example
 * const env = checklist.environment!;
 * env.detect(); // connection type where the browser knows it; env.suggestedDeviceType for the form
 * env.answer({ privateSpace: true, privateNetwork: true, deviceType: 'computer', connectionType: 'wifi' });
 */
export class EnvironmentCheck extends BaseCheck<EnvironmentAnswer> {
  readonly kind = 'environment' as const;

  /** The device type the browser suggests (to preselect in the form; the client confirms). */
  get suggestedDeviceType(): DeviceType | undefined {
    try {
      return this.ctx.platform.deviceTypeHint?.();
    } catch {
      return undefined;
    }
  }

  /** The connection type the browser reports, when it does. */
  get detectedConnectionType(): ConnectionType | undefined {
    try {
      return connectionTypeOf(this.ctx.platform.networkInformation?.()?.type);
    } catch {
      return undefined;
    }
  }

  /** Fills the connection type from the Network Information API when known and not yet answered. */
  detect(): EnvironmentAnswer {
    this.assertOpen();
    const detected = this.detectedConnectionType;
    const cur = this.details ?? {};
    if (detected && cur.connectionType === undefined) this.#apply({ ...cur, connectionType: detected, connectionTypeSource: 'detected' });
    return this.details ?? {};
  }

  /**
   * Records answers (any subset; earlier answers stay).
   * @throws {ChecklistError} `ANSWER_INVALID` with the `field` at fault.
   */
  answer(input: EnvironmentInput): EnvironmentAnswer {
    this.assertOpen();
    const o = checkObject(input, STEP);
    const next: { -readonly [K in keyof EnvironmentAnswer]: EnvironmentAnswer[K] } = { ...(this.details ?? {}) };
    if (o.privateSpace !== undefined) next.privateSpace = checkBoolean(o.privateSpace, STEP, 'privateSpace');
    if (o.privateNetwork !== undefined) next.privateNetwork = checkBoolean(o.privateNetwork, STEP, 'privateNetwork');
    if (o.deviceType !== undefined) next.deviceType = checkChoice(o.deviceType, DEVICE_TYPES, STEP, 'deviceType');
    if (o.connectionType !== undefined) {
      next.connectionType = checkChoice(o.connectionType, CONNECTION_TYPES, STEP, 'connectionType');
      next.connectionTypeSource = 'asked';
    }
    this.#apply(next);
    return next;
  }

  /** Detects what can be detected; the rest is asked. */
  protected async execute(): Promise<void> {
    this.detect();
    this.#apply(this.details ?? {});
  }

  override persist(): PersistedStep | undefined {
    return this.details ? { status: this.status, state: this.details } : undefined;
  }

  override restore(saved: PersistedStep): void {
    const s = saved.state as EnvironmentAnswer | undefined;
    if (!s || typeof s !== 'object') return;
    try {
      const { connectionTypeSource, ...input } = s;
      this.answer(input);
      if (connectionTypeSource === 'detected' && this.details?.connectionType)
        this.#apply({ ...this.details, connectionTypeSource: 'detected' });
    } catch {
      // malformed storage: start afresh
    }
  }

  #apply(next: EnvironmentAnswer): void {
    const complete =
      next.privateSpace !== undefined &&
      next.privateNetwork !== undefined &&
      next.deviceType !== undefined &&
      next.connectionType !== undefined;
    if (!complete) {
      this.setStatus('idle', { details: next });
      return;
    }
    if (next.privateSpace === false) this.setStatus('warning', { reason: 'NOT_PRIVATE_SPACE', details: next });
    else if (next.privateNetwork === false) this.setStatus('warning', { reason: 'NOT_PRIVATE_NETWORK', details: next });
    else this.setStatus('passed', { details: next });
  }
}
