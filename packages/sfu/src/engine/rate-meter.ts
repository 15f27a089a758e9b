/**
 * A bitrate over the last sampling interval, from a running byte total: sampled by a timer (the
 * transports' one-second RTCP timer), so the packet path only adds to its byte counters.
 * @internal
 */
export class RateMeter {
  /** Bits per second over the last interval (0 until two samples exist). */
  bps = 0;
  private lastTotal = 0;
  private lastAt = -1;

  /** Takes a sample of `totalBytes` at `nowMs` (monotonic) and updates {@link bps}. */
  update(totalBytes: number, nowMs: number): void {
    if (this.lastAt >= 0 && nowMs > this.lastAt) {
      this.bps = Math.max(0, Math.round(((totalBytes - this.lastTotal) * 8 * 1000) / (nowMs - this.lastAt)));
    }
    this.lastTotal = totalBytes;
    this.lastAt = nowMs;
  }
}
