/**
 * Keyframe detection for the forwarding path: adapters over the RTP module's VP8/VP9/H.264
 * detectors (they read only the payload descriptor, which stays in clear under Alcove's E2EE), and
 * the key frame cache a producer keeps for consumers that start (a newcomer decodes at once even
 * when another viewer's request made the sender produce a key frame a moment earlier).
 * @internal
 */
import { isH264KeyFrame, isVp8KeyFrame, isVp9KeyFrame } from '../rtp/index.js';

/** Whether the RTP payload `buf[offset..offset+length)` starts a key frame. */
export type KeyFrameDetector = (buf: Uint8Array, offset: number, length: number) => boolean;

/** Keyframe detector for a mime type, or undefined for audio / unknown codecs. */
export function keyFrameDetectorFor(mimeType: string): KeyFrameDetector | undefined {
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

/** Most packets kept from a key frame on for consumers that start (a 720p key frame and ~1 s after it). */
export const KEYFRAME_CACHE_MAX_PACKETS = 400;
/** A cached key frame older than this is not replayed: a fresh one is requested instead (ms). */
export const KEYFRAME_CACHE_MAX_AGE_MS = 1000;

/**
 * The last key frame and the packets since, kept by reference: each packet is its datagram's own
 * buffer, which the forwarding path never writes again once the producer mapped it (consumers'
 * retransmission rings keep the same buffers). Fixed-size arrays: nothing is allocated per packet.
 */
export class KeyFrameCache {
  private readonly bufs: (Buffer | undefined)[] = new Array<Buffer | undefined>(KEYFRAME_CACHE_MAX_PACKETS).fill(undefined);
  private readonly lengths = new Uint16Array(KEYFRAME_CACHE_MAX_PACKETS);
  /** RTP timestamp of the cached key frame. */
  private timestamp = 0;
  /** Packets kept. */
  count = 0;

  /**
   * Adds packet `buf[0..length)` (RTP `timestamp`): a key frame packet of a new picture starts the
   * cache over (then it returns true), other packets are appended, and past
   * {@link KEYFRAME_CACHE_MAX_PACKETS} it is emptied until the next key frame.
   */
  add(buf: Buffer, length: number, timestamp: number, isKey: boolean): boolean {
    if (isKey && (this.count === 0 || this.timestamp !== timestamp)) {
      this.clear();
      this.timestamp = timestamp;
      this.push(buf, length);
      return true;
    }
    if (this.count > 0) {
      if (this.count < KEYFRAME_CACHE_MAX_PACKETS) this.push(buf, length);
      else this.clear();
    }
    return false;
  }

  /** The buffer of cached packet `i` (0: the first key frame packet). */
  buffer(i: number): Buffer {
    return this.bufs[i]!;
  }

  /** The length of cached packet `i`. */
  length(i: number): number {
    return this.lengths[i]!;
  }

  /** Forgets every packet (and lets their buffers go). */
  clear(): void {
    for (let i = 0; i < this.count; i++) this.bufs[i] = undefined;
    this.count = 0;
  }

  private push(buf: Buffer, length: number): void {
    this.bufs[this.count] = buf;
    this.lengths[this.count] = length;
    this.count++;
  }
}
