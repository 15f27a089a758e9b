import { describe, expect, it } from 'vitest';
import { QualityTracker, classifyQuality } from './quality.js';

const report = (entries: Record<string, unknown>[]): RTCStatsReport =>
  new Map(entries.map((e, i) => [String(i), e])) as unknown as RTCStatsReport;

describe('classifyQuality', () => {
  it('grades by the worst measure and lists reasons', () => {
    expect(classifyQuality({ lossPct: 0, rttMs: 40, jitterMs: 5, bitrateKbps: 800 })).toEqual({ level: 'good', reasons: [] });
    expect(classifyQuality({ lossPct: 3 })).toEqual({ level: 'fair', reasons: ['loss'] });
    expect(classifyQuality({ lossPct: 3, rttMs: 600 })).toEqual({ level: 'poor', reasons: ['loss', 'rtt'] });
    expect(classifyQuality({ jitterMs: 100, bitrateKbps: 100 })).toEqual({ level: 'poor', reasons: ['jitter', 'bitrate'] });
    expect(classifyQuality({})).toEqual({ level: 'good', reasons: [] });
  });
});

describe('QualityTracker', () => {
  it('computes loss and bitrate over the interval', () => {
    const t = new QualityTracker();
    const first = t.sample(
      'p',
      [report([{ type: 'inbound-rtp', kind: 'video', packetsLost: 0, packetsReceived: 100, bytesReceived: 10_000, jitter: 0.01 }])],
      0,
    );
    expect(first.lossPct).toBeUndefined();
    expect(first.jitterMs).toBe(10);
    const second = t.sample(
      'p',
      [
        report([
          { type: 'inbound-rtp', kind: 'video', packetsLost: 10, packetsReceived: 190, bytesReceived: 135_000, jitter: 0.02 },
          { type: 'candidate-pair', nominated: true, currentRoundTripTime: 0.3 },
        ]),
      ],
      1000,
    );
    expect(second.lossPct).toBe(10);
    expect(second.bitrateKbps).toBe(1000);
    expect(second.rttMs).toBe(300);
    expect(classifyQuality(second).level).toBe('poor');
  });
});

describe('QualityTracker (local participant)', () => {
  it('uses the server’s receiver reports for loss, jitter and RTT of what we send', () => {
    const t = new QualityTracker();
    t.sample(
      'me',
      [
        report([
          { type: 'outbound-rtp', kind: 'video', packetsSent: 100, bytesSent: 0 },
          { type: 'remote-inbound-rtp', packetsLost: 0, jitter: 0.005, roundTripTime: 0.02 },
        ]),
      ],
      0,
    );
    const s = t.sample(
      'me',
      [
        report([
          { type: 'outbound-rtp', kind: 'video', packetsSent: 200, bytesSent: 100_000 },
          { type: 'remote-inbound-rtp', packetsLost: 5, jitter: 0.005, roundTripTime: 0.02 },
        ]),
      ],
      1000,
    );
    expect(s.lossPct).toBeCloseTo(4.8, 1);
    expect(s.rttMs).toBe(20);
    expect(s.bitrateKbps).toBe(800);
    expect(classifyQuality(s)).toEqual({ level: 'fair', reasons: ['loss'] });
  });
});

describe('QualityTracker after a transport rebuild', () => {
  const video = (id: string, ssrc: number, packetsReceived: number, bytesReceived: number, packetsLost = 0) => ({
    type: 'inbound-rtp',
    kind: 'video',
    id,
    ssrc,
    packetsLost,
    packetsReceived,
    bytesReceived,
  });

  it('never reports a negative bitrate or loss when the counters restart from zero', () => {
    const t = new QualityTracker();
    t.sample('p', [report([video('IT01V1', 1, 5000, 2_000_000, 10)])], 0);
    expect(t.sample('p', [report([video('IT01V1', 1, 5100, 2_100_000, 10)])], 1000).bitrateKbps).toBe(800);
    // The transport was rebuilt: a new receiver under the same stats id, counters from zero.
    const afterRebuild = t.sample('p', [report([video('IT01V1', 1, 40, 52_250, 0)])], 2000);
    expect(afterRebuild.bitrateKbps).toBeUndefined();
    expect(afterRebuild.lossPct).toBeUndefined();
    // The next interval is measured from the new counters.
    const next = t.sample('p', [report([video('IT01V1', 1, 140, 152_250, 2)])], 3000);
    expect(next.bitrateKbps).toBe(800);
    expect(next.lossPct).toBeCloseTo(2, 1);
  });

  it('counts a new stream (new SSRC) only from its second report, and ignores one that went away', () => {
    const t = new QualityTracker();
    t.sample('p', [report([video('IT01V1', 1, 5000, 2_000_000)])], 0);
    // Old consumer gone, new one (another SSRC) already has bytes: no delta to take yet.
    expect(t.sample('p', [report([video('IT02V2', 2, 100, 90_000)])], 1000).bitrateKbps).toBeUndefined();
    const s = t.sample('p', [report([video('IT02V2', 2, 200, 215_000)])], 2000);
    expect(s.bitrateKbps).toBe(1000);
    expect(s.lossPct).toBe(0);
  });
});
