import type { Platform } from '../platform/platform.js';
import { ConnectionError } from '../session/errors.js';
import { RECONNECT_TIERS, type DisconnectCause, type ReconnectPolicy, type ReconnectTier } from './reconnect-policy.js';

/** What to do after a failed attempt. */
export type AttemptVerdict = 'retry' | 'escalate' | 'fatal';

/** Callbacks of {@link ReconnectController}. */
export interface ReconnectControllerCallbacks {
  /** Runs one attempt at `tier`; resolves when recovered, rejects otherwise. Must honour `signal`. */
  attempt(tier: ReconnectTier, signal: AbortSignal): Promise<void>;
  /** Classifies a failed attempt; `tierFailures` counts this cycle's failed attempts at `tier`, this one included. */
  classify(error: unknown, tier: ReconnectTier, tierFailures: number): AttemptVerdict;
  onAttempt?(tier: ReconnectTier, attempt: number): void;
  onRecovered(info: { tier: ReconnectTier; attempts: number; elapsedMs: number }): void;
  /** The policy gave up (`null`) or an attempt failed fatally. */
  onGiveUp(error: Error, fatal: boolean): void;
}

/** Options of {@link ReconnectController}. */
export interface ReconnectControllerOptions {
  readonly platform: Platform;
  readonly policy: ReconnectPolicy;
  readonly callbacks: ReconnectControllerCallbacks;
  /** Upper bound on one attempt, ms. Default 10 000. */
  readonly attemptTimeoutMs?: number;
}

/**
 * Runs one reconnect cycle at a time: asks the policy for a delay, waits (cut short by
 * {@link retryNow}, e.g. on `online`), runs the tier's attempt, escalates on failure. Holds at most
 * one timer; {@link cancel} clears it and aborts the running attempt.
 */
export class ReconnectController {
  readonly #o: ReconnectControllerOptions;
  #cycle = 0;
  #active = false;
  #tier: ReconnectTier = 'ice-restart';
  #timer: unknown;
  #wake: (() => void) | undefined;
  #abort: AbortController | undefined;

  constructor(options: ReconnectControllerOptions) {
    this.#o = options;
  }

  /** Whether a cycle is running. */
  get active(): boolean {
    return this.#active;
  }

  /** The tier of the next (or current) attempt. */
  get tier(): ReconnectTier {
    return this.#tier;
  }

  /** Whether a retry timer is pending (for leak checks). */
  get hasTimer(): boolean {
    return this.#timer !== undefined;
  }

  /**
   * Starts a cycle at `tier`, or, if one runs, raises its tier to at least `tier` (a WebSocket loss
   * during an ICE restart escalates to `resume`).
   */
  start(cause: DisconnectCause, tier: ReconnectTier): void {
    if (this.#active) {
      this.#raise(tier);
      return;
    }
    this.#active = true;
    this.#tier = tier;
    const cycle = ++this.#cycle;
    void this.#run(cycle, cause);
  }

  /** Cuts the current wait short (the browser came back online). */
  retryNow(): void {
    this.#wake?.();
  }

  /** Stops the cycle: clears the timer and aborts the running attempt. Idempotent. */
  cancel(): void {
    this.#cycle++;
    this.#active = false;
    this.#clearTimer();
    this.#abort?.abort();
    this.#abort = undefined;
    this.#wake?.();
  }

  #raise(tier: ReconnectTier): void {
    if (RECONNECT_TIERS.indexOf(tier) > RECONNECT_TIERS.indexOf(this.#tier)) this.#tier = tier;
  }

  #clearTimer(): void {
    if (this.#timer !== undefined) this.#o.platform.timers.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        this.#clearTimer();
        this.#wake = undefined;
        resolve();
      };
      this.#wake = done;
      this.#timer = this.#o.platform.timers.setTimeout(done, ms);
    });
  }

  async #run(cycle: number, cause: DisconnectCause): Promise<void> {
    const { platform, policy, callbacks } = this.#o;
    const started = platform.timers.now();
    let attempt = 0;
    let lastError: Error | undefined;
    const failures: Partial<Record<ReconnectTier, number>> = {};
    const live = (): boolean => this.#cycle === cycle;
    while (live()) {
      const elapsedMs = platform.timers.now() - started;
      const delay = policy.nextRetryDelayMs({
        attempt,
        elapsedMs,
        tier: this.#tier,
        cause,
        online: platform.isOnline(),
        ...(lastError ? { lastError } : {}),
      });
      if (delay === null) {
        this.#active = false;
        callbacks.onGiveUp(new ConnectionError('RECONNECT_FAILED', `gave up after ${attempt} attempts`, { cause: lastError }), false);
        return;
      }
      await this.#sleep(delay);
      if (!live()) return;
      attempt++;
      if (!platform.isOnline()) {
        lastError = new ConnectionError('OFFLINE', 'browser is offline');
        continue;
      }
      const tier = this.#tier;
      callbacks.onAttempt?.(tier, attempt);
      const abort = new AbortController();
      this.#abort = abort;
      const limit = platform.timers.setTimeout(() => abort.abort(), this.#o.attemptTimeoutMs ?? 10_000);
      try {
        await callbacks.attempt(tier, abort.signal);
        platform.timers.clearTimeout(limit);
        if (!live()) return;
        this.#active = false;
        this.#abort = undefined;
        callbacks.onRecovered({ tier, attempts: attempt, elapsedMs: platform.timers.now() - started });
        return;
      } catch (error) {
        platform.timers.clearTimeout(limit);
        if (!live()) return;
        this.#abort = undefined;
        lastError = error instanceof Error ? error : new Error(String(error));
        failures[tier] = (failures[tier] ?? 0) + 1;
        const verdict = callbacks.classify(error, tier, failures[tier]);
        if (verdict === 'fatal') {
          this.#active = false;
          callbacks.onGiveUp(lastError, true);
          return;
        }
        if (verdict === 'escalate') {
          const next = RECONNECT_TIERS[RECONNECT_TIERS.indexOf(tier) + 1];
          if (next) this.#raise(next);
        }
      }
    }
  }
}
