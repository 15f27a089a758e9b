/**
 * Hot-path RTP/RTCP helpers of the engine: header parsing and in-place
 * rewriting, codec payload inspection, RTCP parsing and building.
 *
 * @packageDocumentation
 */
export {
  ONE_BYTE_PROFILE,
  TWO_BYTE_PROFILE,
  RtpHeaderView,
  createExtensionIdTable,
  findHeaderExtension,
  isRtcp,
  isRtpOrRtcp,
  parseRtpHeader,
  readHeaderExtensionString,
  remapHeaderExtensions,
  setRtpMarker,
  setRtpPayloadType,
  setRtpSequenceNumber,
  setRtpSsrc,
  setRtpTimestamp,
  unwrapSeq16,
  RtpHeaderRewrite,
  writeRewrittenRtpHeader,
} from './rtp-header.js';
export {
  SRTP_AEAD_AES_128_GCM,
  SRTP_AES128_CM_HMAC_SHA1_80,
  SrtpRtpContext,
  rtpHeaderLength,
  srtpKdf,
  srtpOverhead,
} from './srtp.js';
export type { SrtpProfileId } from './srtp.js';
export { Vp8Descriptor, isVp8KeyFrame, parseVp8PayloadDescriptor, setVp8PictureId, setVp8Tl0PicIdx } from './vp8.js';
export { isVp9KeyFrame } from './vp9.js';
export { isH264KeyFrame } from './h264.js';
export { RtcpPacketType } from './rtcp-types.js';
export type {
  RtcpBye,
  RtcpFir,
  RtcpNack,
  RtcpParseResult,
  RtcpPli,
  RtcpReceiverReport,
  RtcpRecord,
  RtcpRemb,
  RtcpReportBlock,
  RtcpSdes,
  RtcpSenderReport,
  RtcpTransportCc,
} from './rtcp-types.js';
export { nackSequenceNumbers, parseRtcpCompound } from './rtcp-parse.js';
export {
  buildFir,
  buildNack,
  buildPli,
  buildReceiverReport,
  buildRemb,
  buildSdesCname,
  buildSenderReport,
  encodeRembBitrate,
} from './rtcp-build.js';
export type { SenderInfo } from './rtcp-build.js';
