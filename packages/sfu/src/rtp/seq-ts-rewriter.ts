/**
 * Per-consumer-stream sequence number and timestamp rewriting, so a receiver
 * sees one continuous stream across pause/resume, producer replacement and
 * (later) layer switches.
 *
 * @packageDocumentation
 */

/**
 * Maps input (seq, ts) to output (seq, ts) with fixed offsets that are
 * recomputed by {@link SeqTsRewriter.resync} at discontinuities. Allocation-free:
 * {@link SeqTsRewriter.rewrite} leaves results in `seq` and `timestamp`.
 *
 * @example
 * ```ts
 * const rw = new SeqTsRewriter(90000);
 * rw.resync(h.sequenceNumber, h.timestamp, now); // first packet, or after resume
 * rw.rewrite(h.sequenceNumber, h.timestamp);
 * setRtpSequenceNumber(buf, rw.seq); setRtpTimestamp(buf, rw.timestamp);
 * ```
 */
export class SeqTsRewriter {
  /** Output sequence number of the last {@link rewrite}. */
  seq = 0;
  /** Output timestamp of the last {@link rewrite}. */
  timestamp = 0;
  readonly #clockRate: number;
  #seqOffset = 0;
  #tsOffset = 0;
  #started = false;
  #maxOutSeq = 0;
  #maxOutTs = 0;
  #lastOutWallMs = 0;
  #maxInSeq = 0;

  /** @param clockRate - RTP clock rate of the stream, used to advance timestamps over gaps. */
  constructor(clockRate: number) {
    if (!(clockRate > 0)) throw new TypeError('clockRate must be positive');
    this.#clockRate = clockRate;
  }

  /** Whether any packet has been rewritten yet. */
  get started(): boolean {
    return this.#started;
  }

  /**
   * Starts a new input segment at packet (inSeq, inTs): it will come out right
   * after the last output packet, its timestamp advanced by the wall time since
   * then (at least 1 tick). For the very first packet, the output equals the input.
   */
  resync(inSeq: number, inTs: number, nowMs: number): void {
    if (!this.#started) {
      this.#seqOffset = 0;
      this.#tsOffset = 0;
      this.#maxOutSeq = (inSeq - 1) & 0xffff;
      this.#maxOutTs = inTs >>> 0;
      this.#lastOutWallMs = nowMs;
      this.#maxInSeq = (inSeq - 1) & 0xffff;
      this.#started = true;
      return;
    }
    const nextSeq = (this.#maxOutSeq + 1) & 0xffff;
    const elapsedTicks = Math.max(1, Math.round(((nowMs - this.#lastOutWallMs) * this.#clockRate) / 1000));
    const nextTs = (this.#maxOutTs + elapsedTicks) >>> 0;
    this.#seqOffset = (nextSeq - inSeq) & 0xffff;
    this.#tsOffset = (nextTs - inTs) >>> 0;
    this.#maxInSeq = (inSeq - 1) & 0xffff;
  }

  /**
   * Rewrites one packet; results go to {@link seq} and {@link timestamp}.
   * Call {@link resync} first for the first packet of a segment.
   */
  rewrite(inSeq: number, inTs: number, nowMs = 0): void {
    const seq = (inSeq + this.#seqOffset) & 0xffff;
    const ts = (inTs + this.#tsOffset) >>> 0;
    this.seq = seq;
    this.timestamp = ts;
    // Track the newest output (RFC 3550 modular comparison).
    if (((seq - this.#maxOutSeq) & 0xffff) < 0x8000) {
      this.#maxOutSeq = seq;
      if ((ts - this.#maxOutTs) >>> 0 < 0x80000000) this.#maxOutTs = ts;
      if (nowMs) this.#lastOutWallMs = nowMs;
    }
    if (((inSeq - this.#maxInSeq) & 0xffff) < 0x8000) this.#maxInSeq = inSeq & 0xffff;
  }

  /**
   * Drops input packet `inSeq` without leaving a gap in the output (e.g. a
   * padding-only packet). Only the newest input packet can be dropped this
   * way; an older one is left as a gap (the receiver will NACK it).
   *
   * @returns whether the output was closed up.
   */
  drop(inSeq: number): boolean {
    if (((inSeq - this.#maxInSeq) & 0xffff) !== 1) return false;
    this.#maxInSeq = inSeq & 0xffff;
    this.#seqOffset = (this.#seqOffset - 1) & 0xffff;
    return true;
  }
}
