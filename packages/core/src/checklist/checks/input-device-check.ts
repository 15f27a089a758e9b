import { ChecklistError } from '../errors.js';
import type { StepStatus } from '../types.js';
import { BaseCheck, type PersistedStep } from './base.js';
import { listDevices } from './media-devices.js';

/** The event every input-device step adds. */
export interface DeviceListEvents {
  /** The device list (labels once permission is granted). */
  devicesChanged: [devices: readonly MediaDeviceInfo[]];
}

/**
 * What the camera and microphone steps share: the chosen device, the device list, choosing another
 * device (re-running the step when it holds one or has a result), and keeping the choice with the
 * result across a reload. Subclasses open the device in `execute()` with {@link deviceId}.
 */
export abstract class InputDeviceCheck<D extends { readonly deviceId?: string }, E extends DeviceListEvents> extends BaseCheck<D, E> {
  #deviceId: string | undefined;
  #devices: readonly MediaDeviceInfo[] = [];

  /** `videoinput` or `audioinput`. */
  protected abstract readonly deviceKind: 'videoinput' | 'audioinput';
  /** Whether the step holds the device now (a new choice then applies at once). */
  protected abstract get holding(): boolean;
  /** The step's details from a saved (untrusted) record. */
  protected abstract detailsFrom(saved: Record<string, unknown>): D;

  /** The chosen device, once chosen or opened. */
  get deviceId(): string | undefined {
    return this.#deviceId;
  }
  /** The last listed devices. */
  get devices(): readonly MediaDeviceInfo[] {
    return this.#devices;
  }

  /** Lists the devices of this kind and emits `devicesChanged`. */
  async listDevices(): Promise<readonly MediaDeviceInfo[]> {
    this.#devices = await listDevices(this.ctx.platform, this.deviceKind);
    if (!this.closed) (this.emitExtra as (e: 'devicesChanged', d: readonly MediaDeviceInfo[]) => void)('devicesChanged', this.#devices);
    return this.#devices;
  }

  /**
   * Chooses a device; re-runs the step when it holds the device or has a result.
   * @throws {ChecklistError} `ANSWER_INVALID` for an empty id; `STEP_BUSY` while running.
   */
  async selectDevice(deviceId: string, signal?: AbortSignal): Promise<StepStatus> {
    this.assertOpen();
    if (typeof deviceId !== 'string' || deviceId === '')
      throw new ChecklistError('ANSWER_INVALID', 'deviceId is required', { stepId: this.id, field: 'deviceId' });
    if (this.busy) throw new ChecklistError('STEP_BUSY', `the ${this.kind} step is running`, { stepId: this.id });
    this.#deviceId = deviceId;
    if (this.holding || this.status !== 'idle') return this.run(signal);
    return this.status;
  }

  /** Sets the device id (restored selection, or the id the browser opened). @internal */
  setDeviceId(id: string | undefined): void {
    this.#deviceId = id;
  }

  override persist(): PersistedStep | undefined {
    if (!this.done || this.status === 'skipped') return undefined;
    return {
      status: this.status,
      ...(this.reason ? { reason: this.reason } : {}),
      state: { deviceId: this.#deviceId, details: this.details },
    };
  }

  override restore(saved: PersistedStep): void {
    const s = saved.state as { deviceId?: unknown; details?: Record<string, unknown> } | undefined;
    if (!s || typeof s !== 'object') return;
    if (typeof s.deviceId === 'string') this.#deviceId = s.deviceId;
    if (saved.status !== 'passed' && saved.status !== 'warning') return;
    this.restoreStatus(saved, this.detailsFrom(s.details ?? {}));
  }
}
