/**
 * Codec equality as mediasoup defines it: MIME type, clock rate and channels,
 * plus (when strict) VP9 profile-id and H.264 packetization-mode and profile.
 *
 * @packageDocumentation
 */
import type { RtpCodecCapability, RtpCodecParameters } from '../types/rtp-parameters.js';
import { generateH264ProfileLevelIdForAnswer, isSameH264Profile } from './h264-profile-level-id.js';

/** A codec capability or codec parameters (both have mimeType, clockRate, channels, parameters). */
export type AnyCodec = RtpCodecCapability | RtpCodecParameters;

/** Whether the codec is an RTX (retransmission) codec. */
export function isRtxCodec(codec: { mimeType: string }): boolean {
  return /.+\/rtx$/i.test(codec.mimeType);
}

/** Options of {@link matchCodecs}. */
export type MatchCodecsOptions = {
  /** Also compare codec-specific parameters (profile ids, packetization mode). Default false. */
  strict?: boolean;
  /** On an H.264 match, write the negotiated profile-level-id into `a`. Default false. */
  modify?: boolean;
};

/**
 * Whether codecs `a` and `b` are the same codec.
 *
 * @example matchCodecs(producerCodec, routerCodec, { strict: true, modify: true })
 */
export function matchCodecs(a: AnyCodec, b: AnyCodec, { strict = false, modify = false }: MatchCodecsOptions = {}): boolean {
  const aMime = a.mimeType.toLowerCase();
  if (aMime !== b.mimeType.toLowerCase()) return false;
  if (a.clockRate !== b.clockRate) return false;
  if (a.channels !== b.channels) return false;
  const ap = a.parameters ?? {};
  const bp = b.parameters ?? {};

  switch (aMime) {
    case 'audio/multiopus': {
      if (ap['num_streams'] !== bp['num_streams']) return false;
      if (ap['coupled_streams'] !== bp['coupled_streams']) return false;
      break;
    }
    case 'video/h264':
    case 'video/h264-svc': {
      if (!strict) break;
      // Values may arrive as numbers or strings (SDP parsing); compare as numbers.
      if (Number(ap['packetization-mode'] ?? 0) !== Number(bp['packetization-mode'] ?? 0)) return false;
      if (!isSameH264Profile(ap, bp)) return false;
      let selected: string | undefined;
      try {
        selected = generateH264ProfileLevelIdForAnswer(ap, bp);
      } catch {
        return false;
      }
      if (modify) {
        a.parameters ??= {};
        if (selected) a.parameters['profile-level-id'] = selected;
        else delete a.parameters['profile-level-id'];
      }
      break;
    }
    case 'video/vp9': {
      if (!strict) break;
      if (Number(ap['profile-id'] ?? 0) !== Number(bp['profile-id'] ?? 0)) return false;
      break;
    }
    default:
      break;
  }
  return true;
}
