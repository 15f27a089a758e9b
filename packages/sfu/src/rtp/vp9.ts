/**
 * VP9 RTP payload descriptor (RFC 9628 §4.2): an allocation-free view (layer indices, picture id,
 * start/end of a layer frame, switching-up points) and key frame detection.
 *
 * The descriptor is written by the packetiser after any encoded transform, so it stays readable
 * under E2EE: nothing here reads the VP9 bitstream itself.
 *
 * @packageDocumentation
 */

/** Fields of one VP9 payload descriptor; refilled in place by {@link parseVp9PayloadDescriptor}. */
export class Vp9Descriptor {
  /** I: picture id present. */
  hasPictureId = false;
  /** Picture id (7 or 15 bits). */
  pictureId = 0;
  /** Whether the picture id uses 15 bits (M bit). */
  pictureIdLong = false;
  /** Offset of the picture id's first byte in the buffer, or -1. */
  pictureIdOffset = -1;
  /** P: inter-picture predicted (clear on every layer frame of a key picture). */
  interPicturePredicted = false;
  /** L: layer indices present. */
  hasLayerIndices = false;
  /** F: flexible mode. */
  flexible = false;
  /** B: first packet of a layer frame. */
  startOfFrame = false;
  /** E: last packet of a layer frame. */
  endOfFrame = false;
  /** V: scalability structure present. */
  hasScalabilityStructure = false;
  /** Z: not used for prediction by upper spatial layers. */
  notUpperReference = false;
  /** Temporal layer id (0 without layer indices). */
  temporalId = 0;
  /** U: switching-up point (upper temporal layers may be switched to from here). */
  switchingUp = false;
  /** Spatial layer id (0 without layer indices). */
  spatialId = 0;
  /** D: inter-layer dependency on the spatial layer below. */
  interLayerDependency = false;
  /** TL0PICIDX (non-flexible mode with layer indices), or -1. */
  tl0PicIdx = -1;
  /** Number of spatial layers announced by the scalability structure (0 when absent). */
  ssSpatialLayers = 0;
  /** Length of the descriptor in bytes; the VP9 payload starts after it. */
  length = 0;
  /** Whether this packet starts a key picture's base layer frame (B, not P, spatial id 0). */
  isKeyFrame = false;
}

/**
 * Parses the VP9 payload descriptor at `buf[offset..offset+length)` into `out`. Never throws;
 * allocates nothing.
 *
 * @returns false if truncated or malformed (then `out` is partly filled).
 */
export function parseVp9PayloadDescriptor(buf: Uint8Array, offset: number, length: number, out: Vp9Descriptor): boolean {
  if (length < 1 || offset < 0 || offset + length > buf.length) return false;
  const end = offset + length;
  let i = offset;
  const b0 = buf[i++]!;
  out.hasPictureId = (b0 & 0x80) !== 0;
  out.interPicturePredicted = (b0 & 0x40) !== 0;
  out.hasLayerIndices = (b0 & 0x20) !== 0;
  out.flexible = (b0 & 0x10) !== 0;
  out.startOfFrame = (b0 & 0x08) !== 0;
  out.endOfFrame = (b0 & 0x04) !== 0;
  out.hasScalabilityStructure = (b0 & 0x02) !== 0;
  out.notUpperReference = (b0 & 0x01) !== 0;
  out.pictureId = 0;
  out.pictureIdLong = false;
  out.pictureIdOffset = -1;
  out.temporalId = 0;
  out.switchingUp = false;
  out.spatialId = 0;
  out.interLayerDependency = false;
  out.tl0PicIdx = -1;
  out.ssSpatialLayers = 0;
  out.length = 0;
  out.isKeyFrame = false;
  if (out.hasPictureId) {
    if (i >= end) return false;
    out.pictureIdOffset = i;
    const p = buf[i++]!;
    if (p & 0x80) {
      if (i >= end) return false;
      out.pictureIdLong = true;
      out.pictureId = ((p & 0x7f) << 8) | buf[i++]!;
    } else out.pictureId = p & 0x7f;
  }
  if (out.hasLayerIndices) {
    if (i >= end) return false;
    const l = buf[i++]!;
    out.temporalId = l >> 5;
    out.switchingUp = (l & 0x10) !== 0;
    out.spatialId = (l >> 1) & 0x07;
    out.interLayerDependency = (l & 0x01) !== 0;
    if (!out.flexible) {
      if (i >= end) return false;
      out.tl0PicIdx = buf[i++]!;
    }
  }
  if (out.flexible && out.interPicturePredicted) {
    // Up to three reference indices (P_DIFF), each with N: another follows.
    let n = 0;
    for (;;) {
      if (i >= end || n === 3) return false;
      const r = buf[i++]!;
      n++;
      if ((r & 0x01) === 0) break;
    }
  }
  if (out.hasScalabilityStructure) {
    if (i >= end) return false;
    const s = buf[i++]!;
    const ns = (s >> 5) + 1;
    out.ssSpatialLayers = ns;
    if (s & 0x10) i += 4 * ns; // Y: width and height of each spatial layer
    if (s & 0x08) {
      // G: picture group description.
      if (i >= end) return false;
      const ng = buf[i++]!;
      for (let g = 0; g < ng; g++) {
        if (i >= end) return false;
        const r = (buf[i++]! >> 2) & 0x03;
        i += r;
      }
    }
    if (i > end) return false;
  }
  out.length = i - offset;
  out.isKeyFrame = out.startOfFrame && !out.interPicturePredicted && out.spatialId === 0;
  return true;
}

/**
 * Whether the VP9 RTP payload at `buf[offset..offset+length)` starts a key
 * frame: B (start of frame) set, P (inter-picture predicted) clear, and — when
 * layer indices are present — spatial layer 0. Never throws.
 */
export function isVp9KeyFrame(buf: Uint8Array, offset: number, length: number): boolean {
  if (length < 1 || offset + length > buf.length) return false;
  const end = offset + length;
  let i = offset;
  const b0 = buf[i++]!;
  const hasPictureId = (b0 & 0x80) !== 0; // I
  const interPredicted = (b0 & 0x40) !== 0; // P
  const hasLayerIndices = (b0 & 0x20) !== 0; // L
  const flexible = (b0 & 0x10) !== 0; // F
  const startOfFrame = (b0 & 0x08) !== 0; // B
  if (interPredicted || !startOfFrame) return false;
  if (hasPictureId) {
    if (i >= end) return false;
    const p = buf[i++]!;
    if ((p & 0x80) !== 0) i++;
  }
  if (hasLayerIndices) {
    if (i >= end) return false;
    const l = buf[i++]!;
    const spatialId = (l >> 1) & 0x07;
    if (spatialId !== 0) return false;
    if (!flexible) i++; // TL0PICIDX
  }
  return i <= end;
}
