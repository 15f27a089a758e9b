import { describe, expect, it } from 'vitest';
import { LatestWinsThrottle, type ThrottleClock } from './throttle.js';

/** A manual clock: time moves only when the test says so. */
function manualClock(): ThrottleClock & { advance(ms: number): void } {
  let t = 0;
  const timers = new Set<{ at: number; fn: () => void }>();
  return {
    now: () => t,
    setTimeout: (fn, ms) => {
      const h = { at: t + ms, fn };
      timers.add(h);
      return h;
    },
    clearTimeout: (h) => void timers.delete(h as { at: number; fn: () => void }),
    advance(ms) {
      const end = t + ms;
      for (;;) {
        const next = [...timers].filter((x) => x.at <= end).sort((a, b) => a.at - b.at)[0];
        if (!next) break;
        timers.delete(next);
        t = next.at;
        next.fn();
      }
      t = end;
    },
  };
}

describe('LatestWinsThrottle', () => {
  it('delivers the first value at once and the latest of a burst when the interval ends', () => {
    const clock = manualClock();
    const out: [string, number][] = [];
    const th = new LatestWinsThrottle<number>(1000, (k, v) => out.push([k, v]), clock);
    for (let i = 1; i <= 500; i++) th.push('a', i);
    expect(out).toEqual([['a', 1]]);
    expect(th.pending).toBe(1);
    clock.advance(999);
    expect(out).toHaveLength(1);
    clock.advance(1);
    expect(out).toEqual([
      ['a', 1],
      ['a', 500],
    ]);
    // Quiet for a while: the next value goes at once again.
    clock.advance(5000);
    th.push('a', 501);
    expect(out.at(-1)).toEqual(['a', 501]);
    // Keys are independent.
    th.push('b', 1);
    expect(out.at(-1)).toEqual(['b', 1]);
  });

  it('delivers at most once per interval under a steady stream, and always the last value', () => {
    const clock = manualClock();
    const out: number[] = [];
    const th = new LatestWinsThrottle<number>(1000, (_k, v) => out.push(v), clock);
    for (let i = 0; i < 10_000; i++) {
      th.push('k', i);
      clock.advance(1);
    }
    clock.advance(1000);
    expect(out.at(-1)).toBe(9999);
    expect(out.length).toBeLessThanOrEqual(10_000 / 1000 + 2);
  });

  it('flushes a held value before an unthrottled message, forgets cancelled keys, and stops when closed', () => {
    const clock = manualClock();
    const out: number[] = [];
    const th = new LatestWinsThrottle<number>(1000, (_k, v) => out.push(v), clock);
    th.push('k', 1);
    th.push('k', 2);
    th.flush('k');
    expect(out).toEqual([1, 2]);
    clock.advance(2000);
    expect(out).toEqual([1, 2]);
    th.push('k', 3);
    th.push('k', 4);
    th.cancel('k');
    clock.advance(2000);
    expect(out).toEqual([1, 2, 3]);
    th.push('x', 5);
    th.push('x', 6);
    th.close();
    clock.advance(2000);
    th.push('y', 7);
    expect(out).toEqual([1, 2, 3, 5]);
  });

  it('keeps working when a delivery throws', () => {
    const clock = manualClock();
    let n = 0;
    const th = new LatestWinsThrottle<number>(
      10,
      () => {
        n++;
        throw new Error('socket gone');
      },
      clock,
    );
    th.push('k', 1);
    th.push('k', 2);
    clock.advance(10);
    expect(n).toBe(2);
  });
});
