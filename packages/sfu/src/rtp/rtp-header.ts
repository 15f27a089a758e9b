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

/** The header fields {@link writeRtpHeader} writes (structurally, werift's `RtpHeader`). */
export interface RtpHeaderFields {
  marker: boolean;
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  csrc: readonly number[];
  extensions: readonly { id: number; payload: Uint8Array }[];
}

/**
 * Bytes {@link writeRtpHeader} writes for `h`: fixed header, CSRCs and the header extension
 * (one-byte form when every element fits it, else two-byte; RFC 8285), without padding.
 */
export function rtpHeaderSize(h: RtpHeaderFields): number {
  const exts = h.extensions;
  let n = 12 + h.csrc.length * 4;
  if (exts.length === 0) return n;
  const two = needsTwoByte(exts);
  let e = 0;
  for (let i = 0; i < exts.length; i++) e += (two ? 2 : 1) + exts[i]!.payload.length;
  n += 4 + ((e + 3) & ~3);
  return n;
}

function needsTwoByte(exts: readonly { id: number; payload: Uint8Array }[]): boolean {
  for (let i = 0; i < exts.length; i++) {
    const e = exts[i]!;
    if (e.id > 14 || e.payload.length === 0 || e.payload.length > 16) return true;
  }
  return false;
}

/**
 * Writes the RTP header of `h` at `buf[0..)` (version 2, no padding) and returns its length
 * ({@link rtpHeaderSize}). No allocation.
 */
export function writeRtpHeader(buf: Uint8Array, h: RtpHeaderFields): number {
  const exts = h.extensions;
  const cc = h.csrc.length;
  buf[0] = 0x80 | (exts.length > 0 ? 0x10 : 0) | (cc & 0x0f);
  buf[1] = (h.marker ? 0x80 : 0) | (h.payloadType & 0x7f);
  buf[2] = (h.sequenceNumber >>> 8) & 0xff;
  buf[3] = h.sequenceNumber & 0xff;
  buf[4] = h.timestamp >>> 24;
  buf[5] = (h.timestamp >>> 16) & 0xff;
  buf[6] = (h.timestamp >>> 8) & 0xff;
  buf[7] = h.timestamp & 0xff;
  buf[8] = h.ssrc >>> 24;
  buf[9] = (h.ssrc >>> 16) & 0xff;
  buf[10] = (h.ssrc >>> 8) & 0xff;
  buf[11] = h.ssrc & 0xff;
  let o = 12;
  for (let i = 0; i < cc; i++) {
    const c = h.csrc[i]!;
    buf[o] = c >>> 24;
    buf[o + 1] = (c >>> 16) & 0xff;
    buf[o + 2] = (c >>> 8) & 0xff;
    buf[o + 3] = c & 0xff;
    o += 4;
  }
  if (exts.length === 0) return o;
  const two = needsTwoByte(exts);
  const start = o + 4;
  let p = start;
  for (let i = 0; i < exts.length; i++) {
    const e = exts[i]!;
    const len = e.payload.length;
    if (two) {
      buf[p++] = e.id;
      buf[p++] = len;
    } else buf[p++] = (e.id << 4) | (len - 1);
    buf.set(e.payload, p);
    p += len;
  }
  while ((p - start) & 3) buf[p++] = 0;
  const words = (p - start) >> 2;
  buf[o] = two ? 0x10 : 0xbe;
  buf[o + 1] = two ? 0x00 : 0xde;
  buf[o + 2] = words >>> 8;
  buf[o + 3] = words & 0xff;
  return p;
}
