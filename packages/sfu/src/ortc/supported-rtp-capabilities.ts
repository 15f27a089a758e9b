/**
 * The codecs and header extensions the engine can route, in mediasoup's
 * `supportedRtpCapabilities` shape and with mediasoup's preferred ids.
 *
 * @packageDocumentation
 */
import type { RtcpFeedback, RtpCapabilities } from '../types/rtp-parameters.js';

const videoFeedback = (): RtcpFeedback[] => [
  { type: 'nack' },
  { type: 'nack', parameter: 'pli' },
  { type: 'ccm', parameter: 'fir' },
  { type: 'goog-remb' },
  { type: 'transport-cc' },
];

/**
 * What the engine supports: Opus, VP8, VP9 and H.264 (RTX is added per video
 * codec by `generateRouterRtpCapabilities`), and the header extensions mid,
 * rid, repaired-rid, abs-send-time, transport-wide-cc, ssrc-audio-level and
 * video-orientation. Treat as read-only; functions clone it before use.
 */
export const supportedRtpCapabilities: RtpCapabilities = {
  codecs: [
    {
      kind: 'audio',
      mimeType: 'audio/opus',
      clockRate: 48000,
      channels: 2,
      rtcpFeedback: [{ type: 'nack' }, { type: 'transport-cc' }],
    },
    { kind: 'video', mimeType: 'video/VP8', clockRate: 90000, rtcpFeedback: videoFeedback() },
    { kind: 'video', mimeType: 'video/VP9', clockRate: 90000, rtcpFeedback: videoFeedback() },
    {
      kind: 'video',
      mimeType: 'video/H264',
      clockRate: 90000,
      parameters: { 'level-asymmetry-allowed': 1 },
      rtcpFeedback: videoFeedback(),
    },
  ],
  headerExtensions: [
    { kind: 'audio', uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', preferredId: 1, preferredEncrypt: false, direction: 'sendrecv' },
    { kind: 'video', uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', preferredId: 1, preferredEncrypt: false, direction: 'sendrecv' },
    { kind: 'video', uri: 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id', preferredId: 2, preferredEncrypt: false, direction: 'recvonly' },
    {
      kind: 'video',
      uri: 'urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id',
      preferredId: 3,
      preferredEncrypt: false,
      direction: 'recvonly',
    },
    {
      kind: 'audio',
      uri: 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
      preferredId: 4,
      preferredEncrypt: false,
      direction: 'sendrecv',
    },
    {
      kind: 'video',
      uri: 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
      preferredId: 4,
      preferredEncrypt: false,
      direction: 'sendrecv',
    },
    // As in mediasoup: for audio, transport-wide-cc only on receive.
    {
      kind: 'audio',
      uri: 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
      preferredId: 5,
      preferredEncrypt: false,
      direction: 'recvonly',
    },
    {
      kind: 'video',
      uri: 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
      preferredId: 5,
      preferredEncrypt: false,
      direction: 'sendrecv',
    },
    { kind: 'audio', uri: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level', preferredId: 10, preferredEncrypt: false, direction: 'sendrecv' },
    { kind: 'video', uri: 'urn:3gpp:video-orientation', preferredId: 11, preferredEncrypt: false, direction: 'sendrecv' },
  ],
};
