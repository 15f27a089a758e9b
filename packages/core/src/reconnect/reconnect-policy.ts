/** The recovery tiers of ARCHITECTURE §7, in escalation order. */
export const RECONNECT_TIERS = ['ice-restart', 'resume', 'rejoin'] as const;
/** A recovery tier: ICE restart, WebSocket resume with the ticket, or full rejoin. */
export type ReconnectTier = (typeof RECONNECT_TIERS)[number];

/** What made the session start reconnecting. */
export type DisconnectCause =
  | 'signaling-closed'
  | 'heartbeat'
  | 'ice'
  | 'no-inbound-media'
  | 'offline'
  | 'transport-closed'
  | 'server-shutdown';

/** What a {@link ReconnectPolicy} sees before each retry. */
export interface ReconnectContext {
  /** Attempts made so far in this reconnect cycle (0 before the first). */
  readonly attempt: number;
  /** Milliseconds since the connection was found lost. */
  readonly elapsedMs: number;
  /** The tier the next attempt will use. */
  readonly tier: ReconnectTier;
  /** Why the cycle started. */
  readonly cause: DisconnectCause;
  /** Whether the browser reports being online. */
  readonly online: boolean;
  /** Why the previous attempt failed, if one did. */
  readonly lastError?: Error;
}

/**
 * Decides how long to wait before the next reconnect attempt; `null` gives up (the session goes
 * to `failed`). Called before every attempt, including the first.
 * @example
 * const fixed: ReconnectPolicy = { nextRetryDelayMs: (ctx) => (ctx.attempt < 5 ? 1000 : null) };
 */
export interface ReconnectPolicy {
  nextRetryDelayMs(context: ReconnectContext): number | null;
}

/** Options of {@link DefaultReconnectPolicy}. */
export interface DefaultReconnectPolicyOptions {
  /** Base delays per attempt; the last repeats. Default `[0, 300, 600, 1200, 2000, 3000, 5000]`. */
  readonly delaysMs?: readonly number[];
  /** Jitter as a fraction of the delay, ±. Default 0.2. The first attempt (delay 0) has none. */
  readonly jitter?: number;
  /** Overall budget: give up once this much time has passed since the loss. Default 60 000 ms. */
  readonly maxElapsedMs?: number;
  /** Random source in [0, 1). Default `Math.random` (jitter needs no CSPRNG). */
  readonly random?: () => number;
}

/**
 * The default policy: an immediate first retry, then growing delays with ±20 % jitter, until an
 * overall budget of 60 s is spent. A delay never runs past the budget.
 * @example
 * Session.create({ serverUrl, token, reconnectPolicy: new DefaultReconnectPolicy({ maxElapsedMs: 30_000 }) });
 */
export class DefaultReconnectPolicy implements ReconnectPolicy {
  readonly #delays: readonly number[];
  readonly #jitter: number;
  readonly #budget: number;
  readonly #random: () => number;

  constructor(options: DefaultReconnectPolicyOptions = {}) {
    const delays = options.delaysMs ?? [0, 300, 600, 1200, 2000, 3000, 5000];
    if (delays.length === 0 || delays.some((d) => !Number.isFinite(d) || d < 0))
      throw new RangeError('delaysMs must be non-negative numbers');
    const jitter = options.jitter ?? 0.2;
    if (!(jitter >= 0 && jitter < 1)) throw new RangeError('jitter must be in [0, 1)');
    this.#delays = delays;
    this.#jitter = jitter;
    this.#budget = options.maxElapsedMs ?? 60_000;
    this.#random = options.random ?? Math.random;
  }

  /** Total time this policy allows, in ms. */
  get budgetMs(): number {
    return this.#budget;
  }

  nextRetryDelayMs(context: ReconnectContext): number | null {
    const remaining = this.#budget - context.elapsedMs;
    if (remaining <= 0) return null;
    const base = this.#delays[Math.min(context.attempt, this.#delays.length - 1)] ?? 0;
    const jittered = base === 0 ? 0 : base * (1 + this.#jitter * (2 * this.#random() - 1));
    return Math.max(0, Math.min(Math.round(jittered), remaining));
  }
}
