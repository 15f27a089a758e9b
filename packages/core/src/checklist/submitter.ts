import type { Platform } from '../platform/platform.js';
import type { AlcoveError } from '../session/errors.js';
import { ChecklistError } from './errors.js';

/** Callbacks of {@link Submitter}. */
export interface SubmitterCallbacks<R> {
  /** Sends the current state; resolves with the server's answer. */
  send(): Promise<R>;
  onSent(result: R): void;
  onError(error: AlcoveError): void;
}

/** Retry delays after a failed submission, ms (the last one repeats). */
export const SUBMIT_RETRY_MS = [1000, 2000, 5000, 10_000, 30_000] as const;

/**
 * Debounces and coalesces checklist submissions: changes within `debounceMs` go out together, at
 * most one request is in flight, a change during a flight sends once more afterwards, and a failure
 * is retried with backoff until the next success or {@link cancel}. Internal to the checklist.
 */
export class Submitter<R> {
  readonly #platform: Platform;
  readonly #debounceMs: number;
  readonly #cb: SubmitterCallbacks<R>;
  #timer: unknown;
  #inFlight: Promise<R | undefined> | undefined;
  #dirty = false;
  #failures = 0;
  #cancelled = false;

  constructor(platform: Platform, debounceMs: number, callbacks: SubmitterCallbacks<R>) {
    this.#platform = platform;
    this.#debounceMs = debounceMs;
    this.#cb = callbacks;
  }

  /** Whether a submission is waiting or in flight. */
  get pending(): boolean {
    return this.#timer !== undefined || this.#inFlight !== undefined || this.#dirty;
  }

  /** A change happened: submit after the debounce. */
  schedule(delayMs = this.#debounceMs): void {
    if (this.#cancelled) return;
    this.#dirty = true;
    if (this.#timer !== undefined || this.#inFlight) return;
    this.#timer = this.#platform.timers.setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, delayMs);
  }

  /** Submits now (or joins the flight in progress and sends once more after it). */
  flush(): Promise<R | undefined> {
    if (this.#cancelled) return Promise.resolve(undefined);
    if (this.#timer !== undefined) {
      this.#platform.timers.clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    if (this.#inFlight) {
      this.#dirty = true;
      return this.#inFlight;
    }
    this.#dirty = false;
    const flight = this.#cb
      .send()
      .then(
        (result) => {
          this.#failures = 0;
          if (!this.#cancelled) this.#cb.onSent(result);
          return result;
        },
        (e: unknown) => {
          if (this.#cancelled) return undefined;
          const delay = SUBMIT_RETRY_MS[Math.min(this.#failures, SUBMIT_RETRY_MS.length - 1)] as number;
          this.#failures++;
          this.#cb.onError(
            e instanceof ChecklistError
              ? e
              : new ChecklistError('CHECKLIST_SUBMIT_FAILED', 'checklist submission failed; retrying', { cause: e }),
          );
          this.#dirty = true;
          this.#retryAfter(delay);
          return undefined;
        },
      )
      .finally(() => {
        if (this.#inFlight === flight) this.#inFlight = undefined;
        if (this.#dirty && this.#timer === undefined && !this.#cancelled) this.schedule();
      });
    this.#inFlight = flight;
    return flight;
  }

  /** Stops timers and retries; a flight in progress is ignored. */
  cancel(): void {
    this.#cancelled = true;
    this.#dirty = false;
    if (this.#timer !== undefined) this.#platform.timers.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Allows scheduling again after {@link cancel} (a new binding). */
  resume(): void {
    this.#cancelled = false;
    this.#failures = 0;
  }

  #retryAfter(delay: number): void {
    if (this.#timer !== undefined) this.#platform.timers.clearTimeout(this.#timer);
    this.#timer = this.#platform.timers.setTimeout(() => {
      this.#timer = undefined;
      void this.flush();
    }, delay);
  }
}
