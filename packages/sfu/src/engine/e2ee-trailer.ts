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

/**
 * Offset of the frame data in an RTP payload and whether this packet holds the whole frame, or
 * undefined for a malformed payload descriptor. Opus has no descriptor; VP8's is RFC 7741 §4.2;
 * VP9's B/E bits (RFC 9628 §4.2) say whether the packet starts/ends the frame (its length is
 * not parsed: only whole-packet facts are used).
 */
function frameStart(codec: E2eeTrailerCodec, p: Uint8Array): { offset: number; whole: boolean } | undefined {
  if (codec === 'opus') return { offset: 0, whole: true };
  const b0 = p[0];
  if (b0 === undefined) return undefined;
  if (codec === 'vp9') {
    // I P L F B E V Z: the start (B) and end (E) of a frame in one packet.
    return { offset: -1, whole: (b0 & 0x08) !== 0 && (b0 & 0x04) !== 0 };
  }
  // VP8: X R N S R PID(3).
  let o = 1;
  if (b0 & 0x80) {
    const x = p[1];
    if (x === undefined) return undefined;
    o = 2;
    if (x & 0x80) {
      const pic = p[o];
      if (pic === undefined) return undefined;
      o += pic & 0x80 ? 2 : 1;
    }
    if (x & 0x40) o += 1;
    if (x & 0x30) o += 1;
  }
  if (o > p.length) return undefined;
  return { offset: o, whole: (b0 & 0x10) !== 0 && (b0 & 0x07) === 0 };
}

/**
 * Checks the packet that ends a frame. `payload` is the RTP payload without padding.
 * Never throws; allocates nothing.
 */
export function checkE2eeTrailer(codec: E2eeTrailerCodec, payload: Uint8Array, o: E2eeTrailerCheckOptions): E2eeTrailerVerdict {
  const n = payload.length;
  if (n === 0) return 'skip'; // empty (DTX, padding): passed through unencrypted by design
  const start = frameStart(codec, payload);
  if (!start) return 'length';
  const cfg = payload[n - 1]!;
  if (!o.versions.includes(cfg >> 6)) return 'version';
  const hLen = cfg & 0x20 ? 2 : 1;
  const trailer = (cfg & 7) + 1 + ((cfg >> 3) & 3) + 1 + hLen + 1;
  // The frame's bytes in this packet (for VP9 the descriptor is not parsed: the whole payload is a bound).
  const inPacket = start.offset < 0 ? n : n - start.offset;
  if (inPacket < trailer) return start.whole ? 'length' : 'skip';
  const h = hLen === 2 ? (payload[n - 3]! << 8) | payload[n - 2]! : payload[n - 2]!;
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
   * Checks one packet; `last` is whether it ends a frame (RTP marker for video; always for audio).
   * Returns false when the packet must not be forwarded (this frame or an earlier one failed).
   */
  onPacket(payload: Uint8Array, last: boolean): boolean {
    if (this.failure) return false;
    // VP9 SVC: each spatial layer frame of a picture is sealed on its own and ends at its E bit; the
    // RTP marker ends only the picture's top layer, so checking at the marker alone would pass
    // plaintext in the lower layers unchecked.
    if (this.codec === 'vp9') last = payload.length > 0 && (payload[0]! & 0x04) !== 0;
    if (!last && this.codec !== 'opus') return true;
    const v = checkE2eeTrailer(this.codec, payload, this.options);
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
