import type { ResponseData } from '@alcove/protocol';
import type { AlcoveError } from '../session/errors.js';
import type { Check } from './checks/base.js';
import type { CheckReason, ChecklistProgress, ChecklistStateChange, StepResult, StepStatus } from './types.js';

/** Payload of a step's `statusChanged`. */
export interface StepStatusChange {
  readonly stepId: string;
  readonly from: StepStatus;
  readonly to: StepStatus;
  /** Why the step is `warning`/`failed` (absent for passed/idle/running). */
  readonly reason?: CheckReason;
}

/**
 * Events every step emits. Steps add their own (`level` for the microphone, `preview` for the
 * camera, `tone` for the speaker).
 */
export interface CheckEvents<D> {
  /** Every status move, `{ stepId, from, to, reason }`. */
  statusChanged: [change: StepStatusChange];
  /** The step's answers or measurements changed (also when the status stays). */
  detailsChanged: [details: D | undefined];
  /** Progress of a running step, 0..1 (network test, camera measurement). */
  progress: [fraction: number];
}

/** Events of a {@link Checklist}. */
export interface ChecklistEvents {
  /** `{ from, to, reason }` of the run: idle → inProgress → complete; closed. */
  stateChanged: [change: ChecklistStateChange];
  /** A step's status or details changed. */
  stepChanged: [step: StepResult];
  /** Counts after any step change. */
  progress: [progress: ChecklistProgress];
  /** The step list changed (a new policy on `bind`). */
  stepsChanged: [steps: readonly Check[]];
  /** The server acknowledged a submission: whether the client is admissible now and what is missing. */
  submitted: [result: ResponseData<'checklist.submit'>];
  /** A non-fatal problem (a submission failed and will be retried). */
  error: [error: AlcoveError];
}
