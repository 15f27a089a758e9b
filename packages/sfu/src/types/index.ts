/**
 * mediasoup-compatible parameter shapes used across the engine.
 *
 * @packageDocumentation
 */
export type {
  MediaKind,
  RtpCapabilities,
  RtpCodecCapability,
  RtpCodecParametersMap,
  RtpHeaderExtension,
  RtpHeaderExtensionDirection,
  RtpParameters,
  RtpCodecParameters,
  RtcpFeedback,
  RtpEncodingParameters,
  RtpHeaderExtensionUri,
  RtpHeaderExtensionParameters,
  RtcpParameters,
  RtpMapping,
} from './rtp-parameters.js';
export { RtpHeaderExtensionUris } from './rtp-parameters.js';
export type {
  TransportProtocol,
  IceParameters,
  IceCandidate,
  IceCandidateType,
  IceCandidateTcpType,
  IceRole,
  IceState,
  DtlsRole,
  DtlsState,
  FingerprintAlgorithm,
  DtlsFingerprint,
  DtlsParameters,
  TransportTuple,
  SrtpCryptoSuite,
} from './transport-parameters.js';
