/**
 * A small send-side bandwidth estimate towards one receiving transport, from the receiver's
 * transport-wide congestion-control feedback: the rate the receiver actually got, the loss it
 * reported, and queuing delay (arrival spacing growing beyond send spacing). Loss above 10 % or a
 * queue above {@link QUEUE_DELAY_LIMIT_MS} cuts the estimate to 85 % of the received rate; otherwise
 * it grows by {@link GROWTH_PER_S} per second. Layer switches up act as its probes.
 * Send times and sizes are kept in fixed rings (no allocation per packet).
 * @internal
 */
import { TransportCcStatuses, parseTransportCcFeedbackInto } from '../rtp/transport-cc.js';

const RING = 4096;
const MASK = RING - 1;
/** Start value (mediasoup's default `initialAvailableOutgoingBitrate`). */
export const INITIAL_ESTIMATE_BPS = 600_000;
/** Floor and ceiling of the estimate. */
export const MIN_ESTIMATE_BPS = 50_000;
export const MAX_ESTIMATE_BPS = 10_000_000;
/** Growth per second without congestion. */
export const GROWTH_PER_S = 0.25;
/** Queuing delay (ms above the window's minimum) taken as congestion. */
export const QUEUE_DELAY_LIMIT_MS = 40;
/** Loss fraction taken as congestion. */
export const LOSS_LIMIT = 0.1;
/** Window of the received-rate and minimum-delay measures (ms). */
const WINDOW_MS = 1000;
/**
 * Consecutive feedbacks whose every packet was queued beyond {@link QUEUE_DELAY_LIMIT_MS} before the
 * delay counts as congestion: a queue delays all packets and persists, while a receiver (or this
 * thread) stalled by a busy machine delays a burst once — that cut a free viewer's layer.
 */
export const QUEUE_FEEDBACKS = 2;
/** At most one decrease per this many ms (the feedback that follows still shows the old queue). */
const DECREASE_GAP_MS = 400;

/** The estimate of one transport. */
export class SendSideEstimator {
  private readonly sentAt = new Float64Array(RING).fill(-1);
  private readonly sentSeq = new Int32Array(RING).fill(-1);
  private readonly sentBytes = new Uint16Array(RING);
  /** Current estimate, bit/s. */
  estimate = INITIAL_ESTIMATE_BPS;
  private lastUpdateAt = -1;
  private lastDecreaseAt = -Infinity;
  // Received-rate window: bytes acked with their arrival (local clock of the feedback), a small ring.
  private readonly winAt = new Float64Array(64);
  private readonly winBytes = new Float64Array(64);
  private readonly winLost = new Float64Array(64);
  private readonly winTotal = new Float64Array(64);
  private readonly winDelay = new Float64Array(64);
  private winHead = 0;
  private winCount = 0;
  /** Consecutive feedbacks over the queuing-delay limit. */
  private queuedFeedbacks = 0;
  /** Decreases so far (for stats and tests). */
  decreases = 0;
  feedbackReceived = 0;
  /** The last feedback, decoded in place. */
  private readonly fb = new TransportCcStatuses();

  /** Notes a packet sent with transport-wide sequence number `seq`. */
  onPacketSent(seq: number, bytes: number, nowMs: number): void {
    const i = seq & MASK;
    this.sentAt[i] = nowMs;
    this.sentSeq[i] = seq & 0xffff;
    this.sentBytes[i] = Math.min(0xffff, bytes);
  }

  /**
   * Takes one transport feedback packet (RTPFB FMT 15) from the receiver.
   * @returns whether the estimate changed.
   */
  onFeedback(buf: Uint8Array, nowMs: number): boolean {
    const fb = this.fb;
    if (!parseTransportCcFeedbackInto(buf, fb)) return false;
    this.feedbackReceived++;
    let bytes = 0;
    let lost = 0;
    let total = 0;
    // One-way delay (receiver clock minus ours: a constant offset, which cancels out) of the
    // packets in this feedback: its minimum (a queue delays every packet).
    let minDelay = Number.POSITIVE_INFINITY;
    for (let k = 0; k < fb.count; k++) {
      const seq = (fb.baseSeq + k) & 0xffff;
      const i = seq & MASK;
      if (this.sentSeq[i] !== seq || this.sentAt[i]! < 0) continue; // not ours or too old
      total++;
      if (fb.symbols[k] === 0) {
        lost++;
        continue;
      }
      bytes += this.sentBytes[i]!;
      const d = fb.arrivalUs[k]! / 1000 - this.sentAt[i]!;
      if (d < minDelay) minDelay = d;
    }
    if (total === 0) return false;
    const k = this.winHead;
    this.winAt[k] = nowMs;
    this.winBytes[k] = bytes;
    this.winLost[k] = lost;
    this.winTotal[k] = total;
    this.winDelay[k] = minDelay;
    this.winHead = (k + 1) & 63;
    if (this.winCount < 64) this.winCount++;
    return this.update(nowMs);
  }

  private update(nowMs: number): boolean {
    let bytes = 0;
    let lost = 0;
    let total = 0;
    let oldest = nowMs;
    // Queuing delay: the latest feedback's smallest one-way delay over the smallest of the last 64
    // feedbacks (seconds), counted once it held for QUEUE_FEEDBACKS feedbacks in a row.
    const latest = this.winDelay[(this.winHead - 1) & 63]!;
    let base = Number.POSITIVE_INFINITY;
    for (let n = 0, k = (this.winHead - 1) & 63; n < this.winCount; n++, k = (k - 1) & 63) {
      if (this.winDelay[k]! < base) base = this.winDelay[k]!;
      if (nowMs - this.winAt[k]! > WINDOW_MS) continue;
      bytes += this.winBytes[k]!;
      lost += this.winLost[k]!;
      total += this.winTotal[k]!;
      oldest = this.winAt[k]!;
    }
    const queued = Number.isFinite(base) && Number.isFinite(latest) ? latest - base : 0;
    this.queuedFeedbacks = queued > QUEUE_DELAY_LIMIT_MS ? this.queuedFeedbacks + 1 : 0;
    const delay = this.queuedFeedbacks >= QUEUE_FEEDBACKS ? queued : Math.min(queued, QUEUE_DELAY_LIMIT_MS);
    const span = Math.max(200, nowMs - oldest);
    const received = (bytes * 8 * 1000) / span;
    const loss = total > 0 ? lost / total : 0;
    const before = this.estimate;
    const dt = this.lastUpdateAt < 0 ? 0 : Math.min(1000, nowMs - this.lastUpdateAt) / 1000;
    this.lastUpdateAt = nowMs;
    if ((loss > LOSS_LIMIT || delay > QUEUE_DELAY_LIMIT_MS) && total >= 10) {
      if (nowMs - this.lastDecreaseAt >= DECREASE_GAP_MS) {
        this.lastDecreaseAt = nowMs;
        this.estimate = Math.min(this.estimate, Math.max(MIN_ESTIMATE_BPS, received * 0.85));
        this.decreases++;
      }
    } else if (loss < 0.02 && delay < QUEUE_DELAY_LIMIT_MS / 2) {
      this.estimate = Math.min(MAX_ESTIMATE_BPS, this.estimate * (1 + GROWTH_PER_S * dt));
    }
    return this.estimate !== before;
  }
}
