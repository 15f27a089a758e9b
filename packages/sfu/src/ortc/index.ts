/**
 * mediasoup's ORTC rules for the engine: validation, capability generation and
 * RTP parameter mapping.
 *
 * @packageDocumentation
 */
export { UnsupportedError } from './errors.js';
export {
  validateRtpCapabilities,
  validateRtpParameters,
  validateRtpCodecCapability,
  validateRtpCodecParameters,
  validateRtpHeaderExtension,
  validateRtpHeaderExtensionParameters,
  validateRtpEncodingParameters,
  validateRtcpFeedback,
  validateRtcpParameters,
} from './validate.js';
export { supportedRtpCapabilities } from './supported-rtp-capabilities.js';
export { isRtxCodec, matchCodecs } from './match-codecs.js';
export type { AnyCodec, MatchCodecsOptions } from './match-codecs.js';
export {
  DYNAMIC_PAYLOAD_TYPES,
  canConsume,
  generateRandomSsrc,
  generateRouterRtpCapabilities,
  getConsumableRtpParameters,
  getConsumerRtpParameters,
  getProducerRtpParametersMapping,
} from './ortc.js';
export type { GenerateRouterRtpCapabilitiesOptions, GetConsumerRtpParametersOptions } from './ortc.js';
export {
  H264Profile,
  parseH264ProfileLevelId,
  parseSdpH264ProfileLevelId,
  isSameH264Profile,
  generateH264ProfileLevelIdForAnswer,
  h264ProfileLevelIdToString,
} from './h264-profile-level-id.js';
export type { H264ProfileLevelId } from './h264-profile-level-id.js';
