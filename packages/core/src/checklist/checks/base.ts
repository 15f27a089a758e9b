import type { BuiltInStepId, ChecklistPolicyInfo, ChecklistStepDef } from '@alcove/protocol';
import type { Platform } from '../../platform/platform.js';
import { AlcoveError } from '../../session/errors.js';
import { GuardedEmitter } from '../../session/guarded-emitter.js';
import { ChecklistError } from '../errors.js';
import type { CheckEvents, StepStatusChange } from '../events.js';
import type { RememberedStore } from '../storage.js';
import {
  CHECK_REASONS,
  type CheckReason,
  type ChecklistBinding,
  type ChecklistOptions,
  STEP_TRANSITIONS,
  type StepResult,
  type StepStatus,
} from '../types.js';

/** Which module implements a step: a built-in id, or `custom` for `custom-…` steps. */
export type StepKind = BuiltInStepId | 'custom';

/** Options with their defaults applied. */
export interface ResolvedChecklistOptions {
  readonly rememberAnswers: boolean;
  readonly rememberConsent: boolean;
  readonly storageKey: string;
  readonly resumeMaxAgeMs: number;
  readonly submitDebounceMs: number;
  readonly requireE2ee: boolean;
  readonly camera: Required<NonNullable<ChecklistOptions['camera']>>;
  readonly microphone: Required<NonNullable<ChecklistOptions['microphone']>>;
  readonly speaker: Required<NonNullable<ChecklistOptions['speaker']>>;
  readonly networkTestMaxMs: number;
}

/** What a step gets from its checklist (internal wiring, not the public emitter). */
export interface CheckContext {
  readonly platform: Platform;
  readonly options: ResolvedChecklistOptions;
  /** Wall clock, Unix ms. */
  now(): number;
  policy(): ChecklistPolicyInfo;
  binding(): ChecklistBinding | undefined;
  /** The country of the location step's answer, for national phone numbers. */
  countryHint(): string | undefined;
  readonly remembered: RememberedStore;
  /** The step's status, details or answer changed. */
  changed(step: BaseCheck): void;
  /** An error a step caught on purpose (the network test's best-effort requests): counted and logged at debug. */
  swallowed(site: string, error: unknown): void;
}

/** A step's state as kept in `sessionStorage` to resume after a reload. */
export interface PersistedStep {
  readonly status: StepStatus;
  readonly reason?: CheckReason;
  readonly errorCode?: string;
  /** Step-specific: answers (replayed through validation) or measurements. */
  readonly state?: unknown;
}

/**
 * The shape every checklist step shares: status, details, `run()`, `skip()`, `reset()`, and the
 * events of {@link CheckEvents} (`statusChanged`, `detailsChanged`, `progress`) on every step.
 * @example
 * const cam = checklist.camera;
 * cam?.on('statusChanged', ({ to, reason }) => render(to, reason));
 * await cam?.run();
 */
export interface Check<D = unknown> {
  readonly id: string;
  readonly kind: StepKind;
  readonly def: ChecklistStepDef;
  readonly required: boolean;
  readonly allowWarning: boolean;
  /** The policy's heading for the step, if any. */
  readonly title: string | undefined;
  readonly status: StepStatus;
  readonly reason: CheckReason | undefined;
  /** The error behind a `failed` status (e.g. a `MediaDeviceError` with `PERMISSION_DENIED`). */
  readonly error: AlcoveError | undefined;
  readonly details: D | undefined;
  /** Final status: passed, warning, failed or skipped. */
  readonly done: boolean;
  /** Counts for completion: passed, skipped, warning where allowed; optional steps always. */
  readonly satisfied: boolean;
  /** Runs (or re-evaluates) the step; resolves with its status. Rejects on abort or a failed guard. */
  run(signal?: AbortSignal): Promise<StepStatus>;
  /** @throws {ChecklistError} `STEP_REQUIRED` for a required step. */
  skip(): void;
  /** Back to `idle`, answers and measurements cleared, devices released. */
  reset(): void;
  snapshot(): StepResult;
}

/** Options of {@link BaseCheck.setStatus}. */
interface StatusUpdate<D> {
  readonly reason?: CheckReason | undefined;
  readonly error?: AlcoveError | undefined;
  readonly details?: D | undefined;
}

/**
 * Common implementation of a step: the status transition table, guards, abort handling, events and
 * persistence hooks. Subclasses implement {@link execute} and their answer methods.
 */
export abstract class BaseCheck<D = unknown, E extends object = object> extends GuardedEmitter<CheckEvents<D> & E> {
  readonly id: string;
  abstract readonly kind: StepKind;
  protected readonly ctx: CheckContext;
  #def: ChecklistStepDef;
  #status: StepStatus = 'idle';
  #reason: CheckReason | undefined;
  #error: AlcoveError | undefined;
  #details: D | undefined;
  #active: AbortController | undefined;
  #closed = false;

  constructor(def: ChecklistStepDef, ctx: CheckContext) {
    super();
    this.id = def.id;
    this.#def = def;
    this.ctx = ctx;
  }

  get def(): ChecklistStepDef {
    return this.#def;
  }
  get required(): boolean {
    return this.#def.required;
  }
  get allowWarning(): boolean {
    return this.#def.allowWarning;
  }
  get title(): string | undefined {
    return this.#def.title;
  }
  get status(): StepStatus {
    return this.#status;
  }
  get reason(): CheckReason | undefined {
    return this.#reason;
  }
  get error(): AlcoveError | undefined {
    return this.#error;
  }
  get details(): D | undefined {
    return this.#details;
  }
  get done(): boolean {
    return this.#status !== 'idle' && this.#status !== 'running';
  }
  get satisfied(): boolean {
    if (!this.required) return true;
    return this.#status === 'passed' || this.#status === 'skipped' || (this.#status === 'warning' && this.allowWarning);
  }
  /** Whether an operation (`run`) is in flight. */
  get busy(): boolean {
    return this.#active !== undefined;
  }
  /** Whether {@link close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  async run(signal?: AbortSignal): Promise<StepStatus> {
    this.assertOpen();
    if (this.#active) throw new ChecklistError('STEP_BUSY', `step ${this.id} is already running`, { stepId: this.id });
    if (signal?.aborted) throw new AlcoveError('ABORTED', `step ${this.id} aborted`);
    this.precondition();
    const ac = new AbortController();
    const onAbort = (): void => ac.abort(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    this.#active = ac;
    this.setStatus('running');
    try {
      await this.execute(ac.signal);
    } catch (e) {
      if (this.#active !== ac) return this.#status; // superseded by reset(), skip() or close()
      if (ac.signal.aborted) {
        this.release();
        this.setStatus('idle');
        throw new AlcoveError('ABORTED', `step ${this.id} aborted`, { cause: e });
      }
      const error =
        e instanceof AlcoveError ? e : new ChecklistError('ANSWER_INVALID', `step ${this.id} failed`, { cause: e, stepId: this.id });
      this.setStatus('failed', { reason: reasonOf(error), error });
    } finally {
      signal?.removeEventListener('abort', onAbort);
      if (this.#active === ac) this.#active = undefined;
    }
    return this.#status;
  }

  skip(): void {
    this.assertOpen();
    if (this.required) throw new ChecklistError('STEP_REQUIRED', `step ${this.id} is required`, { stepId: this.id });
    this.#cancel();
    this.release();
    if (this.#status !== 'skipped') this.setStatus('skipped', { details: undefined });
  }

  reset(): void {
    this.assertOpen();
    this.#cancel();
    this.release();
    this.clearAnswer();
    this.setStatus('idle', { details: undefined });
  }

  /** Releases devices and listeners. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#cancel();
    this.release();
    this.#closed = true;
    this.removeAllListeners();
  }

  snapshot(): StepResult {
    return {
      id: this.id,
      status: this.#status,
      required: this.required,
      allowWarning: this.allowWarning,
      satisfied: this.satisfied,
      ...(this.#reason ? { reason: this.#reason } : {}),
      ...(this.#error ? { errorCode: this.#error.code } : {}),
      ...(this.#details !== undefined ? { details: this.publicDetails(this.#details) } : {}),
    };
  }

  /**
   * Applies a new definition of this step (a new policy). Returns nothing; a subclass whose answer
   * no longer fits (another consent document, another custom text) resets itself.
   * @internal
   */
  applyDef(def: ChecklistStepDef): void {
    const prev = this.#def;
    this.#def = def;
    this.policyChanged(prev);
  }

  /** @internal State to keep in `sessionStorage`; `undefined` keeps nothing. */
  persist(): PersistedStep | undefined {
    return undefined;
  }

  /** @internal Restores {@link persist}'s output (validated: storage is not trusted). */
  restore(_saved: PersistedStep): void {
    // default: nothing is restored
  }

  // --- for subclasses ------------------------------------------------------------------------------

  /** The step's work. Throw to fail it (mapped to a reason); `signal` aborts. */
  protected abstract execute(signal: AbortSignal): Promise<void>;

  /** Guard before `running` (e.g. the network test needs a binding). Throw to refuse. */
  protected precondition(): void {
    // none by default
  }

  /** Stops devices, timers and audio. Must be idempotent. */
  protected release(): void {
    // nothing by default
  }

  /** Forgets answers and measurements. */
  protected clearAnswer(): void {
    // nothing by default
  }

  /** Reacts to a new definition (default: re-evaluate nothing). */
  protected policyChanged(_prev: ChecklistStepDef): void {
    // nothing by default
  }

  /** Details as `snapshot()` shows them (JSON-safe). Default: as is. */
  protected publicDetails(details: D): unknown {
    return details;
  }

  /** Whether the step is being run right now (for subclasses that outlive `run()`, e.g. the meter). */
  protected get activeSignal(): AbortSignal | undefined {
    return this.#active?.signal;
  }

  protected assertOpen(): void {
    if (this.#closed) throw new ChecklistError('CHECKLIST_CLOSED', 'the checklist was closed', { stepId: this.id });
  }

  /**
   * Moves to `to` through the transition table (a same-status update only refreshes reason, error
   * and details) and tells the checklist.
   * @throws {InvalidStateError}-like `ChecklistError` never: illegal moves are programming errors and throw `Error`.
   */
  protected setStatus(to: StepStatus, update: StatusUpdate<D> = {}): void {
    const from = this.#status;
    if (from !== to && !STEP_TRANSITIONS[from].includes(to)) throw new Error(`illegal step transition ${from} → ${to}`);
    this.#status = to;
    this.#reason = to === 'warning' || to === 'failed' ? update.reason : undefined;
    this.#error = to === 'failed' ? update.error : undefined;
    const detailsChanged = 'details' in update && update.details !== this.#details;
    if ('details' in update) this.#details = update.details;
    const emitter = this as unknown as GuardedEmitter<CheckEvents<D>>;
    if (from !== to) {
      const change: StepStatusChange = { stepId: this.id, from, to, ...(this.#reason ? { reason: this.#reason } : {}) };
      emitter.emit('statusChanged', change);
    }
    if (detailsChanged) emitter.emit('detailsChanged', this.#details);
    if (!this.#closed) this.ctx.changed(this);
  }

  /** Replaces the details without a status move. */
  protected setDetails(details: D | undefined): void {
    this.#details = details;
    (this as unknown as GuardedEmitter<CheckEvents<D>>).emit('detailsChanged', details);
    if (!this.#closed) this.ctx.changed(this);
  }

  protected emitProgress(fraction: number): void {
    (this as unknown as GuardedEmitter<CheckEvents<D>>).emit('progress', Math.min(1, Math.max(0, fraction)));
  }

  /** Emits a step-specific event. */
  protected emitExtra<K extends keyof E & string>(event: K, ...args: E[K] extends unknown[] ? E[K] : never): void {
    (this as unknown as GuardedEmitter<Record<string, unknown[]>>).emit(event, ...(args as unknown[]));
  }

  /** Restores a status and reason from storage (no transition checks beyond the table). */
  protected restoreStatus(saved: PersistedStep, details: D | undefined): void {
    const reason = saved.reason && saved.reason in CHECK_REASONS ? saved.reason : undefined;
    this.setStatus(saved.status, { reason, details });
  }

  #cancel(): void {
    const ac = this.#active;
    this.#active = undefined;
    ac?.abort();
  }
}

/** The reason code of a failure: the error code when it is a reason, else none. */
export function reasonOf(error: AlcoveError): CheckReason | undefined {
  return error.code in CHECK_REASONS ? (error.code as CheckReason) : undefined;
}
