import { inspect } from 'node:util';

/** Options for {@link waitFor}. */
export interface WaitForOptions {
  /**
   * Safety net only, never a performance limit: give up after this many milliseconds. Default
   * 30 000. Choose it generously (a loaded two-core machine is slow); durations are measured by
   * `pnpm bench`, not asserted by tests.
   */
  readonly timeoutMs?: number;
  /** Pause between two probes, in milliseconds. Default 100. */
  readonly intervalMs?: number;
  /** Stops waiting early (rejects with the signal's reason). */
  readonly signal?: AbortSignal;
}

/** Raised by {@link waitFor} when its condition did not hold in time. */
export class WaitForTimeoutError extends Error {
  override readonly name = 'WaitForTimeoutError';
  /** What was awaited, as given to {@link waitFor}. */
  readonly what: string;
  /** The last value the probe returned (`undefined` when it never returned). */
  readonly lastValue: unknown;
  constructor(what: string, timeoutMs: number, probes: number, returned: boolean, lastValue: unknown, lastError: unknown) {
    const value = returned ? `last observed value: ${describe(lastValue)}` : 'the probe never returned a value';
    const error =
      lastError === undefined ? '' : `; last probe error: ${lastError instanceof Error ? lastError.message : describe(lastError)}`;
    super(`Gave up waiting for ${what} after ${timeoutMs} ms and ${probes} probes (${value}${error})`, {
      ...(lastError !== undefined ? { cause: lastError } : {}),
    });
    this.what = what;
    this.lastValue = lastValue;
  }
}

function describe(value: unknown): string {
  return inspect(value, { depth: 3, breakLength: Infinity, maxArrayLength: 20, maxStringLength: 200 });
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

async function withDeadline<T>(work: Promise<T>, deadline: number): Promise<{ timedOut: false; value: T } | { timedOut: true }> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<{ timedOut: true }>((resolve) => {
    timer = setTimeout(() => resolve({ timedOut: true }), Math.max(0, deadline - performance.now()) + 50);
  });
  try {
    return await Promise.race([work.then((value) => ({ timedOut: false as const, value })), late]);
  } finally {
    clearTimeout(timer);
    work.catch(() => undefined); // a late rejection of an abandoned probe is not an unhandled one
  }
}

/** Always true for a value that is not `false`, `0`, `''`, `null` or `undefined`. */
const truthy = (value: unknown): boolean => Boolean(value);

/**
 * Polls `probe` until `until(value)` holds and returns that value: the one way Alcove's tests
 * wait. Wait for a condition (a state reached, a counter grown past a baseline), then assert on
 * the value it returns, never on a count read right after a fixed sleep.
 *
 * A probe that throws is retried (a page still loading, an element not yet there); its last error
 * is reported if the wait fails. On failure the error says what was awaited and the last observed
 * value, e.g. `Gave up waiting for guest's tile to decode 10 frames after 30000 ms and 291 probes
 * (last observed value: 3)`.
 *
 * @param what - what is awaited, in words; it becomes the failure message.
 * @param probe - reads the current value (may be async, e.g. a `page.evaluate`).
 * @param until - the condition on the value; default: the value is truthy.
 * @param options - timeout (a safety net, default 30 s) and poll interval (default 100 ms).
 * @returns the first value for which `until` held.
 * @throws {WaitForTimeoutError} when the condition did not hold before `timeoutMs`.
 * @example
 * ```ts
 * const before = await readVideoStats(page, '#remote');
 * const now = await waitFor('more decoded frames', () => readVideoStats(page, '#remote'),
 *   (s) => s.decodedFrames > before.decodedFrames);
 * expect(now.width).toBeGreaterThan(0);
 * await waitFor('the client to be joined', () => page.evaluate(() => window.app.state), (s) => s === 'joined');
 * ```
 */
export async function waitFor<T>(
  what: string,
  probe: () => T | Promise<T>,
  until: (value: T) => boolean = truthy,
  options: WaitForOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const intervalMs = options.intervalMs ?? 100;
  const deadline = performance.now() + timeoutMs;
  let probes = 0;
  let returned = false;
  let lastValue: unknown;
  let lastError: unknown;
  const giveUp = (): WaitForTimeoutError => new WaitForTimeoutError(what, timeoutMs, probes, returned, lastValue, lastError);
  for (;;) {
    options.signal?.throwIfAborted();
    probes++;
    try {
      // A probe that hangs (a page that stopped answering) must not outlive the deadline.
      const outcome = await withDeadline(Promise.resolve().then(probe), deadline);
      if (outcome.timedOut) {
        lastError = new Error('the last probe did not return');
        throw giveUp();
      }
      returned = true;
      lastValue = outcome.value;
      lastError = undefined;
      if (until(outcome.value)) return outcome.value;
    } catch (e) {
      if (e instanceof WaitForTimeoutError) throw e;
      lastError = e ?? new Error('the probe threw a nullish value');
    }
    if (performance.now() >= deadline) throw giveUp();
    await sleep(Math.max(0, Math.min(intervalMs, deadline - performance.now())), options.signal);
  }
}
