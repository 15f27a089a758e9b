/**
 * Keyframe detection on RTP payloads (VP8, VP9, H.264). Reads only the codec's payload descriptor,
 * which stays in clear under Alcove's E2EE. Never throws.
 * @internal
 */

/** Whether a VP8 RTP payload starts a keyframe. */
export function isVp8KeyFrame(p: Uint8Array): boolean {
  if (p.length < 1) return false;
  const b0 = p[0]!;
  const x = (b0 & 0x80) !== 0;
  const s = (b0 & 0x10) !== 0;
  const pid = b0 & 0x07;
  if (!s || pid !== 0) return false;
  let off = 1;
  if (x) {
    if (p.length < 2) return false;
    const b1 = p[1]!;
    off = 2;
    if (b1 & 0x80) {
      if (off >= p.length) return false;
      off += p[off]! & 0x80 ? 2 : 1;
    }
    if (b1 & 0x40) off += 1;
    if (b1 & 0x30) off += 1;
  }
  if (off >= p.length) return false;
  return (p[off]! & 0x01) === 0;
}

/** Whether a VP9 RTP payload starts a keyframe (start of an intra, non-inter-predicted frame). */
export function isVp9KeyFrame(p: Uint8Array): boolean {
  if (p.length < 1) return false;
  const b0 = p[0]!;
  const interPredicted = (b0 & 0x40) !== 0;
  const begin = (b0 & 0x08) !== 0;
  return !interPredicted && begin;
}

/** Whether an H.264 RTP payload carries an IDR or SPS (single NAL, STAP-A, FU-A start). */
export function isH264KeyFrame(p: Uint8Array): boolean {
  if (p.length < 1) return false;
  const type = p[0]! & 0x1f;
  if (type === 5 || type === 7) return true;
  if (type === 24) {
    let off = 1;
    while (off + 2 < p.length) {
      const size = (p[off]! << 8) | p[off + 1]!;
      const t = p[off + 2]! & 0x1f;
      if (t === 5 || t === 7) return true;
      off += 2 + size;
    }
    return false;
  }
  if (type === 28) {
    if (p.length < 2) return false;
    return (p[1]! & 0x80) !== 0 && (p[1]! & 0x1f) === 5;
  }
  return false;
}

/** Keyframe detector for a mime type, or undefined for audio / unknown codecs. */
export function keyFrameDetectorFor(mimeType: string): ((p: Uint8Array) => boolean) | undefined {
  switch (mimeType.toLowerCase()) {
    case 'video/vp8':
      return isVp8KeyFrame;
    case 'video/vp9':
      return isVp9KeyFrame;
    case 'video/h264':
      return isH264KeyFrame;
    default:
      return undefined;
  }
}
