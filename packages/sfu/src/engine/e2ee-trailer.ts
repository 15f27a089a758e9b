/**
 * Sanity check of the Alcove E2EE trailer on incoming media, for producers of sessions that require
 * end-to-end encryption. The SFU holds no media key, so it cannot tell a sealed frame from noise;
 * what it can check is the *shape* an encrypted frame must have at its end:
 *
 *   | clear prefix (h) | ciphertext | tag (16) | CTR (c) | KID (k) | h (1|2) | cfg (1) |   ← last byte
 *   cfg = VV H KK CCC  (VV = format version, H = h takes 2 bytes, KK = k-1, CCC = c-1)
 *
 * On the last RTP packet of each frame (every packet for audio, the marker packet for VP8, the
 * packet ending each layer frame (E bit) for VP9, whose SVC pictures hold one frame per layer) the
 * check reads `cfg` from the end of the payload, requires an accepted version, reads `h` and
 * requires one of the clear-prefix lengths the codec uses, and, when the packet carries the whole
 * frame, requires room for `h` + tag + trailer. A plaintext Opus or VP8 frame ends in codec bytes
 * that pass this only by chance (for uniformly random end bytes, about 1 in 2000 frames for Opus and
 * 1 in 1000 for VP8), so a client that claims E2EE but sends plaintext fails within its first frames.
 *
 * What passing proves: only that frames end like E2EE frames. A modified client can append a fake
 * trailer to plaintext; the receivers' workers then drop those frames (the tag does not verify),
 * so nothing is decoded, but the server cannot see that. The check catches honest mistakes and
 * naive patches, not a determined adversary on the sending side.
 * @internal
 */

/** Tag length of the frame cipher (Poly1305 or GCM), bytes. */
const TAG_BYTES = 16;

/** What the trailer check accepts for one producer. */
export interface E2eeTrailerCheckOptions {
  /** Accepted format versions (the two high bits of the frame's last byte), each 0..3. */
  readonly versions: readonly number[];
  /** Clear-prefix lengths (`h`) the producer's codec uses, e.g. `[1]` for Opus, `[3, 10]` for VP8. */
  readonly prefixLengths: readonly number[];
}

/** Why a frame failed the check. */
export type E2eeTrailerFailure = 'version' | 'prefix' | 'length';

/** Outcome of checking one packet. `skip`: not the last packet of a frame, or too short to judge. */
export type E2eeTrailerVerdict = 'ok' | 'skip' | E2eeTrailerFailure;

/** Payload formats the check knows how to find the frame in. */
export type E2eeTrailerCodec = 'opus' | 'vp8' | 'vp9';

/** The codec of a MIME type the check supports, or undefined. */
export function e2eeTrailerCodecOf(mimeType: string): E2eeTrailerCodec | undefined {
  switch (mimeType.toLowerCase()) {
    case 'audio/opus':
      return 'opus';
    case 'video/vp8':
      return 'vp8';
    case 'video/vp9':
      return 'vp9';
    default:
      return undefined;
  }
}

/** Where {@link frameStart} leaves its answer (one for the module: the check is synchronous). */
const start = { offset: 0, whole: false };

/**
 * Finds the offset of the frame data in the RTP payload `p[at..at+n)` (relative to `at`; -1:
 * not parsed) and whether this packet holds the whole frame, into {@link start}; false for a
 * malformed payload descriptor. Opus has no descriptor; VP8's is RFC 7741 §4.2; VP9's B/E bits
 * (RFC 9628 §4.2) say whether the packet starts/ends the frame (its length is not parsed: only
 * whole-packet facts are used).
 */
function frameStart(codec: E2eeTrailerCodec, p: Uint8Array, at: number, n: number): boolean {
  if (codec === 'opus') {
    start.offset = 0;
    start.whole = true;
    return true;
  }
  if (n < 1) return false;
  const b0 = p[at]!;
  if (codec === 'vp9') {
    // I P L F B E V Z: the start (B) and end (E) of a frame in one packet.
    start.offset = -1;
    start.whole = (b0 & 0x08) !== 0 && (b0 & 0x04) !== 0;
    return true;
  }
  // VP8: X R N S R PID(3).
  let o = 1;
  if (b0 & 0x80) {
    if (n < 2) return false;
    const x = p[at + 1]!;
    o = 2;
    if (x & 0x80) {
      if (n < 3) return false;
      o += p[at + o]! & 0x80 ? 2 : 1;
    }
    if (x & 0x40) o += 1;
    if (x & 0x30) o += 1;
  }
  if (o > n) return false;
  start.offset = o;
  start.whole = (b0 & 0x10) !== 0 && (b0 & 0x07) === 0;
  return true;
}

/**
 * Checks the packet that ends a frame: its RTP payload without padding is `buf[offset..offset+length)`
 * (default: all of `buf`). Never throws; allocates nothing.
 */
export function checkE2eeTrailer(
  codec: E2eeTrailerCodec,
  buf: Uint8Array,
  o: E2eeTrailerCheckOptions,
  offset = 0,
  length = buf.length - offset,
): E2eeTrailerVerdict {
  const n = length;
  if (n <= 0) return 'skip'; // empty (DTX, padding): passed through unencrypted by design
  if (!frameStart(codec, buf, offset, n)) return 'length';
  const end = offset + n;
  const cfg = buf[end - 1]!;
  if (!o.versions.includes(cfg >> 6)) return 'version';
  const hLen = cfg & 0x20 ? 2 : 1;
  const trailer = (cfg & 7) + 1 + ((cfg >> 3) & 3) + 1 + hLen + 1;
  // The frame's bytes in this packet (for VP9 the descriptor is not parsed: the whole payload is a bound).
  const inPacket = start.offset < 0 ? n : n - start.offset;
  if (inPacket < trailer) return start.whole ? 'length' : 'skip';
  const h = hLen === 2 ? (buf[end - 3]! << 8) | buf[end - 2]! : buf[end - 2]!;
  if (!o.prefixLengths.includes(h)) return 'prefix';
  if (start.whole && inPacket < h + TAG_BYTES + trailer) return 'length';
  return 'ok';
}

/** Per-producer state of the check: counts, and the first failure. */
export class E2eeTrailerCheck {
  readonly codec: E2eeTrailerCodec;
  readonly options: E2eeTrailerCheckOptions;
  /** Frames that passed. */
  passed = 0;
  /** Frames that could not be judged (a last packet shorter than the trailer). */
  skipped = 0;
  /** Frames that failed. */
  failed = 0;
  /** The first failure's reason; once set, the producer forwards nothing more. */
  failure: E2eeTrailerFailure | undefined;

  constructor(codec: E2eeTrailerCodec, options: E2eeTrailerCheckOptions) {
    this.codec = codec;
    this.options = { versions: [...options.versions], prefixLengths: [...options.prefixLengths] };
  }

  /**
   * Checks one packet whose RTP payload is `buf[offset..offset+length)` (default: all of `buf`);
   * `last` is whether it ends a frame (RTP marker for video; always for audio). Returns false when
   * the packet must not be forwarded (this frame or an earlier one failed).
   */
  onPacket(buf: Uint8Array, last: boolean, offset = 0, length = buf.length - offset): boolean {
    if (this.failure) return false;
    // VP9 SVC: each spatial layer frame of a picture is sealed on its own and ends at its E bit; the
    // RTP marker ends only the picture's top layer, so checking at the marker alone would pass
    // plaintext in the lower layers unchecked.
    if (this.codec === 'vp9') last = length > 0 && (buf[offset]! & 0x04) !== 0;
    if (!last && this.codec !== 'opus') return true;
    const v = checkE2eeTrailer(this.codec, buf, this.options, offset, length);
    if (v === 'ok') this.passed++;
    else if (v === 'skip') this.skipped++;
    else {
      this.failed++;
      this.failure = v;
      return false;
    }
    return true;
  }
}
