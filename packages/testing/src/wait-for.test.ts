import { describe, expect, it } from 'vitest';
import { waitFor, WaitForTimeoutError } from './wait-for.js';

describe('waitFor', () => {
  it('returns the first value that meets the condition', async () => {
    let n = 0;
    const got = await waitFor(
      'n to reach 3',
      () => ++n,
      (v) => v >= 3,
      { intervalMs: 1 },
    );
    expect(got).toBe(3);
  });

  it('waits for a truthy value by default and awaits async probes', async () => {
    let n = 0;
    const got = await waitFor('an object', async () => (++n < 3 ? null : { n }), undefined, { intervalMs: 1 });
    expect(got).toEqual({ n: 3 });
  });

  it('retries a probe that throws and reports its last error when it gives up', async () => {
    const err = await waitFor(
      'a page that never loads',
      () => {
        throw new Error('page not ready');
      },
      undefined,
      { timeoutMs: 50, intervalMs: 5 },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WaitForTimeoutError);
    expect((err as Error).message).toContain('waiting for a page that never loads');
    expect((err as Error).message).toContain('the probe never returned a value');
    expect((err as Error).message).toContain('page not ready');
  });

  it('says what it waited for and the last observed value', async () => {
    let n = 0;
    const err = await waitFor(
      'the guest to decode 15 frames',
      () => ({ decodedFrames: ++n > 2 ? 2 : n }),
      (s) => s.decodedFrames >= 15,
      {
        timeoutMs: 50,
        intervalMs: 5,
      },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(WaitForTimeoutError);
    expect((err as WaitForTimeoutError).what).toBe('the guest to decode 15 frames');
    expect((err as WaitForTimeoutError).lastValue).toEqual({ decodedFrames: 2 });
    expect((err as Error).message).toMatch(
      /^Gave up waiting for the guest to decode 15 frames after 50 ms and \d+ probes \(last observed value: \{ decodedFrames: 2 \}\)$/,
    );
  });

  it('does not hang on a probe that never settles', async () => {
    const err = await waitFor('a hung page', () => new Promise<never>(() => undefined), undefined, { timeoutMs: 30 }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WaitForTimeoutError);
    expect((err as Error).message).toContain('the last probe did not return');
  });

  it('stops when its signal aborts', async () => {
    const ac = new AbortController();
    const waiting = waitFor('something that never happens', () => false, undefined, { signal: ac.signal, intervalMs: 5 });
    ac.abort(new Error('test over'));
    await expect(waiting).rejects.toThrow('test over');
  });
});
