/**
 * Keyframe detection for the forwarding path: adapters over the RTP module's VP8/VP9/H.264
 * detectors (they read only the payload descriptor, which stays in clear under Alcove's E2EE), and
 * the key frame cache a producer keeps for consumers that start (a newcomer decodes at once even
 * when another viewer's request made the sender produce a key frame a moment earlier).
 * @internal
 */
import type { RtpPacket } from 'werift';
import { isH264KeyFrame, isVp8KeyFrame, isVp9KeyFrame } from '../rtp/index.js';

const vp8 = (p: Uint8Array): boolean => isVp8KeyFrame(p, 0, p.length);
const vp9 = (p: Uint8Array): boolean => isVp9KeyFrame(p, 0, p.length);
const h264 = (p: Uint8Array): boolean => isH264KeyFrame(p, 0, p.length);

/** Keyframe detector for a mime type, or undefined for audio / unknown codecs. */
export function keyFrameDetectorFor(mimeType: string): ((p: Uint8Array) => boolean) | undefined {
  switch (mimeType.toLowerCase()) {
    case 'video/vp8':
      return vp8;
    case 'video/vp9':
      return vp9;
    case 'video/h264':
      return h264;
    default:
      return undefined;
  }
}

/** Most packets kept from a key frame on for consumers that start (a 720p key frame and ~1 s after it). */
export const KEYFRAME_CACHE_MAX_PACKETS = 400;
/** A cached key frame older than this is not replayed: a fresh one is requested instead (ms). */
export const KEYFRAME_CACHE_MAX_AGE_MS = 1000;

/**
 * Keeps `gop` as the last key frame and the packets since: a key frame packet of a new picture (RTP
 * timestamp) starts it over (then it returns true), other packets are appended, and past
 * {@link KEYFRAME_CACHE_MAX_PACKETS} it is emptied until the next key frame. Packets are kept by
 * reference: the forwarding path never reuses a packet object (consumers' retransmission rings keep
 * them too).
 */
export function cacheKeyFramePacket(gop: RtpPacket[], packet: RtpPacket, isKey: boolean): boolean {
  if (isKey && (gop.length === 0 || gop[0]!.header.timestamp !== packet.header.timestamp)) {
    gop.length = 0;
    gop.push(packet);
    return true;
  }
  if (gop.length > 0) {
    if (gop.length < KEYFRAME_CACHE_MAX_PACKETS) gop.push(packet);
    else gop.length = 0;
  }
  return false;
}
