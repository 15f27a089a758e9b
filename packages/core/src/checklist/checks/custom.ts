import type { ChecklistStepDef } from '@alcove/protocol';
import { BaseCheck, type PersistedStep } from './base.js';

/** A custom step's details: when its text was acknowledged. */
export interface CustomDetails {
  /** Unix ms. */
  readonly acknowledgedAt: number;
}

/** A short fingerprint of a step's title and text (detects a changed text on resume or rebind). */
function fingerprint(def: ChecklistStepDef): string {
  let h = 0x811c9dc5;
  const s = `${def.title ?? ''}\u0000${def.text ?? ''}`;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16);
}

/**
 * A custom step of the policy (`custom-…`): the client reads its title and text and acknowledges
 * them. A changed text needs a new acknowledgement.
 * @example
 * const step = checklist.step('custom-recording');
 * if (step?.kind === 'custom') { show(step.title, step.text); step.acknowledge(); }
 */
export class CustomCheck extends BaseCheck<CustomDetails> {
  readonly kind = 'custom' as const;

  /** The text to read and acknowledge. */
  get text(): string | undefined {
    return this.def.text;
  }

  /** Records the acknowledgement. */
  acknowledge(): CustomDetails {
    this.assertOpen();
    const details = { acknowledgedAt: Math.floor(this.ctx.now()) };
    this.setStatus('passed', { details });
    return details;
  }

  /** A custom step has nothing to run: it waits for {@link acknowledge}. */
  protected async execute(): Promise<void> {
    if (this.details) this.setStatus('passed');
    else this.setStatus('idle');
  }

  protected override policyChanged(prev: ChecklistStepDef): void {
    if (fingerprint(prev) !== fingerprint(this.def) && this.status !== 'idle') this.setStatus('idle', { details: undefined });
  }

  override persist(): PersistedStep | undefined {
    return this.details ? { status: 'passed', state: { ...this.details, fp: fingerprint(this.def) } } : undefined;
  }

  override restore(saved: PersistedStep): void {
    const s = saved.state as { acknowledgedAt?: unknown; fp?: unknown } | undefined;
    if (
      saved.status !== 'passed' ||
      !s ||
      s.fp !== fingerprint(this.def) ||
      typeof s.acknowledgedAt !== 'number' ||
      !Number.isFinite(s.acknowledgedAt)
    )
      return;
    this.restoreStatus(saved, { acknowledgedAt: s.acknowledgedAt });
  }
}
