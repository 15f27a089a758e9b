/**
 * A keyed "latest wins" throttle: per key, at most one delivery per interval. The first value after
 * a quiet interval goes out at once (leading edge); values pushed meanwhile replace each other and
 * the last one goes out when the interval ends (trailing edge), so the latest state always arrives.
 * Only the one pending value per key is held.
 * @packageDocumentation
 */

/** Timers the throttle uses (injectable for tests). */
export interface ThrottleClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Real timers; handles are `unref`'d so a pending delivery never keeps a process alive. */
export const REAL_CLOCK: ThrottleClock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

interface Entry<V> {
  last: number;
  pending?: { value: V } | undefined;
  timer?: unknown;
}

/** See the file header. */
export class LatestWinsThrottle<V> {
  readonly #intervalMs: number;
  readonly #deliver: (key: string, value: V) => void;
  readonly #clock: ThrottleClock;
  readonly #entries = new Map<string, Entry<V>>();
  #closed = false;

  constructor(intervalMs: number, deliver: (key: string, value: V) => void, clock: ThrottleClock = REAL_CLOCK) {
    this.#intervalMs = intervalMs;
    this.#deliver = deliver;
    this.#clock = clock;
  }

  /** Values waiting for their interval to end (tests, metrics). */
  get pending(): number {
    let n = 0;
    for (const e of this.#entries.values()) if (e.pending) n++;
    return n;
  }

  /** Offers a value for `key`: delivered now, or held (replacing a held one) until the interval ends. */
  push(key: string, value: V): void {
    if (this.#closed) return;
    const now = this.#clock.now();
    const e = this.#entries.get(key);
    if (!e || (!e.timer && now - e.last >= this.#intervalMs)) {
      this.#entries.set(key, { last: now });
      this.#safeDeliver(key, value);
      return;
    }
    e.pending = { value };
    if (!e.timer) e.timer = this.#clock.setTimeout(() => this.#fire(key), Math.max(0, e.last + this.#intervalMs - now));
  }

  /** Delivers the held value of `key` now, if any (to keep order before an unthrottled message). */
  flush(key: string): void {
    const e = this.#entries.get(key);
    if (!e?.pending) return;
    const { value } = e.pending;
    e.pending = undefined;
    if (e.timer) this.#clock.clearTimeout(e.timer);
    e.timer = undefined;
    e.last = this.#clock.now();
    this.#safeDeliver(key, value);
  }

  /** Forgets `key` (a held value is dropped). */
  cancel(key: string): void {
    const e = this.#entries.get(key);
    if (!e) return;
    if (e.timer) this.#clock.clearTimeout(e.timer);
    this.#entries.delete(key);
  }

  /** Forgets every key for which `predicate` holds. */
  cancelWhere(predicate: (key: string) => boolean): void {
    for (const key of [...this.#entries.keys()]) if (predicate(key)) this.cancel(key);
  }

  /** Drops everything held; later pushes are ignored. Idempotent. */
  close(): void {
    this.#closed = true;
    for (const key of [...this.#entries.keys()]) this.cancel(key);
  }

  #fire(key: string): void {
    const e = this.#entries.get(key);
    if (!e) return;
    e.timer = undefined;
    if (!e.pending) {
      this.#entries.delete(key);
      return;
    }
    const { value } = e.pending;
    e.pending = undefined;
    e.last = this.#clock.now();
    this.#safeDeliver(key, value);
  }

  #safeDeliver(key: string, value: V): void {
    try {
      this.#deliver(key, value);
    } catch {
      // A failing delivery (closed socket) must not break the throttle.
    }
  }
}
