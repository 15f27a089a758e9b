/** Network quality of one participant as this client sees it. */
export type QualityLevel = 'good' | 'fair' | 'poor';

/** What a quality level is based on. Absent numbers were not measurable. */
export interface QualitySample {
  /** Packet loss over the last interval, percent. */
  readonly lossPct?: number;
  /** Round-trip time, ms. */
  readonly rttMs?: number;
  /** Jitter, ms. */
  readonly jitterMs?: number;
  /** Received (remote) or sent (local) video bitrate, kbit/s. */
  readonly bitrateKbps?: number;
}

/** Why a level is not `good`. */
export type QualityReason = 'loss' | 'rtt' | 'jitter' | 'bitrate';

/** A participant's quality with its reasons. */
export interface QualityReport {
  readonly participantId: string;
  readonly level: QualityLevel;
  readonly reasons: readonly QualityReason[];
  readonly sample: QualitySample;
}

/** Thresholds: `[fair, poor]` for each measure. */
export const QUALITY_THRESHOLDS = {
  lossPct: [2, 8],
  rttMs: [250, 500],
  jitterMs: [30, 80],
  /** Lower is worse: below the first is fair, below the second poor (video only). */
  bitrateKbps: [150, 50],
} as const;

/**
 * Classifies a sample: the worst measure wins; `reasons` lists every measure above `good`.
 * @example
 * classifyQuality({ lossPct: 10, rttMs: 40 }); // { level: 'poor', reasons: ['loss'] }
 */
export function classifyQuality(sample: QualitySample): { level: QualityLevel; reasons: QualityReason[] } {
  let level = 0;
  const reasons: QualityReason[] = [];
  const rate = (reason: QualityReason, score: number): void => {
    if (score > 0) reasons.push(reason);
    level = Math.max(level, score);
  };
  const above = (v: number | undefined, [fair, poor]: readonly [number, number]): number =>
    v === undefined ? 0 : v >= poor ? 2 : v >= fair ? 1 : 0;
  rate('loss', above(sample.lossPct, QUALITY_THRESHOLDS.lossPct));
  rate('rtt', above(sample.rttMs, QUALITY_THRESHOLDS.rttMs));
  rate('jitter', above(sample.jitterMs, QUALITY_THRESHOLDS.jitterMs));
  const [fairB, poorB] = QUALITY_THRESHOLDS.bitrateKbps;
  const b = sample.bitrateKbps;
  rate('bitrate', b === undefined ? 0 : b < poorB ? 2 : b < fairB ? 1 : 0);
  return { level: level === 2 ? 'poor' : level === 1 ? 'fair' : 'good', reasons };
}

/** One RTP stream's cumulative counters as last reported. */
interface StreamCounters {
  lost: number;
  received: number;
  /** Video bytes; 0 for audio. */
  bytes: number;
}

interface Counters {
  streams: Map<string, StreamCounters>;
  at: number;
}

/**
 * Turns successive `getStats` reports of one participant's receivers into samples: loss and
 * bitrate over the interval since the previous report, jitter and RTT as last reported.
 *
 * Deltas are taken per RTP stream (its stats id and SSRC). A stream that is new in this report, or
 * whose counters went backwards (its transport was rebuilt and the counters restarted from zero),
 * counts only from this report on, so a rebuild never yields a negative or inflated bitrate or loss.
 */
export class QualityTracker {
  readonly #last = new Map<string, Counters>();

  /**
   * Folds `reports` taken at `now` into a sample: one per consumer of a remote participant
   * (`inbound-rtp`), or one per producer for the local participant (`outbound-rtp` with the
   * server's `remote-inbound-rtp` reports).
   */
  sample(participantId: string, reports: readonly RTCStatsReport[], now: number): QualitySample {
    const streams = new Map<string, StreamCounters>();
    const stream = (s: Record<string, unknown>): StreamCounters => {
      const key = `${String(s.id ?? '')}/${String(s.ssrc ?? '')}`;
      let c = streams.get(key);
      if (!c) {
        c = { lost: 0, received: 0, bytes: 0 };
        streams.set(key, c);
      }
      return c;
    };
    let jitter: number | undefined;
    let rtt: number | undefined;
    for (const report of reports) {
      report.forEach((s: Record<string, unknown>) => {
        if (s.type === 'inbound-rtp') {
          const c = stream(s);
          c.lost += Number(s.packetsLost ?? 0);
          c.received += Number(s.packetsReceived ?? 0);
          if (s.kind === 'video') c.bytes += Number(s.bytesReceived ?? 0);
          if (typeof s.jitter === 'number') jitter = Math.max(jitter ?? 0, s.jitter * 1000);
        } else if (s.type === 'outbound-rtp') {
          // Local participant: what the server reports back about our streams.
          const c = stream(s);
          c.received += Number(s.packetsSent ?? 0);
          if (s.kind === 'video') c.bytes += Number(s.bytesSent ?? 0);
        } else if (s.type === 'remote-inbound-rtp' && typeof s.packetsLost === 'number') {
          stream(s).lost += s.packetsLost;
          if (typeof s.jitter === 'number') jitter = Math.max(jitter ?? 0, s.jitter * 1000);
          if (typeof s.roundTripTime === 'number') rtt = Math.max(rtt ?? 0, s.roundTripTime * 1000);
        } else if (s.type === 'candidate-pair' && s.nominated === true && typeof s.currentRoundTripTime === 'number') {
          rtt = s.currentRoundTripTime * 1000;
        } else if (s.type === 'remote-inbound-rtp' && typeof s.roundTripTime === 'number') {
          rtt = Math.max(rtt ?? 0, s.roundTripTime * 1000);
        }
      });
    }
    const prev = this.#last.get(participantId);
    this.#last.set(participantId, { streams, at: now });
    const out: { lossPct?: number; rttMs?: number; jitterMs?: number; bitrateKbps?: number } = {};
    if (jitter !== undefined) out.jitterMs = Math.round(jitter);
    if (rtt !== undefined) out.rttMs = Math.round(rtt);
    if (!prev) return out;
    // Sum the deltas of the streams present in both reports whose counters did not restart.
    let dLost = 0;
    let dRecv = 0;
    let dBytes = 0;
    let videoCompared = false;
    for (const [key, c] of streams) {
      const p = prev.streams.get(key);
      if (!p || c.received < p.received || c.bytes < p.bytes) continue;
      dLost += Math.max(0, c.lost - p.lost);
      dRecv += c.received - p.received;
      if (c.bytes > 0) {
        dBytes += c.bytes - p.bytes;
        videoCompared = true;
      }
    }
    if (dLost + dRecv > 0) out.lossPct = Math.round((1000 * dLost) / (dLost + dRecv)) / 10;
    const dt = now - prev.at;
    if (dt > 0 && videoCompared) out.bitrateKbps = Math.round((dBytes * 8) / dt);
    return out;
  }

  /** Forgets a participant. */
  forget(participantId: string): void {
    this.#last.delete(participantId);
  }
}
