/**
 * A VP8-like RTP stream generator for load tests: frames of realistic size
 * (720p-like, 2.5 Mbit/s by default), packetised with a VP8 payload descriptor
 * (15-bit picture id), a key frame every N frames, optional MID and
 * abs-send-time header extensions, and a pacer.
 *
 * @packageDocumentation
 */

/** Options of {@link Vp8Generator}. */
export type Vp8GeneratorOptions = {
  /** Media SSRC. */
  ssrc: number;
  /** RTP payload type. Default 96. */
  payloadType?: number;
  /** Target bitrate in bit/s (RTP payload). Default 2,500,000. */
  bitrate?: number;
  /** Frames per second. Default 30. */
  fps?: number;
  /** A key frame every this many frames (the first frame is always one). Default 60. */
  keyFrameInterval?: number;
  /** Key frame size relative to a delta frame. Default 5. */
  keyFrameRatio?: number;
  /** Largest RTP payload per packet. Default 1160 (fits a 1200-byte SRTP packet with header). */
  maxPayloadSize?: number;
  /** MID header extension (one-byte form) to add to every packet. */
  mid?: { id: number; value: string };
  /** abs-send-time extension id to add to every packet. */
  absSendTimeId?: number;
  /** transport-wide-cc extension id: every packet gets the next transport-wide sequence number. */
  transportCcId?: number;
  /** RID header extension (one-byte form) to add to every packet, after the others. */
  rid?: { id: number; value: string };
  /** First sequence number. Default random. */
  initialSequenceNumber?: number;
};

const VP8_DESCRIPTOR_SIZE = 4; // X|S, I, M|picture id (15 bits)

/** Generates the packets of a VP8-like stream, frame by frame. */
export class Vp8Generator {
  /** Frames generated so far. */
  frames = 0;
  /** Packets generated so far. */
  packets = 0;
  /** Key frames generated so far. */
  keyFrames = 0;
  readonly #opts: Required<Omit<Vp8GeneratorOptions, 'mid' | 'absSendTimeId' | 'transportCcId' | 'rid'>> &
    Pick<Vp8GeneratorOptions, 'mid' | 'absSendTimeId' | 'transportCcId' | 'rid'>;
  readonly #deltaSize: number;
  readonly #keySize: number;
  readonly #extension: Buffer | undefined;
  #seq: number;
  #timestamp: number;
  #pictureId = Math.floor(Math.random() * 0x7fff);
  #forceKey = false;
  /** Next transport-wide sequence number (when `transportCcId` is set). */
  transportSeq = 0;

  constructor(options: Vp8GeneratorOptions) {
    this.#opts = {
      payloadType: 96,
      bitrate: 2_500_000,
      fps: 30,
      keyFrameInterval: 60,
      keyFrameRatio: 5,
      maxPayloadSize: 1160,
      initialSequenceNumber: Math.floor(Math.random() * 0xffff),
      ...options,
    };
    const { bitrate, fps, keyFrameInterval, keyFrameRatio } = this.#opts;
    // Average frame size such that key + (interval-1) deltas carry bitrate/fps each on average.
    const avg = bitrate / 8 / fps;
    this.#deltaSize = Math.max(64, Math.round((avg * keyFrameInterval) / (keyFrameInterval - 1 + keyFrameRatio)));
    this.#keySize = Math.round(this.#deltaSize * keyFrameRatio);
    this.#seq = this.#opts.initialSequenceNumber & 0xffff;
    this.#timestamp = Math.floor(Math.random() * 0xffffffff);
    this.#extension = this.#buildExtensionBlock();
  }

  /** Average packets per second the stream produces. */
  get packetsPerSecond(): number {
    const perFrame = (size: number): number => Math.ceil(size / (this.#opts.maxPayloadSize - VP8_DESCRIPTOR_SIZE));
    const { keyFrameInterval: n, fps } = this.#opts;
    return ((perFrame(this.#keySize) + (n - 1) * perFrame(this.#deltaSize)) / n) * fps;
  }

  /** Makes the next frame a key frame (answering a PLI/FIR). */
  requestKeyFrame(): void {
    this.#forceKey = true;
  }

  /** Generates the RTP packets of the next frame. */
  nextFrame(): Buffer[] {
    const key = this.frames % this.#opts.keyFrameInterval === 0 || this.#forceKey;
    this.#forceKey = false;
    const size = key ? this.#keySize : this.#deltaSize;
    const chunk = this.#opts.maxPayloadSize - VP8_DESCRIPTOR_SIZE;
    const count = Math.ceil(size / chunk);
    const out: Buffer[] = [];
    for (let i = 0; i < count; i++) {
      const len = i === count - 1 ? size - chunk * i : chunk;
      out.push(this.#packet(i === 0, i === count - 1, key, len));
    }
    this.frames++;
    if (key) this.keyFrames++;
    this.#pictureId = (this.#pictureId + 1) & 0x7fff;
    this.#timestamp = (this.#timestamp + Math.round(90000 / this.#opts.fps)) >>> 0;
    return out;
  }

  /**
   * Sends frames at the configured frame rate until stopped.
   *
   * @returns a function that stops the pacer.
   */
  startPacing(send: (packet: Buffer) => void): () => void {
    const start = performance.now();
    let sent = 0;
    const tick = (): void => {
      // Catch up if the timer fired late, so the average rate holds.
      const due = Math.floor(((performance.now() - start) * this.#opts.fps) / 1000) + 1;
      while (sent < due) {
        for (const p of this.nextFrame()) send(p);
        sent++;
      }
    };
    tick();
    const timer = setInterval(tick, Math.max(1, Math.floor(1000 / this.#opts.fps / 2)));
    return () => clearInterval(timer);
  }

  #buildExtensionBlock(): Buffer | undefined {
    const elems: Buffer[] = [];
    if (this.#opts.mid) {
      const v = Buffer.from(this.#opts.mid.value, 'ascii');
      elems.push(Buffer.concat([Buffer.from([(this.#opts.mid.id << 4) | (v.length - 1)]), v]));
    }
    if (this.#opts.absSendTimeId) elems.push(Buffer.from([(this.#opts.absSendTimeId << 4) | 2, 0, 0, 0]));
    if (this.#opts.transportCcId) elems.push(Buffer.from([(this.#opts.transportCcId << 4) | 1, 0, 0]));
    if (this.#opts.rid) {
      const v = Buffer.from(this.#opts.rid.value, 'ascii');
      elems.push(Buffer.concat([Buffer.from([(this.#opts.rid.id << 4) | (v.length - 1)]), v]));
    }
    if (elems.length === 0) return undefined;
    const body = Buffer.concat(elems);
    const padded = Buffer.alloc(Math.ceil(body.length / 4) * 4);
    body.copy(padded);
    const block = Buffer.alloc(4 + padded.length);
    block.writeUInt16BE(0xbede, 0);
    block.writeUInt16BE(padded.length / 4, 2);
    padded.copy(block, 4);
    return block;
  }

  #packet(first: boolean, last: boolean, key: boolean, payloadLen: number): Buffer {
    const ext = this.#extension;
    const headerLen = 12 + (ext?.length ?? 0);
    const buf = Buffer.allocUnsafe(headerLen + VP8_DESCRIPTOR_SIZE + payloadLen);
    buf[0] = ext ? 0x90 : 0x80;
    buf[1] = (last ? 0x80 : 0) | this.#opts.payloadType;
    buf.writeUInt16BE(this.#seq, 2);
    buf.writeUInt32BE(this.#timestamp, 4);
    buf.writeUInt32BE(this.#opts.ssrc >>> 0, 8);
    if (ext) {
      ext.copy(buf, 12);
      if (this.#opts.absSendTimeId) {
        // 6.18 fixed-point seconds, 24 bits.
        const t = Math.floor(((performance.now() / 1000) % 64) * 262144) & 0xffffff;
        const off = 12 + 4 + (this.#opts.mid ? 1 + this.#opts.mid.value.length : 0) + 1;
        buf[off] = t >> 16;
        buf[off + 1] = t >> 8;
        buf[off + 2] = t;
      }
      if (this.#opts.transportCcId) {
        const off = 12 + 4 + (this.#opts.mid ? 1 + this.#opts.mid.value.length : 0) + (this.#opts.absSendTimeId ? 4 : 0) + 1;
        buf.writeUInt16BE(this.transportSeq, off);
        this.transportSeq = (this.transportSeq + 1) & 0xffff;
      }
    }
    let i = headerLen;
    buf[i++] = 0x80 | (first ? 0x10 : 0); // X, S, PID 0
    buf[i++] = 0x80; // I
    buf[i++] = 0x80 | (this.#pictureId >> 8);
    buf[i++] = this.#pictureId & 0xff;
    const payloadStart = i;
    buf.fill(0x5a, payloadStart);
    if (first && payloadLen >= 10) {
      // VP8 frame tag: P=0 for key frames, show_frame=1; key frames carry the start code and 1280x720.
      buf[i] = key ? 0x10 : 0x11;
      buf[i + 1] = 0;
      buf[i + 2] = 0;
      if (key) {
        buf[i + 3] = 0x9d;
        buf[i + 4] = 0x01;
        buf[i + 5] = 0x2a;
        buf.writeUInt16LE(1280, i + 6);
        buf.writeUInt16LE(720, i + 8);
      }
    }
    this.#seq = (this.#seq + 1) & 0xffff;
    this.packets++;
    return buf;
  }
}
