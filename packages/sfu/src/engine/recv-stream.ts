/**
 * Receive-side statistics of one incoming RTP stream (RFC 3550 A.1/A.3/A.8): loss, jitter, and
 * the last SR for LSR/DLSR. One per producer encoding; simulcast adds more of them later.
 * @internal
 */
import type { ReportBlock } from './rtcp.js';
import type { NackGenerator } from './nack-generator.js';

/** Incoming stream state. */
export class RecvStream {
  readonly ssrc: number;
  readonly mappedSsrc: number;
  readonly clockRate: number;
  rtxSsrc: number | undefined;
  /** Index of the producer encoding (simulcast spatial layer) this stream carries. */
  layer = 0;
  /** The encoding's RID, if it has one. */
  rid: string | undefined;
  /** Missing-packet list when the sender accepts NACK. */
  nack: NackGenerator | undefined;
  /** NACK packets sent and sequence numbers requested in them. */
  nackCount = 0;
  nackPacketCount = 0;
  packetsReceived = 0;
  bytesReceived = 0;
  /** Bitrate over the last RTCP interval (about 1 s), bit/s. */
  bitrate = 0;
  private bitrateBytes = 0;
  private bitrateAt = 0;
  /**
   * VP8 with temporal layers: payload bytes received per temporal layer id (0..3), and each
   * layer's own bitrate over the last interval (bit/s, not cumulative). Zero for other streams.
   */
  readonly temporalBytes = new Float64Array(4);
  readonly temporalBitrate = new Float64Array(4);
  private readonly temporalBytesAt = new Float64Array(4);
  packetsRetransmittedRx = 0;
  private started = false;
  private baseSeq = 0;
  private maxSeq = 0;
  private cycles = 0;
  private jitter = 0;
  private lastTransit = 0;
  private expectedPrior = 0;
  private receivedPrior = 0;
  /** Middle 32 bits of the last SR's NTP time, and when it arrived (ms). */
  private lastSrMiddle = 0;
  private lastSrAt = 0;
  /** Last fraction lost (0..255) computed for an RR. */
  fractionLost = 0;
  /** 0..10, from loss; 0 once the stream is inactive (see {@link idleIntervals}). */
  score = 10;
  /** Report intervals in a row in which nothing arrived. */
  idleIntervals = 0;

  constructor(ssrc: number, mappedSsrc: number, clockRate: number) {
    this.ssrc = ssrc;
    this.mappedSsrc = mappedSsrc;
    this.clockRate = clockRate;
  }

  /** Records one received packet. `nowMs` is a monotonic clock in ms. */
  onPacket(seq: number, rtpTs: number, bytes: number, nowMs: number): void {
    this.packetsReceived++;
    this.bytesReceived += bytes;
    if (!this.started) {
      this.started = true;
      this.baseSeq = seq;
      this.maxSeq = seq;
      this.lastTransit = ((nowMs * this.clockRate) / 1000 - rtpTs) | 0;
      return;
    }
    const delta = (seq - this.maxSeq) & 0xffff;
    if (delta > 0 && delta < 0x8000) {
      if (seq < this.maxSeq) this.cycles += 0x10000;
      this.maxSeq = seq;
    }
    const transit = ((nowMs * this.clockRate) / 1000 - rtpTs) | 0;
    const d = Math.abs(transit - this.lastTransit);
    this.lastTransit = transit;
    if (d < this.clockRate * 10) this.jitter += (d - this.jitter) / 16;
  }

  /** Updates {@link bitrate} from the bytes received since the previous call. */
  updateBitrate(nowMs: number): void {
    if (this.bitrateAt > 0 && nowMs > this.bitrateAt) {
      const ms = nowMs - this.bitrateAt;
      this.bitrate = ((this.bytesReceived - this.bitrateBytes) * 8 * 1000) / ms;
      for (let t = 0; t < 4; t++) this.temporalBitrate[t] = ((this.temporalBytes[t]! - this.temporalBytesAt[t]!) * 8 * 1000) / ms;
    }
    this.bitrateBytes = this.bytesReceived;
    this.temporalBytesAt.set(this.temporalBytes);
    this.bitrateAt = nowMs;
  }

  /**
   * The bitrate of temporal layers 0..`temporalLayer` together (bit/s), as a receiver of that
   * layer gets it; 0 for a stream whose temporal layers are not counted.
   */
  temporalLayerBitrate(temporalLayer: number): number {
    let b = 0;
    for (let t = 0; t <= temporalLayer && t < 4; t++) b += this.temporalBitrate[t]!;
    return b;
  }

  /** Records an SR from the sender. */
  onSr(ntpSec: number, ntpFrac: number, nowMs: number): void {
    this.lastSrMiddle = (((ntpSec & 0xffff) << 16) | (ntpFrac >>> 16)) >>> 0;
    this.lastSrAt = nowMs;
  }

  /** Extended highest sequence number received. */
  get extendedMax(): number {
    return this.cycles + this.maxSeq;
  }

  /** Cumulative packets lost. */
  get packetsLost(): number {
    if (!this.started) return 0;
    return Math.max(0, this.extendedMax - this.baseSeq + 1 - this.packetsReceived);
  }

  /** Builds this stream's report block and updates the interval counters and score. */
  reportBlock(nowMs: number): ReportBlock {
    const expected = this.started ? this.extendedMax - this.baseSeq + 1 : 0;
    const expectedInterval = expected - this.expectedPrior;
    this.expectedPrior = expected;
    const receivedInterval = this.packetsReceived - this.receivedPrior;
    this.receivedPrior = this.packetsReceived;
    const lostInterval = expectedInterval - receivedInterval;
    this.fractionLost = expectedInterval <= 0 || lostInterval <= 0 ? 0 : Math.min(255, Math.floor((lostInterval << 8) / expectedInterval));
    if (receivedInterval > 0) {
      this.score = scoreFromFraction(this.fractionLost);
      this.idleIntervals = 0;
    } else this.idleIntervals++;
    const dlsr = this.lastSrAt ? Math.floor(((nowMs - this.lastSrAt) / 1000) * 65536) : 0;
    return {
      ssrc: this.ssrc,
      fractionLost: this.fractionLost,
      totalLost: this.packetsLost,
      highestSeq: this.extendedMax >>> 0,
      jitter: Math.floor(this.jitter),
      lsr: this.lastSrMiddle,
      dlsr: dlsr >>> 0,
    };
  }

  /** Current jitter in RTP timestamp units. */
  get jitterUnits(): number {
    return Math.floor(this.jitter);
  }
}

/** Maps an RTCP fraction lost (0..255) onto a 0..10 score, as mediasoup roughly does. */
export function scoreFromFraction(fraction: number): number {
  const lossPct = (fraction / 256) * 100;
  if (lossPct <= 1) return 10;
  if (lossPct >= 30) return 1;
  return Math.max(1, Math.round(10 - (lossPct / 30) * 9));
}
