import { describe, expect, it } from 'vitest';
import { DefaultReconnectPolicy, type ReconnectContext } from './reconnect-policy.js';

const ctx = (attempt: number, elapsedMs: number): ReconnectContext => ({
  attempt,
  elapsedMs,
  tier: 'resume',
  cause: 'signaling-closed',
  online: true,
});

describe('DefaultReconnectPolicy', () => {
  it('retries at once, then grows its delays with bounded jitter', () => {
    const lo = new DefaultReconnectPolicy({ random: () => 0 });
    const hi = new DefaultReconnectPolicy({ random: () => 0.999999 });
    expect(lo.nextRetryDelayMs(ctx(0, 0))).toBe(0);
    expect(hi.nextRetryDelayMs(ctx(0, 0))).toBe(0);
    const base = [0, 300, 600, 1200, 2000, 3000, 5000, 5000, 5000];
    base.forEach((b, i) => {
      const a = lo.nextRetryDelayMs(ctx(i, 100)) ?? -1;
      const z = hi.nextRetryDelayMs(ctx(i, 100)) ?? -1;
      expect(a).toBe(Math.round(b * 0.8));
      expect(z).toBe(Math.round(b * 1.2));
    });
  });

  it('jitter varies the schedule between clients', () => {
    let x = 0.1;
    const p = new DefaultReconnectPolicy({ random: () => (x = (x * 7.3) % 1) });
    const delays = new Set(Array.from({ length: 10 }, () => p.nextRetryDelayMs(ctx(3, 0))));
    expect(delays.size).toBeGreaterThan(3);
  });

  it('gives up once the overall budget is spent and never sleeps past it', () => {
    const p = new DefaultReconnectPolicy({ maxElapsedMs: 10_000, random: () => 0.5 });
    expect(p.nextRetryDelayMs(ctx(6, 9_000))).toBe(1000);
    expect(p.nextRetryDelayMs(ctx(6, 10_000))).toBeNull();
    expect(p.nextRetryDelayMs(ctx(1, 12_000))).toBeNull();
    // Simulated schedule: total time stays within the budget.
    let elapsed = 0;
    let attempt = 0;
    for (;;) {
      const d = p.nextRetryDelayMs(ctx(attempt, elapsed));
      if (d === null) break;
      elapsed += d + 50;
      attempt++;
    }
    expect(elapsed).toBeLessThanOrEqual(10_000 + 50);
    expect(attempt).toBeGreaterThan(4);
  });

  it('rejects bad options', () => {
    expect(() => new DefaultReconnectPolicy({ delaysMs: [] })).toThrow(RangeError);
    expect(() => new DefaultReconnectPolicy({ jitter: 1 })).toThrow(RangeError);
  });
});
