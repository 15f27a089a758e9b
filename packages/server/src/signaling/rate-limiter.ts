/**
 * A token bucket per connection: `burst` messages at once, refilled at `perSecond`.
 * @packageDocumentation
 */

/** Rate-limit settings of one connection. */
export interface RateLimitOptions {
  /** Sustained messages per second. Default 20. */
  readonly perSecond: number;
  /** Bucket size (burst). Default 60. */
  readonly burst: number;
  /** Refused messages in a row after which the connection is closed (1008). Default 20. */
  readonly maxStrikes: number;
}

/** Default {@link RateLimitOptions}. */
export const DEFAULT_RATE_LIMIT: RateLimitOptions = { perSecond: 20, burst: 60, maxStrikes: 20 };

/** See the file header. */
export class TokenBucket {
  readonly #o: RateLimitOptions;
  readonly #now: () => number;
  #tokens: number;
  #last: number;
  #strikes = 0;

  constructor(options: RateLimitOptions, now: () => number = () => performance.now()) {
    this.#o = options;
    this.#now = now;
    this.#tokens = options.burst;
    this.#last = now();
  }

  /** Takes one token: `ok`, `limited` (answer RATE_LIMITED) or `close` (the limit persists). */
  take(): 'ok' | 'limited' | 'close' {
    const t = this.#now();
    this.#tokens = Math.min(this.#o.burst, this.#tokens + ((t - this.#last) / 1000) * this.#o.perSecond);
    this.#last = t;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      this.#strikes = 0;
      return 'ok';
    }
    this.#strikes++;
    return this.#strikes > this.#o.maxStrikes ? 'close' : 'limited';
  }
}
