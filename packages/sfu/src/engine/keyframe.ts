/**
 * Keyframe detection for the forwarding path: adapters over the RTP module's VP8/VP9/H.264
 * detectors (they read only the payload descriptor, which stays in clear under Alcove's E2EE).
 * @internal
 */
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
