/**
 * RFC 4571 framing for ICE over TCP: every STUN, DTLS and SRTP packet travels as a 16-bit
 * big-endian length followed by that many bytes. {@link FrameReader} turns a TCP byte stream
 * (split and coalesced arbitrarily) back into packets; it never holds more than one frame.
 * @internal
 */

/** Largest frame the engine accepts or sends (RTP, RTCP, DTLS and STUN all fit well below). */
export const MAX_TCP_FRAME = 8192;

/** Why a stream was rejected (the connection is closed; nothing after it can be trusted). */
export type FrameError = 'oversize' | 'empty';

/** Prefixes `packet` with its RFC 4571 length. Throws `RangeError` above {@link MAX_TCP_FRAME}. */
export function encodeFrame(packet: Uint8Array): Buffer {
  if (packet.length > MAX_TCP_FRAME) throw new RangeError(`frame of ${packet.length} bytes exceeds ${MAX_TCP_FRAME}`);
  const out = Buffer.allocUnsafe(2 + packet.length);
  out.writeUInt16BE(packet.length, 0);
  out.set(packet, 2);
  return out;
}

/** Reassembles RFC 4571 frames from stream chunks. */
export class FrameReader {
  private readonly max: number;
  /** Bytes of the frame (or length prefix) being assembled. */
  private pending: Buffer = Buffer.alloc(0);
  /** Set once the stream was rejected; later chunks are ignored. */
  error: FrameError | undefined;

  constructor(max = MAX_TCP_FRAME) {
    this.max = max;
  }

  /** Bytes held while waiting for the rest of a frame. */
  get buffered(): number {
    return this.pending.length;
  }

  /**
   * Feeds a chunk; returns the complete frames it finished, in order. After a length of 0 or
   * above the maximum, sets {@link FrameReader.error}, returns the frames before it and ignores
   * everything after.
   */
  push(chunk: Uint8Array): Buffer[] {
    if (this.error) return [];
    let data: Buffer =
      this.pending.length > 0 ? Buffer.concat([this.pending, chunk]) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    const frames: Buffer[] = [];
    let off = 0;
    while (data.length - off >= 2) {
      const len = data.readUInt16BE(off);
      if (len === 0 || len > this.max) {
        this.error = len === 0 ? 'empty' : 'oversize';
        this.pending = Buffer.alloc(0);
        return frames;
      }
      if (data.length - off - 2 < len) break;
      // Copy: the socket may reuse its chunk buffers; a frame outlives this call (DTLS queues).
      frames.push(Buffer.from(data.subarray(off + 2, off + 2 + len)));
      off += 2 + len;
    }
    data = data.subarray(off);
    this.pending = data.length > 0 ? Buffer.from(data) : Buffer.alloc(0);
    return frames;
  }
}
