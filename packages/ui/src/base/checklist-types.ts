/**
 * The slice of `@alcove/core`'s checklist (`Checklist` and its `Check` steps) the checklist
 * elements use, typed structurally: the elements take a `Checklist` from the session
 * (`session.checklist`) or the page and need no import of the checklist module (it stays out of
 * the bundle of apps without a checklist).
 */

/** A step's status. */
export type StepStatus = 'idle' | 'running' | 'passed' | 'warning' | 'failed' | 'skipped';

/** An event emitter (eventemitter3-shaped). */
export interface Emitter {
  on(event: string, fn: (...args: never[]) => void): unknown;
  off(event: string, fn: (...args: never[]) => void): unknown;
}

/** One step (`Check`) of the checklist. */
export interface StepLike extends Emitter {
  readonly id: string;
  readonly kind: string;
  readonly required: boolean;
  readonly title: string | undefined;
  readonly status: StepStatus;
  readonly reason?: string | undefined;
  readonly error?: { readonly code: string; readonly field?: string } | undefined;
  readonly details: unknown;
  readonly done: boolean;
  readonly satisfied: boolean;
  run(signal?: AbortSignal): Promise<StepStatus>;
  skip(): void;
  // Step-specific members (present on the matching kind).
  readonly document?: { readonly version: string; readonly text?: string; readonly url?: string } | undefined;
  acknowledge?(options?: unknown): unknown;
  setAddress?(input: Record<string, string | undefined>): unknown;
  readonly address?: Record<string, string | undefined> | undefined;
  readonly licensure?: { readonly outcome: string } | undefined;
  setPlan?(input: Record<string, unknown>): unknown;
  readonly cancellationPolicy?: string | undefined;
  answer?(input: Record<string, unknown>): unknown;
  heard?(yes: boolean): unknown;
  stop?(): void;
  readonly stream?: MediaStream | undefined;
  readonly text?: string | undefined;
  readonly result?: { readonly quality: string } | undefined;
}

/** The checklist run. */
export interface ChecklistLike extends Emitter {
  readonly steps: readonly StepLike[];
  readonly complete: boolean;
  readonly progress: { readonly done: number; readonly total: number; readonly complete: boolean };
  readonly state: string;
  start?(signal?: AbortSignal): Promise<void>;
  flush?(): Promise<unknown>;
}
