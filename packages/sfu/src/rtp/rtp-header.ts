/**
 * Allocation-free RTP header reading and in-place rewriting (RFC 3550, RFC 8285).
 *
 * A {@link RtpHeaderView} is allocated once per stream or socket and refilled
 * by {@link parseRtpHeader} for every packet; setters write straight into the
 * packet's bytes. Works on `Buffer` and plain `Uint8Array`.
 *
 * @packageDocumentation
 */

/** One-byte header extension profile (RFC 8285 §4.2). */
export const ONE_BYTE_PROFILE = 0xbede;
/** Two-byte header extension profile mask (RFC 8285 §4.3: 0x100X). */
export const TWO_BYTE_PROFILE = 0x1000;

/** Parsed header fields of one RTP packet; refilled in place by {@link parseRtpHeader}. */
export class RtpHeaderView {
  /** Whether the P bit was set. */
  padding = false;
  /** Whether the X bit was set. */
  extension = false;
  /** Marker bit. */
  marker = false;
  /** Payload type (7 bits). */
  payloadType = 0;
  /** Sequence number (16 bits). */
  sequenceNumber = 0;
  /** RTP timestamp (unsigned 32 bits). */
  timestamp = 0;
  /** SSRC (unsigned 32 bits). */
  ssrc = 0;
  /** Number of CSRCs. */
  csrcCount = 0;
  /** Extension profile (0xBEDE, 0x100X) or 0 without extension. */
  extensionProfile = 0;
  /** Offset of the first extension element (after the 4-byte extension header), or 0. */
  extensionOffset = 0;
  /** Length in bytes of the extension elements (excluding the 4-byte header). */
  extensionLength = 0;
  /** Offset of the payload. */
  payloadOffset = 0;
  /** Payload length, excluding padding. */
  payloadLength = 0;
  /** Number of padding bytes at the end (including the count byte). */
  paddingLength = 0;
  /** Total packet length that was parsed. */
  packetLength = 0;
  /** Length of the last element found by {@link findHeaderExtension}. */
  foundLength = 0;
}

/** Whether the datagram looks like RTP or RTCP (first byte 128–191, RFC 7983). */
export function isRtpOrRtcp(buf: Uint8Array, length = buf.length): boolean {
  return length >= 4 && buf[0]! >= 128 && buf[0]! <= 191;
}

/** Whether the datagram is RTCP rather than RTP (second byte 192–223, RFC 5761). */
export function isRtcp(buf: Uint8Array, length = buf.length): boolean {
  return length >= 8 && isRtpOrRtcp(buf, length) && buf[1]! >= 192 && buf[1]! <= 223;
}

/**
 * Parses the RTP header of `buf[0..length)` into `out`. Never throws.
 *
 * @returns false if the packet is not valid RTP (version, lengths, padding).
 */
export function parseRtpHeader(buf: Uint8Array, out: RtpHeaderView, length = buf.length): boolean {
  if (length < 12 || length > buf.length) return false;
  const b0 = buf[0]!;
  if (b0 >> 6 !== 2) return false;
  const b1 = buf[1]!;
  const pt = b1 & 0x7f;
  // RTCP packet types 192–223 collide with marker+PT 64–95 (RFC 5761 §4).
  if (pt >= 64 && pt <= 95) return false;
  const cc = b0 & 0x0f;
  let offset = 12 + cc * 4;
  if (offset > length) return false;
  out.padding = (b0 & 0x20) !== 0;
  out.extension = (b0 & 0x10) !== 0;
  out.marker = (b1 & 0x80) !== 0;
  out.payloadType = pt;
  out.sequenceNumber = (buf[2]! << 8) | buf[3]!;
  out.timestamp = ((buf[4]! << 24) | (buf[5]! << 16) | (buf[6]! << 8) | buf[7]!) >>> 0;
  out.ssrc = ((buf[8]! << 24) | (buf[9]! << 16) | (buf[10]! << 8) | buf[11]!) >>> 0;
  out.csrcCount = cc;
  out.extensionProfile = 0;
  out.extensionOffset = 0;
  out.extensionLength = 0;
  if (out.extension) {
    if (offset + 4 > length) return false;
    out.extensionProfile = (buf[offset]! << 8) | buf[offset + 1]!;
    const words = (buf[offset + 2]! << 8) | buf[offset + 3]!;
    out.extensionOffset = offset + 4;
    out.extensionLength = words * 4;
    offset += 4 + words * 4;
    if (offset > length) return false;
  }
  let paddingLength = 0;
  if (out.padding) {
    paddingLength = buf[length - 1]!;
    if (paddingLength === 0 || offset + paddingLength > length) return false;
  }
  out.payloadOffset = offset;
  out.paddingLength = paddingLength;
  out.payloadLength = length - offset - paddingLength;
  out.packetLength = length;
  return true;
}

/** Writes the SSRC (bytes 8–11). */
export function setRtpSsrc(buf: Uint8Array, ssrc: number): void {
  buf[8] = ssrc >>> 24;
  buf[9] = ssrc >>> 16;
  buf[10] = ssrc >>> 8;
  buf[11] = ssrc;
}

/** Writes the payload type, keeping the marker bit. */
export function setRtpPayloadType(buf: Uint8Array, payloadType: number): void {
  buf[1] = (buf[1]! & 0x80) | (payloadType & 0x7f);
}

/** Writes the sequence number (bytes 2–3). */
export function setRtpSequenceNumber(buf: Uint8Array, seq: number): void {
  buf[2] = seq >>> 8;
  buf[3] = seq;
}

/** Writes the timestamp (bytes 4–7). */
export function setRtpTimestamp(buf: Uint8Array, timestamp: number): void {
  buf[4] = timestamp >>> 24;
  buf[5] = timestamp >>> 16;
  buf[6] = timestamp >>> 8;
  buf[7] = timestamp;
}

/** Sets or clears the marker bit. */
export function setRtpMarker(buf: Uint8Array, marker: boolean): void {
  buf[1] = marker ? buf[1]! | 0x80 : buf[1]! & 0x7f;
}

/** Whether `profile` is the one-byte or a two-byte extension profile. */
function extensionForm(profile: number): 1 | 2 | 0 {
  if (profile === ONE_BYTE_PROFILE) return 1;
  if ((profile & 0xfff0) === TWO_BYTE_PROFILE) return 2;
  return 0;
}

/**
 * Finds header extension element `id` in a parsed packet.
 *
 * @returns the offset of its value in `buf` (its length is left in
 *   `header.foundLength`), or -1 if absent or malformed.
 */
export function findHeaderExtension(buf: Uint8Array, header: RtpHeaderView, id: number): number {
  const form = extensionForm(header.extensionProfile);
  if (form === 0 || id <= 0) return -1;
  let i = header.extensionOffset;
  const end = i + header.extensionLength;
  while (i < end) {
    const b = buf[i]!;
    if (b === 0) {
      i++;
      continue;
    }
    let elemId: number;
    let len: number;
    if (form === 1) {
      elemId = b >> 4;
      len = (b & 0x0f) + 1;
      if (elemId === 15) return -1; // reserved: stop parsing (RFC 8285 §4.2)
      i += 1;
    } else {
      if (i + 1 >= end) return -1;
      elemId = b;
      len = buf[i + 1]!;
      i += 2;
    }
    if (i + len > end) return -1;
    if (elemId === id) {
      header.foundLength = len;
      return i;
    }
    i += len;
  }
  return -1;
}

/**
 * Rewrites header extension ids in place through `table` (`table[oldId]` is
 * the new id; 0 strips the element by overwriting it with padding bytes, which
 * receivers skip). One-byte form ids above 14 are stripped too.
 * Unknown profiles are left untouched.
 *
 * @returns false if the extension block is malformed (the packet should be dropped).
 */
export function remapHeaderExtensions(buf: Uint8Array, header: RtpHeaderView, table: Uint8Array): boolean {
  const form = extensionForm(header.extensionProfile);
  if (form === 0) return true;
  let i = header.extensionOffset;
  const end = i + header.extensionLength;
  while (i < end) {
    const b = buf[i]!;
    if (b === 0) {
      i++;
      continue;
    }
    if (form === 1) {
      const id = b >> 4;
      const len = (b & 0x0f) + 1;
      if (id === 15) return true; // reserved id: the rest is not parsed by receivers either
      if (i + 1 + len > end) return false;
      const newId = table[id]!;
      if (newId === 0 || newId > 14) buf.fill(0, i, i + 1 + len);
      else buf[i] = (newId << 4) | (b & 0x0f);
      i += 1 + len;
    } else {
      if (i + 1 >= end) return false;
      const len = buf[i + 1]!;
      if (i + 2 + len > end) return false;
      const newId = table[b]!;
      if (newId === 0) buf.fill(0, i, i + 2 + len);
      else buf[i] = newId;
      i += 2 + len;
    }
  }
  return true;
}

/**
 * Reads a string-valued extension (MID, RID, repaired RID). Allocates a string:
 * for stream probing, not for every forwarded packet.
 *
 * @returns the value, or undefined if absent or not printable ASCII.
 */
export function readHeaderExtensionString(buf: Uint8Array, header: RtpHeaderView, id: number): string | undefined {
  const off = findHeaderExtension(buf, header, id);
  if (off < 0) return undefined;
  let s = '';
  for (let i = off; i < off + header.foundLength; i++) {
    const c = buf[i]!;
    if (c === 0) break; // trailing zero padding inside the element
    if (c < 0x20 || c > 0x7e) return undefined;
    s += String.fromCharCode(c);
  }
  return s.length > 0 ? s : undefined;
}

/** A 256-entry extension id table mapping every id to 0 (strip all). */
export function createExtensionIdTable(pairs: Iterable<readonly [from: number, to: number]> = []): Uint8Array {
  const table = new Uint8Array(256);
  for (const [from, to] of pairs) {
    if (from > 0 && from < 256) table[from] = to;
  }
  return table;
}

/**
 * The sequence number `seq` (16 bits) unwrapped against `highest`, an unwrapped (extended) sequence
 * number: the value nearest to `highest` whose low 16 bits are `seq` (RFC 3550 A.1 style).
 */
export function unwrapSeq16(seq: number, highest: number): number {
  return highest + ((((seq & 0xffff) - (highest & 0xffff) + 0x8000) & 0xffff) - 0x8000);
}

/**
 * How {@link writeRewrittenRtpHeader} rewrites a packet's header for one receiver. One per
 * consumer, refilled per packet (no allocation).
 */
export class RtpHeaderRewrite {
  ssrc = 0;
  payloadType = 0;
  sequenceNumber = 0;
  timestamp = 0;
  marker = false;
  /** Header-extension id in the source → id written (0: element left out). */
  readonly extIds = new Uint8Array(256);
  /** Source id of the MID element whose value is replaced by {@link midValue} (0: none). */
  midId = 0;
  midValue: Uint8Array | undefined;
  /** Source id of the transport-wide sequence number element (0: none). */
  twccId = 0;
  /** Set by the writer: offset of the written transport-wide sequence number value, or -1. */
  twccOffset = -1;
}

/**
 * Writes the header of the parsed packet `src` (`h`) into `dst[0..)` as `rw` says: version 2, no
 * padding, the source's CSRCs, the fields of `rw`, and the source's header extensions whose id
 * `rw.extIds` maps (renumbered; MID replaced; the transport-wide sequence number element is
 * written with its source value and its offset left in `rw.twccOffset` for the caller to fill).
 * One-byte form when every element fits it, else two-byte (RFC 8285). Extensions of an unknown
 * profile are left out. No allocation.
 *
 * One pass over the source's elements: they are written in the one-byte form as they come, and
 * only when one does not fit it (id above 14, value empty or longer than 16 bytes) are they all
 * written again in the two-byte form, over what was written.
 *
 * @returns the header length (the payload goes right after it).
 */
export function writeRewrittenRtpHeader(src: Uint8Array, h: RtpHeaderView, dst: Uint8Array, rw: RtpHeaderRewrite): number {
  const cc = h.csrcCount;
  const seq = rw.sequenceNumber;
  const ts = rw.timestamp;
  const ssrc = rw.ssrc;
  dst[1] = (rw.marker ? 0x80 : 0) | (rw.payloadType & 0x7f);
  dst[2] = seq >>> 8;
  dst[3] = seq;
  dst[4] = ts >>> 24;
  dst[5] = ts >>> 16;
  dst[6] = ts >>> 8;
  dst[7] = ts;
  dst[8] = ssrc >>> 24;
  dst[9] = ssrc >>> 16;
  dst[10] = ssrc >>> 8;
  dst[11] = ssrc;
  let o = 12;
  for (let i = 12; i < 12 + cc * 4; i++) dst[o++] = src[i]!;
  rw.twccOffset = -1;
  const form = h.extension ? extensionForm(h.extensionProfile) : 0;
  const start = o + 4;
  let two = false;
  let p = start;
  if (form !== 0) {
    p = writeExtensionElements(src, h, form, dst, start, rw, false);
    if (p < 0) {
      two = true;
      rw.twccOffset = -1;
      p = writeExtensionElements(src, h, form, dst, start, rw, true);
    }
  }
  if (p === start) {
    dst[0] = 0x80 | cc;
    return o;
  }
  dst[0] = 0x90 | cc;
  while ((p - start) & 3) dst[p++] = 0;
  const words = (p - start) >> 2;
  dst[o] = two ? 0x10 : 0xbe;
  dst[o + 1] = two ? 0x00 : 0xde;
  dst[o + 2] = words >>> 8;
  dst[o + 3] = words & 0xff;
  return p;
}

/**
 * Writes the elements of `src`'s extension block (in form `form`) that `rw.extIds` maps into
 * `dst[start..)`, in the two-byte form if `two`, else in the one-byte form. A malformed element
 * ends the block (what came before it is kept).
 *
 * @returns the offset after the last element written (`start` if none), or -1 if `two` is false
 *   and an element needs the two-byte form (`dst` from `start` then holds part of the block).
 */
function writeExtensionElements(
  src: Uint8Array,
  h: RtpHeaderView,
  form: 1 | 2,
  dst: Uint8Array,
  start: number,
  rw: RtpHeaderRewrite,
  two: boolean,
): number {
  const ids = rw.extIds;
  let p = start;
  let i = h.extensionOffset;
  const end = i + h.extensionLength;
  while (i < end) {
    const b = src[i]!;
    if (b === 0) {
      i++;
      continue;
    }
    let id: number;
    let len: number;
    if (form === 1) {
      id = b >> 4;
      if (id === 15) break; // reserved: receivers stop parsing here (RFC 8285 §4.2)
      len = (b & 0x0f) + 1;
      i += 1;
    } else {
      if (i + 1 >= end) break;
      id = b;
      len = src[i + 1]!;
      i += 2;
    }
    if (i + len > end) break;
    const at = i;
    i += len;
    const out = ids[id]!;
    if (out === 0) continue;
    let from: Uint8Array = src;
    let fromAt = at;
    if (id === rw.midId && rw.midValue) {
      from = rw.midValue;
      fromAt = 0;
      len = from.length;
    }
    if (two) {
      dst[p++] = out;
      dst[p++] = len;
    } else if (out > 14 || len === 0 || len > 16) return -1;
    else dst[p++] = (out << 4) | (len - 1);
    if (id === rw.twccId) rw.twccOffset = p;
    for (let k = 0; k < len; k++) dst[p + k] = from[fromAt + k]!;
    p += len;
  }
  return p;
}
