/**
 * Temporal-layer selection of a VP8 simulcast consumer (each encoding `L1T<n>`, as mediasoup-client
 * sends it): forwards only the frames whose temporal layer id (TID) is at most the current temporal
 * layer, switching at frame starts — down at once, up only at a layer-sync frame (Y bit) or a key
 * frame — and keeps the stream continuous for the receiver: the frames it drops leave no gap in the
 * sequence numbers ({@link SvcSeqMapper}) nor in the picture ids ({@link PictureIdMapper}), and the
 * picture id / TL0PICIDX stay one sequence across spatial-layer switches. Only the VP8 payload
 * descriptor is read (it stays in clear under E2EE). Nothing here allocates per packet.
 * @internal
 */
import { Vp8Descriptor, parseVp8PayloadDescriptor } from '../rtp/vp8.js';
import type { RtpParameters } from '../types/index.js';
import { SvcSeqMapper } from './svc-layers.js';

/**
 * The number of temporal layers a VP8 stream announces: `T<n>` of the first encoding's
 * `scalabilityMode` (`L1T3`, or `L3T3` on a simulcast consumer), 1 without one or for another codec.
 */
export function vp8TemporalLayersOf(rtpParameters: RtpParameters): number {
  const media = rtpParameters.codecs.find((c) => !/\/(rtx|red|ulpfec|flexfec)$/i.test(c.mimeType));
  if (media?.mimeType.toLowerCase() !== 'video/vp8') return 1;
  const m = /^[LS][1-9]T([1-9])/.exec(rtpParameters.encodings?.[0]?.scalabilityMode ?? '');
  return m ? Math.min(4, Number(m[1])) : 1;
}

const PIC_RING = 128;
const PIC_MASK = PIC_RING - 1;

/**
 * Renumbers the picture ids of a stream from which whole pictures are dropped, so that the
 * forwarded ones stay consecutive (as {@link SvcSeqMapper} does for sequence numbers). Works on 7-
 * or 15-bit ids (`mask` 0x7f or 0x7fff). Several packets of one picture share its id: each gets the
 * same answer. A late packet gets the number its picture was given, or -1 when that picture was
 * dropped or is no longer known (older than the last 128 pictures).
 */
export class PictureIdMapper {
  /** Subtracted from input picture ids (the pictures dropped so far). */
  private offset = 0;
  private lastIn = -1;
  private readonly ringPic = new Int32Array(PIC_RING).fill(-1);
  private readonly ringOff = new Uint16Array(PIC_RING);
  private readonly ringDropped = new Uint8Array(PIC_RING);

  /** Maps picture id `pic`: returns the output id when the picture is forwarded, else -1. */
  map(pic: number, mask: number, forward: boolean): number {
    pic &= mask;
    if (this.lastIn < 0) this.lastIn = (pic - 1) & mask;
    const delta = (pic - this.lastIn) & mask;
    const i = pic & PIC_MASK;
    if (delta !== 0 && delta <= mask >> 1) {
      // A newer picture: the ids skipped over keep the current offset for when they arrive late.
      const gap = Math.min(delta - 1, PIC_RING - 1);
      for (let k = 1; k <= gap; k++) {
        const p = (pic - k) & mask;
        this.ringPic[p & PIC_MASK] = p;
        this.ringOff[p & PIC_MASK] = this.offset;
        this.ringDropped[p & PIC_MASK] = 0;
      }
      this.lastIn = pic;
      this.ringPic[i] = pic;
      if (!forward) {
        this.ringDropped[i] = 1;
        this.offset = (this.offset + 1) & mask;
        return -1;
      }
      this.ringDropped[i] = 0;
      this.ringOff[i] = this.offset;
      return (pic - this.offset) & mask;
    }
    // The newest picture again, or a late one: only where its place is known and it was kept.
    if (!forward || this.ringPic[i] !== pic || this.ringDropped[i] === 1) return -1;
    return (pic - this.ringOff[i]!) & mask;
  }

  /** Starts over (a new source follows). */
  reset(): void {
    this.offset = 0;
    this.lastIn = -1;
    this.ringPic.fill(-1);
  }
}

/** Temporal-layer selection and picture-id / TL0PICIDX / sequence-number rewriting of one consumer. */
export class Vp8TemporalSelector {
  /** Temporal layers the stream announces (1: every packet is forwarded). */
  readonly temporalLayers: number;
  /** Temporal layer the consumer wants. */
  target: number;
  /** Temporal layer being forwarded; -1 before the first {@link resync}. */
  current = -1;
  /** Set by {@link select} when {@link current} changed with this packet. */
  changed = false;
  /** The rewritten picture id (-1: none) and TL0PICIDX (-1: none) of the packet {@link select} forwarded. */
  pic = -1;
  tl0 = -1;
  /** Frames dropped for their temporal layer. */
  framesDropped = 0;
  /** The descriptor of the last packet given to {@link select} (its offsets are those of that payload). */
  readonly desc = new Vp8Descriptor();
  private readonly seq = new SvcSeqMapper();
  private readonly pics = new PictureIdMapper();
  /** RTP timestamp of the newest frame seen, and whether it is forwarded. */
  private frameTs = 0;
  private frameKnown = false;
  private frameForward = true;
  /** Offsets that join a new source's picture ids / TL0PICIDX onto the ones already sent. */
  private picOffset = 0;
  private tl0Offset = 0;
  private lastPic = -1;
  private lastTl0 = -1;
  private resyncPending = true;

  constructor(temporalLayers: number, target?: number) {
    this.temporalLayers = Math.min(4, Math.max(1, Math.floor(temporalLayers)));
    this.target = this.clamp(target ?? this.temporalLayers - 1);
  }

  private clamp(t: number): number {
    return Math.min(this.temporalLayers - 1, Math.max(0, Math.floor(t)));
  }

  /** Sets the target (clamped): down at the next frame, up at the next layer-sync or key frame. */
  setTarget(temporalLayer: number | undefined): void {
    this.target = this.clamp(temporalLayer ?? this.temporalLayers - 1);
  }

  /**
   * A new source starts with the next packet (a spatial-layer switch or a restart; the consumer
   * forwards a key frame first): every temporal layer can be joined there, and its picture ids and
   * TL0PICIDX continue the ones already sent.
   */
  resync(): void {
    this.resyncPending = true;
    this.current = this.target;
    this.frameKnown = false;
    this.seq.reset();
    this.pics.reset();
  }

  /**
   * Decides for one packet (`buf[offset..offset+length)` is its RTP payload, `seq` / `ts` its RTP
   * sequence number and timestamp): returns the sequence number to forward it with (consecutive over
   * the forwarded packets), or -1 to drop it; sets {@link pic}, {@link tl0} and {@link changed}. A
   * payload whose descriptor cannot be read is forwarded as it is (it cannot be placed in a layer).
   */
  select(buf: Uint8Array, offset: number, length: number, seq: number, ts: number, isKeyFrame: boolean): number {
    this.changed = false;
    this.pic = -1;
    this.tl0 = -1;
    const d = this.desc;
    if (!parseVp8PayloadDescriptor(buf, offset, length, d)) return this.seq.map(seq, true);
    const top = this.temporalLayers - 1;
    const tid = d.hasTid ? Math.min(d.tid, top) : 0;
    const age = (ts - this.frameTs) >>> 0;
    let forward: boolean;
    if (!this.frameKnown || (age !== 0 && age < 0x80000000)) {
      // The first packet seen of a newer frame: the layers change here.
      this.frameKnown = true;
      this.frameTs = ts;
      const before = this.current;
      if (this.current < 0 || isKeyFrame) this.current = this.target;
      else if (this.target < this.current) this.current = this.target;
      else if (tid > this.current && tid <= this.target && d.layerSync) this.current = tid;
      this.changed = before >= 0 && this.current !== before;
      forward = this.frameForward = top === 0 || tid <= this.current;
      if (!forward) this.framesDropped++;
    } else if (age === 0) forward = this.frameForward;
    else forward = top === 0 || tid <= this.current; // a late packet of an older frame
    const mask = d.pictureIdLong ? 0x7fff : 0x7f;
    if (d.hasPictureId) {
      const mapped = this.pics.map(d.pictureId, mask, forward);
      if (mapped < 0) forward = false;
      else {
        if (this.resyncPending) this.picOffset = this.lastPic >= 0 ? (this.lastPic + 1 - mapped) & 0x7fff : 0;
        this.pic = (mapped + this.picOffset) & mask;
      }
    }
    const out = this.seq.map(seq, forward);
    if (out < 0) {
      this.pic = -1;
      return -1;
    }
    if (d.hasTl0PicIdx) {
      if (this.resyncPending) this.tl0Offset = this.lastTl0 >= 0 ? (this.lastTl0 + 1 - d.tl0PicIdx) & 0xff : 0;
      this.tl0 = (d.tl0PicIdx + this.tl0Offset) & 0xff;
      if (this.lastTl0 < 0 || ((this.tl0 - this.lastTl0) & 0xff) < 0x80) this.lastTl0 = this.tl0;
    }
    if (this.pic >= 0 && (this.lastPic < 0 || ((this.pic - this.lastPic) & mask) <= mask >> 1)) this.lastPic = this.pic;
    this.resyncPending = false;
    return out;
  }
}
