/**
 * What a checklist submission means under a session's policy: which steps count as done, whether
 * the checklist is complete and whether the host may admit the client. Pure functions; the server
 * recomputes everything and never trusts the client's own `complete`.
 * @packageDocumentation
 */
import type { CheckStatus, ChecklistStatus, LicensureOutcome } from '@alcove/protocol';
import type { ChecklistConfig, ChecklistStepConfig } from '../sessions/types.js';

/** The server's view of one client's checklist. */
export interface ChecklistEvaluation {
  /** Every policy step, in policy order, with its effective status (`pending` when not reported). */
  readonly status: ChecklistStatus;
  /** Whether the host may admit the client now (checklist requirement and licensure). */
  readonly admissible: boolean;
  /** Required steps not done, in policy order. */
  readonly missing: string[];
}

/** Step ids in `steps` the policy does not define (empty when all are known). */
export function unknownSteps(config: ChecklistConfig, steps: Readonly<Record<string, CheckStatus>>): string[] {
  const known = new Set(config.steps.map((s) => s.id));
  return Object.keys(steps).filter((id) => !known.has(id));
}

/** Whether a status satisfies a step: `passed`, or `warning` where the step allows it. */
export function satisfies(step: ChecklistStepConfig, status: CheckStatus): boolean {
  return status === 'passed' || (status === 'warning' && step.allowWarning);
}

/**
 * Evaluates reported statuses (already checked for unknown ids) against the policy.
 * - A step not mentioned is `pending`.
 * - `consent` reported `passed` without a valid receipt in this session counts as `pending`.
 * - `complete`: every required step is satisfied ({@link satisfies}).
 * - `admissible`: `complete` when the policy requires the checklist before admission (else true),
 *   and never when licensure is `block` and the client's outcome is `block`.
 */
export function evaluateChecklist(
  config: ChecklistConfig,
  reported: Readonly<Record<string, CheckStatus>> | undefined,
  facts: { readonly consentVerified: boolean; readonly licensure?: LicensureOutcome | undefined },
): ChecklistEvaluation {
  const steps: Record<string, CheckStatus> = {};
  const missing: string[] = [];
  for (const step of config.steps) {
    let status: CheckStatus = reported?.[step.id] ?? 'pending';
    if (step.id === 'consent' && status === 'passed' && !facts.consentVerified) status = 'pending';
    steps[step.id] = status;
    if (step.required && !satisfies(step, status)) missing.push(step.id);
  }
  const complete = missing.length === 0;
  const blocked = config.licensure === 'block' && facts.licensure === 'block';
  const admissible = (!config.requiredBeforeAdmission || complete) && !blocked;
  return { status: { steps, complete }, admissible, missing };
}

/** A stable key of step statuses (to detect a change). */
export function statusKey(status: ChecklistStatus): string {
  return Object.entries(status.steps)
    .map(([id, s]) => `${id}=${s}`)
    .join(',');
}
