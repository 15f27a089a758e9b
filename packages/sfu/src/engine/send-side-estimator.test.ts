import { describe, expect, it } from 'vitest';
import { TransportCcRecorder } from '../rtp/transport-cc.js';
import { INITIAL_ESTIMATE_BPS, SendSideEstimator } from './send-side-estimator.js';

/**
 * Drives an estimator with a simulated path: 1000-byte packets every `gapMs`, delivered after a
 * base delay plus `queueMs(i)` unless `lost(i)`; the receiver's feedback every 50 ms.
 */
function run(
  est: SendSideEstimator,
  o: { packets: number; gapMs: number; queueMs?: (i: number) => number; lost?: (i: number) => boolean; start?: number },
): void {
  const rec = new TransportCcRecorder({ senderSsrc: 1 });
  const start = o.start ?? 0;
  let nextFeedback = 50;
  for (let i = 0; i < o.packets; i++) {
    const sentAt = i * o.gapMs;
    const seq = (start + i) & 0xffff;
    est.onPacketSent(seq, 1000, sentAt);
    if (!o.lost?.(i)) rec.record(seq, sentAt + 20 + (o.queueMs?.(i) ?? 0), 5);
    if (sentAt >= nextFeedback) {
      for (const fb of rec.buildFeedback()) est.onFeedback(fb, sentAt + 25);
      nextFeedback += 50;
    }
  }
}

describe('SendSideEstimator', () => {
  it('grows without congestion signals', () => {
    const est = new SendSideEstimator();
    run(est, { packets: 500, gapMs: 10 }); // 800 kbit/s for 5 s, clean
    expect(est.decreases).toBe(0);
    expect(est.estimate).toBeGreaterThan(INITIAL_ESTIMATE_BPS * 2);
  });

  it('drops to about 85 % of the received rate on loss', () => {
    const est = new SendSideEstimator();
    run(est, { packets: 300, gapMs: 10, lost: (i) => i > 100 && i % 4 === 0 }); // 25 % loss after 1 s
    expect(est.decreases).toBeGreaterThan(0);
    // 800 kbit/s sent, 600 received: about 510 kbit/s.
    expect(est.estimate).toBeLessThan(650_000);
    expect(est.estimate).toBeGreaterThan(300_000);
  });

  it('drops on a growing queue (delay), without loss', () => {
    const est = new SendSideEstimator();
    run(est, { packets: 300, gapMs: 10, queueMs: (i) => (i > 100 ? (i - 100) * 2 : 0) });
    expect(est.decreases).toBeGreaterThan(0);
    expect(est.estimate).toBeLessThan(INITIAL_ESTIMATE_BPS * 1.5);
  });

  it('does not take a one-off stall (a busy machine delaying a burst of packets) for a queue', () => {
    const est = new SendSideEstimator();
    // 800 kbit/s, clean, except that twice the packets of 40 ms arrive together 100 ms late.
    run(est, { packets: 500, gapMs: 10, queueMs: (i) => ((i >= 150 && i < 154) || (i >= 320 && i < 324) ? 100 - (i % 4) * 10 : 0) });
    expect(est.decreases).toBe(0);
    expect(est.estimate).toBeGreaterThan(INITIAL_ESTIMATE_BPS);
  });

  it('ignores feedback about packets it did not send', () => {
    const est = new SendSideEstimator();
    const rec = new TransportCcRecorder({ senderSsrc: 1 });
    for (let i = 0; i < 50; i++) rec.record(i, i, 5);
    for (const fb of rec.buildFeedback()) expect(est.onFeedback(fb, 100)).toBe(false);
    expect(est.estimate).toBe(INITIAL_ESTIMATE_BPS);
  });
});
