/**
 * Validation of RTP capabilities and parameters, following mediasoup's rules:
 * throw `TypeError` on malformed input, and fill optional fields with their
 * defaults in place (channels, parameters, rtcpFeedback, direction, …).
 *
 * @packageDocumentation
 */
import type {
  MediaKind,
  RtcpFeedback,
  RtcpParameters,
  RtpCapabilities,
  RtpCodecCapability,
  RtpCodecParameters,
  RtpCodecParametersMap,
  RtpEncodingParameters,
  RtpHeaderExtension,
  RtpHeaderExtensionParameters,
  RtpParameters,
} from '../types/rtp-parameters.js';

const MIME_TYPE_RE = /^(audio|video)\/(.+)/i;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * Validates {@link RtpCapabilities}, adding missing `codecs`/`headerExtensions`
 * arrays and per-entry defaults.
 *
 * @throws TypeError if the capabilities are malformed.
 */
export function validateRtpCapabilities(caps: RtpCapabilities): void {
  if (!isObject(caps)) throw new TypeError('caps is not an object');
  if (caps.codecs !== undefined && caps.codecs !== null && !Array.isArray(caps.codecs)) {
    throw new TypeError('caps.codecs is not an array');
  }
  caps.codecs ??= [];
  for (const codec of caps.codecs) validateRtpCodecCapability(codec);

  if (caps.headerExtensions !== undefined && caps.headerExtensions !== null && !Array.isArray(caps.headerExtensions)) {
    throw new TypeError('caps.headerExtensions is not an array');
  }
  caps.headerExtensions ??= [];
  for (const ext of caps.headerExtensions) validateRtpHeaderExtension(ext);
}

/**
 * Validates {@link RtpParameters}, adding missing `headerExtensions`,
 * `encodings` and `rtcp` and per-entry defaults.
 *
 * @throws TypeError if the parameters are malformed.
 */
export function validateRtpParameters(params: RtpParameters): void {
  if (!isObject(params)) throw new TypeError('params is not an object');
  if (params.mid !== undefined && typeof params.mid !== 'string') {
    throw new TypeError('params.mid is not a string');
  }
  if (!Array.isArray(params.codecs)) throw new TypeError('missing params.codecs');
  for (const codec of params.codecs) validateRtpCodecParameters(codec);

  if (params.headerExtensions !== undefined && params.headerExtensions !== null && !Array.isArray(params.headerExtensions)) {
    throw new TypeError('params.headerExtensions is not an array');
  }
  params.headerExtensions ??= [];
  for (const ext of params.headerExtensions) validateRtpHeaderExtensionParameters(ext);

  if (params.encodings !== undefined && params.encodings !== null && !Array.isArray(params.encodings)) {
    throw new TypeError('params.encodings is not an array');
  }
  params.encodings ??= [];
  for (const encoding of params.encodings) validateRtpEncodingParameters(encoding);

  if (params.rtcp !== undefined && params.rtcp !== null && !isObject(params.rtcp)) {
    throw new TypeError('params.rtcp is not an object');
  }
  params.rtcp ??= {};
  validateRtcpParameters(params.rtcp);
}

function validateCodecParametersMap(codec: { parameters?: RtpCodecParametersMap }): void {
  if (!isObject(codec.parameters)) codec.parameters = {};
  const parameters = codec.parameters;
  for (const key of Object.keys(parameters)) {
    let value: unknown = parameters[key];
    if (value === undefined) {
      parameters[key] = '';
      value = '';
    }
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new TypeError(`invalid codec parameter [key:${key}]`);
    }
    if (key === 'apt' && typeof value !== 'number') {
      throw new TypeError('invalid codec apt parameter');
    }
  }
}

function validateRtcpFeedbackList(codec: { rtcpFeedback?: RtcpFeedback[] }): void {
  if (!Array.isArray(codec.rtcpFeedback)) codec.rtcpFeedback = [];
  for (const fb of codec.rtcpFeedback) validateRtcpFeedback(fb);
}

/** Checks the MIME type and returns its kind. */
function codecKind(codec: { mimeType?: unknown }): MediaKind {
  if (!codec.mimeType || typeof codec.mimeType !== 'string') throw new TypeError('missing codec.mimeType');
  const match = MIME_TYPE_RE.exec(codec.mimeType);
  if (!match) throw new TypeError('invalid codec.mimeType');
  return match[1]!.toLowerCase() as MediaKind;
}

/** Shared tail of codec validation: `channels` (1 by default for audio, none for video), parameters, feedback. */
function finishCodec(
  codec: { channels?: number; parameters?: RtpCodecParametersMap; rtcpFeedback?: RtcpFeedback[] },
  kind: MediaKind,
): void {
  if (kind === 'audio') {
    if (typeof codec.channels !== 'number') codec.channels = 1;
  } else {
    delete codec.channels;
  }
  validateCodecParametersMap(codec);
  validateRtcpFeedbackList(codec);
}

/**
 * Validates one {@link RtpCodecCapability}; sets `kind` from the MIME type,
 * defaults `channels` to 1 for audio (and removes it for video).
 *
 * @throws TypeError if the codec is malformed.
 */
export function validateRtpCodecCapability(codec: RtpCodecCapability): void {
  if (!isObject(codec)) throw new TypeError('codec is not an object');
  codec.kind = codecKind(codec);

  if (codec.preferredPayloadType !== undefined && typeof codec.preferredPayloadType !== 'number') {
    throw new TypeError('invalid codec.preferredPayloadType');
  }
  if (typeof codec.clockRate !== 'number') throw new TypeError('missing codec.clockRate');
  finishCodec(codec, codec.kind);
}

/**
 * Validates one {@link RtcpFeedback}; sets a missing `parameter` to `''`.
 *
 * @throws TypeError if malformed.
 */
export function validateRtcpFeedback(fb: RtcpFeedback): void {
  if (!isObject(fb)) throw new TypeError('fb is not an object');
  if (!fb.type || typeof fb.type !== 'string') throw new TypeError('missing fb.type');
  if (!fb.parameter || typeof fb.parameter !== 'string') fb.parameter = '';
}

/**
 * Validates one {@link RtpHeaderExtension}; defaults `preferredEncrypt` to
 * false and `direction` to `'sendrecv'`.
 *
 * @throws TypeError if malformed.
 */
export function validateRtpHeaderExtension(ext: RtpHeaderExtension): void {
  if (!isObject(ext)) throw new TypeError('ext is not an object');
  if (ext.kind !== 'audio' && ext.kind !== 'video') throw new TypeError('invalid ext.kind');
  if (!ext.uri || typeof ext.uri !== 'string') throw new TypeError('missing ext.uri');
  if (typeof ext.preferredId !== 'number') throw new TypeError('missing ext.preferredId');
  if (ext.preferredEncrypt !== undefined && typeof ext.preferredEncrypt !== 'boolean') {
    throw new TypeError('invalid ext.preferredEncrypt');
  }
  ext.preferredEncrypt ??= false;
  if (ext.direction !== undefined && typeof ext.direction !== 'string') {
    throw new TypeError('invalid ext.direction');
  }
  if (!ext.direction) ext.direction = 'sendrecv';
}

/**
 * Validates one {@link RtpCodecParameters}; defaults `channels` (audio),
 * `parameters` and `rtcpFeedback`.
 *
 * @throws TypeError if malformed.
 */
export function validateRtpCodecParameters(codec: RtpCodecParameters): void {
  if (!isObject(codec)) throw new TypeError('codec is not an object');
  const kind = codecKind(codec);
  if (typeof codec.payloadType !== 'number') throw new TypeError('missing codec.payloadType');
  if (typeof codec.clockRate !== 'number') throw new TypeError('missing codec.clockRate');
  finishCodec(codec, kind);
}

/**
 * Validates one {@link RtpHeaderExtensionParameters}; defaults `encrypt` and
 * `parameters`.
 *
 * @throws TypeError if malformed.
 */
export function validateRtpHeaderExtensionParameters(ext: RtpHeaderExtensionParameters): void {
  if (!isObject(ext)) throw new TypeError('ext is not an object');
  if (!ext.uri || typeof ext.uri !== 'string') throw new TypeError('missing ext.uri');
  if (typeof ext.id !== 'number') throw new TypeError('missing ext.id');
  if (ext.encrypt !== undefined && typeof ext.encrypt !== 'boolean') {
    throw new TypeError('invalid ext.encrypt');
  }
  ext.encrypt ??= false;
  if (!isObject(ext.parameters)) ext.parameters = {};
  const parameters = ext.parameters;
  for (const key of Object.keys(parameters)) {
    let value: unknown = parameters[key];
    if (value === undefined) {
      parameters[key] = '';
      value = '';
    }
    if (typeof value !== 'string' && typeof value !== 'number') {
      throw new TypeError('invalid header extension parameter');
    }
  }
}

/**
 * Validates one {@link RtpEncodingParameters}; defaults `dtx` to false.
 *
 * @throws TypeError if malformed.
 */
export function validateRtpEncodingParameters(encoding: RtpEncodingParameters): void {
  if (!isObject(encoding)) throw new TypeError('encoding is not an object');
  if (encoding.ssrc !== undefined && typeof encoding.ssrc !== 'number') {
    throw new TypeError('invalid encoding.ssrc');
  }
  if (encoding.rid !== undefined && typeof encoding.rid !== 'string') {
    throw new TypeError('invalid encoding.rid');
  }
  if (encoding.rtx !== undefined) {
    if (!isObject(encoding.rtx)) throw new TypeError('invalid encoding.rtx');
    if (typeof encoding.rtx.ssrc !== 'number') throw new TypeError('missing encoding.rtx.ssrc');
  }
  if (typeof encoding.dtx !== 'boolean') encoding.dtx = false;
  if (encoding.scalabilityMode !== undefined && typeof encoding.scalabilityMode !== 'string') {
    throw new TypeError('invalid encoding.scalabilityMode');
  }
}

/**
 * Validates {@link RtcpParameters}; defaults `reducedSize` to true.
 *
 * @throws TypeError if malformed.
 */
export function validateRtcpParameters(rtcp: RtcpParameters): void {
  if (!isObject(rtcp)) throw new TypeError('rtcp is not an object');
  if (rtcp.cname !== undefined && typeof rtcp.cname !== 'string') {
    throw new TypeError('invalid rtcp.cname');
  }
  if (typeof rtcp.reducedSize !== 'boolean') rtcp.reducedSize = true;
}
