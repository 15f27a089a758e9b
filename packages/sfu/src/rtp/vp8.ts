/**
 * VP8 RTP payload descriptor (RFC 7741 §4.2) parsing without allocation, key
 * frame detection, and in-place picture-id / TL0PICIDX rewriting.
 *
 * The descriptor is written by the packetiser after any encoded transform, so
 * it stays readable under E2EE.
 *
 * @packageDocumentation
 */

/** Fields of one VP8 payload descriptor; refilled in place by {@link parseVp8PayloadDescriptor}. */
export class Vp8Descriptor {
  /** X: extended control bits present. */
  extended = false;
  /** N: non-reference frame. */
  nonReference = false;
  /** S: start of a VP8 partition. */
  startOfPartition = false;
  /** PID: partition index. */
  partitionIndex = 0;
  /** I: picture id present. */
  hasPictureId = false;
  /** Picture id (7 or 15 bits). */
  pictureId = 0;
  /** Whether the picture id uses 15 bits (M bit). */
  pictureIdLong = false;
  /** Offset of the picture id's first byte in the buffer, or -1. */
  pictureIdOffset = -1;
  /** L: TL0PICIDX present. */
  hasTl0PicIdx = false;
  /** TL0PICIDX. */
  tl0PicIdx = 0;
  /** Offset of the TL0PICIDX byte, or -1. */
  tl0PicIdxOffset = -1;
  /** T: temporal layer index present. */
  hasTid = false;
  /** Temporal layer index. */
  tid = 0;
  /** Y: layer sync. */
  layerSync = false;
  /** K: KEYIDX present. */
  hasKeyIdx = false;
  /** KEYIDX. */
  keyIdx = 0;
  /** Length of the descriptor in bytes; the VP8 payload starts after it. */
  length = 0;
  /** Whether this packet starts a key frame. */
  isKeyFrame = false;
}

/**
 * Parses the VP8 payload descriptor at `buf[offset..offset+length)`. Never throws.
 *
 * @returns false if truncated.
 */
export function parseVp8PayloadDescriptor(buf: Uint8Array, offset: number, length: number, out: Vp8Descriptor): boolean {
  if (length < 1 || offset < 0 || offset + length > buf.length) return false;
  const end = offset + length;
  let i = offset;
  const b0 = buf[i++]!;
  out.extended = (b0 & 0x80) !== 0;
  out.nonReference = (b0 & 0x20) !== 0;
  out.startOfPartition = (b0 & 0x10) !== 0;
  out.partitionIndex = b0 & 0x07;
  out.hasPictureId = false;
  out.pictureId = 0;
  out.pictureIdLong = false;
  out.pictureIdOffset = -1;
  out.hasTl0PicIdx = false;
  out.tl0PicIdx = 0;
  out.tl0PicIdxOffset = -1;
  out.hasTid = false;
  out.tid = 0;
  out.layerSync = false;
  out.hasKeyIdx = false;
  out.keyIdx = 0;
  out.isKeyFrame = false;
  if (out.extended) {
    if (i >= end) return false;
    const x = buf[i++]!;
    out.hasPictureId = (x & 0x80) !== 0;
    out.hasTl0PicIdx = (x & 0x40) !== 0;
    out.hasTid = (x & 0x20) !== 0;
    out.hasKeyIdx = (x & 0x10) !== 0;
    if (out.hasPictureId) {
      if (i >= end) return false;
      out.pictureIdOffset = i;
      const p = buf[i++]!;
      if ((p & 0x80) !== 0) {
        if (i >= end) return false;
        out.pictureIdLong = true;
        out.pictureId = ((p & 0x7f) << 8) | buf[i++]!;
      } else {
        out.pictureId = p;
      }
    }
    if (out.hasTl0PicIdx) {
      if (i >= end) return false;
      out.tl0PicIdxOffset = i;
      out.tl0PicIdx = buf[i++]!;
    }
    if (out.hasTid || out.hasKeyIdx) {
      if (i >= end) return false;
      const t = buf[i++]!;
      if (out.hasTid) {
        out.tid = t >> 6;
        out.layerSync = (t & 0x20) !== 0;
      }
      if (out.hasKeyIdx) out.keyIdx = t & 0x1f;
    }
  }
  out.length = i - offset;
  // VP8 payload header (RFC 7741 §4.3): P bit (bit 0 of the first byte) is 0 for key frames.
  out.isKeyFrame = out.startOfPartition && out.partitionIndex === 0 && i < end && (buf[i]! & 0x01) === 0;
  return true;
}

/**
 * Whether the VP8 RTP payload at `buf[offset..offset+length)` starts a key frame.
 * Uses a shared scratch descriptor; not re-entrant across threads (none in JS).
 */
export function isVp8KeyFrame(buf: Uint8Array, offset: number, length: number): boolean {
  return parseVp8PayloadDescriptor(buf, offset, length, scratch) && scratch.isKeyFrame;
}
const scratch = new Vp8Descriptor();

/**
 * Rewrites the picture id in place, keeping its 7- or 15-bit width (the value
 * is truncated to that width).
 *
 * @returns false if the descriptor has no picture id.
 */
export function setVp8PictureId(buf: Uint8Array, desc: Vp8Descriptor, pictureId: number): boolean {
  if (desc.pictureIdOffset < 0) return false;
  if (desc.pictureIdLong) {
    buf[desc.pictureIdOffset] = 0x80 | ((pictureId >> 8) & 0x7f);
    buf[desc.pictureIdOffset + 1] = pictureId & 0xff;
    desc.pictureId = pictureId & 0x7fff;
  } else {
    buf[desc.pictureIdOffset] = pictureId & 0x7f;
    desc.pictureId = pictureId & 0x7f;
  }
  return true;
}

/**
 * Rewrites TL0PICIDX in place.
 *
 * @returns false if the descriptor has none.
 */
export function setVp8Tl0PicIdx(buf: Uint8Array, desc: Vp8Descriptor, tl0PicIdx: number): boolean {
  if (desc.tl0PicIdxOffset < 0) return false;
  buf[desc.tl0PicIdxOffset] = tl0PicIdx & 0xff;
  desc.tl0PicIdx = tl0PicIdx & 0xff;
  return true;
}
