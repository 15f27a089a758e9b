/**
 * Layer selection of an SVC consumer (VP9 with `scalabilityMode`, e.g. `L3T3_KEY` as Chromium sends
 * it): one RTP stream carries every spatial and temporal layer; the consumer forwards only the
 * packets up to its current spatial and temporal layer, switching at picture boundaries — spatial
 * up only at a key picture, temporal up only at a switching-up point (U), down at any picture — and
 * sets the RTP marker on the last packet of the highest spatial layer it forwards (the receiver
 * treats the marker as the end of the picture). Packets it drops leave no gap: {@link SvcSeqMapper}
 * renumbers the stream. Only the VP9 payload descriptor is read (it stays in clear under E2EE).
 * Nothing here allocates per packet.
 * @internal
 */
import { Vp9Descriptor, parseVp9PayloadDescriptor } from '../rtp/vp9.js';
import type { RtpParameters } from '../types/index.js';

/** Number of spatial and temporal layers of an SVC stream. */
export interface SvcLayerCounts {
  spatialLayers: number;
  temporalLayers: number;
}

/**
 * The layer counts when `rtpParameters` describe an SVC stream (as mediasoup decides the `svc`
 * type): one encoding of a VP9 codec whose `scalabilityMode` (`L<s>T<t>`, `S<s>T<t>`, optional
 * suffix such as `_KEY`) has more than one spatial or temporal layer; otherwise undefined.
 */
export function svcLayersOf(rtpParameters: RtpParameters): SvcLayerCounts | undefined {
  const encodings = rtpParameters.encodings ?? [];
  if (encodings.length !== 1) return undefined;
  const media = rtpParameters.codecs.find((c) => !/\/(rtx|red|ulpfec|flexfec)$/i.test(c.mimeType));
  if (media?.mimeType.toLowerCase() !== 'video/vp9') return undefined;
  const m = /^[LS]([1-9])T([1-9])/.exec(encodings[0]?.scalabilityMode ?? '');
  if (!m) return undefined;
  const spatialLayers = Number(m[1]);
  const temporalLayers = Number(m[2]);
  return spatialLayers > 1 || temporalLayers > 1 ? { spatialLayers, temporalLayers } : undefined;
}

/** {@link SvcLayerSelector.select}: drop the packet. */
export const SVC_DROP = 0;
/** {@link SvcLayerSelector.select}: forward the packet as it is. */
export const SVC_FORWARD = 1;
/** {@link SvcLayerSelector.select}: forward the packet with the RTP marker set (end of the forwarded picture). */
export const SVC_FORWARD_MARKER = 2;

/** Per-consumer spatial/temporal layer selection over one VP9 SVC stream. */
export class SvcLayerSelector {
  readonly spatialLayers: number;
  readonly temporalLayers: number;
  /** Layers the consumer wants (the preferred ones). */
  targetSpatial: number;
  targetTemporal: number;
  /** Layers being forwarded; -1 before the first key picture. */
  currentSpatial = -1;
  currentTemporal = -1;
  /**
   * Spatial layers the sender really sends, from the scalability structure of its last key picture
   * (a browser sends fewer than its mode names when the picture is too small for them).
   */
  availableSpatial: number;
  /** Highest spatial layer the consumer's share of the bandwidth allows (set by the consumer). */
  bweSpatial: number;
  /** Bytes received per spatial layer (every packet seen, forwarded or not), and their rates. */
  private readonly layerBytes = new Float64Array(8);
  private readonly sampledBytes = new Float64Array(8);
  private readonly layerBps = new Float64Array(8);
  private sampledAt = -1;
  /** Whether {@link cumulativeBitrate} has a measured value (a full interval sampled). */
  ratesKnown = false;
  /** Set by {@link select} when the current layers changed with this packet. */
  changed = false;
  /** Set by {@link select} when the target needs a key picture (spatial up or a start). */
  needsKeyFrame = false;
  private readonly d = new Vp9Descriptor();

  constructor(counts: SvcLayerCounts, preferred?: { spatialLayer: number; temporalLayer?: number | undefined }) {
    this.spatialLayers = counts.spatialLayers;
    this.temporalLayers = counts.temporalLayers;
    this.targetSpatial = this.clampSpatial(preferred?.spatialLayer ?? counts.spatialLayers - 1);
    this.targetTemporal = this.clampTemporal(preferred?.temporalLayer ?? counts.temporalLayers - 1);
    this.availableSpatial = counts.spatialLayers;
    this.bweSpatial = counts.spatialLayers - 1;
  }

  /** Takes a rate sample when at least `intervalMs` passed since the last one. */
  sampleRates(nowMs: number, intervalMs = 1000): void {
    if (this.sampledAt >= 0 && nowMs - this.sampledAt < intervalMs) return;
    if (this.sampledAt >= 0 && nowMs > this.sampledAt) {
      for (let i = 0; i < 8; i++) this.layerBps[i] = ((this.layerBytes[i]! - this.sampledBytes[i]!) * 8000) / (nowMs - this.sampledAt);
      this.ratesKnown = true;
    }
    this.sampledBytes.set(this.layerBytes);
    this.sampledAt = nowMs;
  }

  /** What forwarding spatial layer `s` costs (it and every layer below, all temporal layers), bit/s. */
  cumulativeBitrate(s: number): number {
    let sum = 0;
    for (let i = 0; i <= s && i < 8; i++) sum += this.layerBps[i]!;
    return sum;
  }

  /** Sets the bandwidth cap; returns whether reaching the new layers needs a key picture. */
  setBweCap(spatialLayer: number): boolean {
    this.bweSpatial = this.clampSpatial(spatialLayer);
    return this.currentSpatial >= 0 && this.reachableSpatial > this.currentSpatial;
  }

  /** The spatial layer to forward for the target: no higher than what the sender sends. */
  private get reachableSpatial(): number {
    return Math.min(this.targetSpatial, this.availableSpatial - 1, this.bweSpatial);
  }

  private clampSpatial(s: number): number {
    return Math.min(this.spatialLayers - 1, Math.max(0, Math.floor(s)));
  }

  private clampTemporal(t: number): number {
    return Math.min(this.temporalLayers - 1, Math.max(0, Math.floor(t)));
  }

  /**
   * Sets the target layers (clamped). Returns whether reaching them needs a key picture (a higher
   * spatial layer than the current one, or nothing forwarded yet).
   */
  setTarget(spatialLayer: number, temporalLayer: number | undefined): boolean {
    this.targetSpatial = this.clampSpatial(spatialLayer);
    this.targetTemporal = this.clampTemporal(temporalLayer ?? this.temporalLayers - 1);
    return this.currentSpatial < 0 || this.reachableSpatial > this.currentSpatial;
  }

  /** Forgets the current layers: the next key picture starts forwarding again (resume, restart). */
  reset(): void {
    this.currentSpatial = -1;
    this.currentTemporal = -1;
  }

  /**
   * Decides for one packet of the stream (`buf[offset..offset+length)` is its RTP payload):
   * {@link SVC_DROP}, {@link SVC_FORWARD} or {@link SVC_FORWARD_MARKER}. Sets {@link changed} and
   * {@link needsKeyFrame}. A payload whose descriptor cannot be read is dropped.
   */
  select(buf: Uint8Array, offset: number, length: number): number {
    this.changed = false;
    this.needsKeyFrame = false;
    const d = this.d;
    if (!parseVp9PayloadDescriptor(buf, offset, length, d)) return SVC_DROP;
    const sid = d.spatialId;
    this.layerBytes[sid] = this.layerBytes[sid]! + length;
    const tid = d.temporalId;
    // Layers change only where a picture starts: the first packet of its base layer frame.
    if (d.startOfFrame && sid === 0) {
      const before = this.currentSpatial * 16 + this.currentTemporal;
      if (d.ssSpatialLayers > 0) this.availableSpatial = Math.min(this.spatialLayers, d.ssSpatialLayers);
      const target = this.reachableSpatial;
      if (d.isKeyFrame) {
        // A key picture: every spatial layer can be joined here, and every temporal layer.
        this.currentSpatial = target;
        this.currentTemporal = this.targetTemporal;
      } else if (this.currentSpatial >= 0) {
        // Down at once (a lower layer never depends on a higher one); up only at a key picture.
        if (target < this.currentSpatial) this.currentSpatial = target;
        else if (target > this.currentSpatial) this.needsKeyFrame = true;
        if (this.targetTemporal < this.currentTemporal) this.currentTemporal = this.targetTemporal;
        else if (tid > this.currentTemporal && tid <= this.targetTemporal && d.switchingUp) this.currentTemporal = tid;
      }
      this.changed = this.currentSpatial * 16 + this.currentTemporal !== before;
    }
    if (this.currentSpatial < 0) {
      this.needsKeyFrame = true;
      return SVC_DROP;
    }
    if (sid > this.currentSpatial || tid > this.currentTemporal) return SVC_DROP;
    return d.endOfFrame && sid === this.currentSpatial ? SVC_FORWARD_MARKER : SVC_FORWARD;
  }
}

const SEQ_RING = 1024;
const SEQ_MASK = SEQ_RING - 1;

/**
 * Renumbers a stream from which packets are dropped so that the forwarded ones stay consecutive.
 * In-order packets move the mapping on; a late packet (reordered, or repaired by retransmission)
 * gets the number its place was given when the packets after it arrived, or is dropped when that is
 * no longer known (older than the last 1024 sequence numbers).
 */
export class SvcSeqMapper {
  /** Subtracted from input sequence numbers (the packets dropped so far). */
  private offset = 0;
  private lastIn = -1;
  private readonly ringSeq = new Int32Array(SEQ_RING).fill(-1);
  private readonly ringOff = new Uint16Array(SEQ_RING);

  /**
   * Maps input sequence number `seq`: returns the output number when `forward`, or -1 (the packet
   * is dropped, or too late to place).
   */
  map(seq: number, forward: boolean): number {
    if (this.lastIn < 0) {
      this.lastIn = (seq - 1) & 0xffff;
    }
    const delta = (seq - this.lastIn) & 0xffff;
    if (delta !== 0 && delta < 0x8000) {
      // Newer: the numbers skipped over keep the current offset for when they arrive late.
      const gap = Math.min(delta - 1, SEQ_RING - 1);
      for (let i = 1; i <= gap; i++) {
        const s = (seq - i) & 0xffff;
        this.ringSeq[s & SEQ_MASK] = s;
        this.ringOff[s & SEQ_MASK] = this.offset;
      }
      this.lastIn = seq;
      this.ringSeq[seq & SEQ_MASK] = seq;
      if (!forward) {
        this.offset = (this.offset + 1) & 0xffff;
        this.ringSeq[seq & SEQ_MASK] = -1;
        return -1;
      }
      this.ringOff[seq & SEQ_MASK] = this.offset;
      return (seq - this.offset) & 0xffff;
    }
    // Late (or a duplicate): only where its place is still known.
    const i = seq & SEQ_MASK;
    if (!forward || this.ringSeq[i] !== seq) return -1;
    return (seq - this.ringOff[i]!) & 0xffff;
  }

  /** Starts over (a new sync point follows). */
  reset(): void {
    this.offset = 0;
    this.lastIn = -1;
    this.ringSeq.fill(-1);
  }
}
