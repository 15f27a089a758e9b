/**
 * H.264 RTP payload (RFC 6184) key frame detection without allocation.
 *
 * @packageDocumentation
 */

const NAL_IDR = 5;
const NAL_SPS = 7;
const NAL_STAP_A = 24;
const NAL_FU_A = 28;

function isKeyNal(type: number): boolean {
  return type === NAL_IDR || type === NAL_SPS;
}

/**
 * Whether the H.264 RTP payload at `buf[offset..offset+length)` carries the
 * start of a key frame: an IDR slice or SPS as a single NAL unit, inside a
 * STAP-A aggregate, or as the first fragment (S bit) of an FU-A. Never throws.
 */
export function isH264KeyFrame(buf: Uint8Array, offset: number, length: number): boolean {
  if (length < 1 || offset + length > buf.length) return false;
  const end = offset + length;
  const type = buf[offset]! & 0x1f;
  if (type >= 1 && type <= 23) return isKeyNal(type);
  if (type === NAL_STAP_A) {
    let i = offset + 1;
    while (i + 2 < end) {
      const size = (buf[i]! << 8) | buf[i + 1]!;
      i += 2;
      if (size === 0 || i + size > end) return false;
      if (isKeyNal(buf[i]! & 0x1f)) return true;
      i += size;
    }
    return false;
  }
  if (type === NAL_FU_A) {
    if (length < 2) return false;
    const fu = buf[offset + 1]!;
    return (fu & 0x80) !== 0 && isKeyNal(fu & 0x1f);
  }
  return false;
}
