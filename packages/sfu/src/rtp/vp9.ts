/**
 * VP9 RTP payload descriptor (RFC 9628 §4.2) key frame detection without allocation.
 *
 * @packageDocumentation
 */

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
