/**
 * mediasoup's ORTC rules: router capabilities from media codecs, producer
 * parameter mapping, consumable parameters, and per-consumer parameters.
 * Function names and behaviour follow mediasoup's `ortc.ts`.
 *
 * @packageDocumentation
 */
import { randomInt } from 'node:crypto';
import type {
  MediaKind,
  RtpCapabilities,
  RtpCodecCapability,
  RtpCodecParameters,
  RtpEncodingParameters,
  RtpHeaderExtensionUri,
  RtpMapping,
  RtpParameters,
} from '../types/rtp-parameters.js';
import { UnsupportedError } from './errors.js';
import { isRtxCodec, matchCodecs } from './match-codecs.js';
import { supportedRtpCapabilities } from './supported-rtp-capabilities.js';
import { validateRtpCapabilities, validateRtpCodecCapability } from './validate.js';

/** Dynamic payload types in mediasoup's allocation order (100–127, then 96–99). */
export const DYNAMIC_PAYLOAD_TYPES: readonly number[] = [
  100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 113, 114, 115, 116, 117, 118, 119, 120, 121, 122, 123, 124, 125, 126,
  127, 96, 97, 98, 99,
];

const TWCC_URI: RtpHeaderExtensionUri = 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';
const ABS_SEND_TIME_URI: RtpHeaderExtensionUri = 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time';

/** A random SSRC in mediasoup's range (100000000–999999999). */
export function generateRandomSsrc(): number {
  return randomInt(100_000_000, 1_000_000_000);
}

/** Options of {@link generateRouterRtpCapabilities} (an Alcove addition; mediasoup has none). */
export type GenerateRouterRtpCapabilitiesOptions = {
  /**
   * Advertise transport-wide congestion control (the header extension and the
   * `transport-cc` feedback). Default true, as in mediasoup. An engine that does
   * not yet send TWCC feedback passes false, so browsers fall back to REMB.
   */
  transportCc?: boolean;
};

/**
 * Builds a router's RTP capabilities from the media codecs it should offer:
 * each codec is matched against {@link supportedRtpCapabilities}, gets its
 * `preferredPayloadType` (kept if given, else the next free dynamic one), and
 * every video codec gets an RTX codec (`apt` = its payload type).
 *
 * @example
 * ```ts
 * const caps = generateRouterRtpCapabilities([
 *   { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
 *   { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
 * ]); // opus 100, VP8 101, rtx 102 (apt 101)
 * ```
 * @throws TypeError on malformed codecs or duplicated payload types.
 * @throws UnsupportedError for a codec the engine does not support.
 */
export function generateRouterRtpCapabilities(
  mediaCodecs: RtpCodecCapability[] = [],
  options: GenerateRouterRtpCapabilitiesOptions = {},
): RtpCapabilities {
  if (!Array.isArray(mediaCodecs)) throw new TypeError('mediaCodecs must be an Array');
  const transportCc = options.transportCc ?? true;
  const supported = structuredClone(supportedRtpCapabilities);
  validateRtpCapabilities(supported);
  const dynamic = [...DYNAMIC_PAYLOAD_TYPES];
  const caps: RtpCapabilities = {
    codecs: [],
    headerExtensions: supported.headerExtensions!.filter((ext) => transportCc || ext.uri !== TWCC_URI),
  };
  const codecs = caps.codecs!;

  for (const mediaCodec of mediaCodecs) {
    validateRtpCodecCapability(mediaCodec);
    const matched = supported.codecs!.find((c) => matchCodecs(mediaCodec, c, { strict: false }));
    if (!matched) throw new UnsupportedError(`media codec not supported [mimeType:${mediaCodec.mimeType}]`);
    const codec = structuredClone(matched);

    if (typeof mediaCodec.preferredPayloadType === 'number') {
      codec.preferredPayloadType = mediaCodec.preferredPayloadType;
      const idx = dynamic.indexOf(codec.preferredPayloadType);
      if (idx > -1) dynamic.splice(idx, 1);
    } else if (typeof codec.preferredPayloadType !== 'number') {
      const pt = dynamic.shift();
      if (pt === undefined) throw new Error('cannot allocate more dynamic codec payload types');
      codec.preferredPayloadType = pt;
    }
    if (codecs.some((c) => c.preferredPayloadType === codec.preferredPayloadType)) {
      throw new TypeError('duplicated codec.preferredPayloadType');
    }
    codec.parameters = { ...codec.parameters, ...mediaCodec.parameters };
    if (!transportCc) codec.rtcpFeedback = codec.rtcpFeedback!.filter((fb) => fb.type !== 'transport-cc');
    codecs.push(codec);

    if (codec.kind === 'video') {
      const pt = dynamic.shift();
      if (pt === undefined) throw new Error('cannot allocate more dynamic codec payload types');
      codecs.push({
        kind: codec.kind,
        mimeType: `${codec.kind}/rtx`,
        preferredPayloadType: pt,
        clockRate: codec.clockRate,
        parameters: { apt: codec.preferredPayloadType },
        rtcpFeedback: [],
      });
    }
  }
  return caps;
}

/**
 * Maps a producer's payload types and encodings onto the router's: each media
 * codec to the matching router codec (strict match, H.264 profile-level-id
 * negotiated in place), each RTX codec to the router's RTX for that codec, and
 * each encoding to a fresh consecutive router-side SSRC.
 *
 * @throws UnsupportedError if a codec or its RTX is not in `caps`.
 * @throws TypeError if an RTX codec's `apt` names no codec in `params`.
 */
export function getProducerRtpParametersMapping(params: RtpParameters, caps: RtpCapabilities): RtpMapping {
  const rtpMapping: RtpMapping = { codecs: [], encodings: [] };
  const capCodecs = caps.codecs ?? [];
  const codecToCapCodec = new Map<RtpCodecParameters, RtpCodecCapability>();

  for (const codec of params.codecs) {
    if (isRtxCodec(codec)) continue;
    const matched = capCodecs.find((cap) => matchCodecs(codec, cap, { strict: true, modify: true }));
    if (!matched) {
      throw new UnsupportedError(`unsupported codec [mimeType:${codec.mimeType}, payloadType:${codec.payloadType}]`);
    }
    codecToCapCodec.set(codec, matched);
  }

  for (const codec of params.codecs) {
    if (!isRtxCodec(codec)) continue;
    const media = params.codecs.find((c) => c.payloadType === codec.parameters?.['apt']);
    if (!media) throw new TypeError(`missing media codec found for RTX PT ${codec.payloadType}`);
    const capMedia = codecToCapCodec.get(media);
    const capRtx = capCodecs.find((cap) => isRtxCodec(cap) && cap.parameters?.['apt'] === capMedia?.preferredPayloadType);
    if (!capRtx) throw new UnsupportedError(`no RTX codec for capability codec PT ${capMedia?.preferredPayloadType}`);
    codecToCapCodec.set(codec, capRtx);
  }

  for (const [codec, capCodec] of codecToCapCodec) {
    rtpMapping.codecs.push({ payloadType: codec.payloadType, mappedPayloadType: capCodec.preferredPayloadType! });
  }

  let mappedSsrc = generateRandomSsrc();
  for (const encoding of params.encodings ?? []) {
    const mapped: RtpMapping['encodings'][number] = { mappedSsrc: mappedSsrc++ };
    if (encoding.rid) mapped.rid = encoding.rid;
    if (encoding.ssrc) mapped.ssrc = encoding.ssrc;
    if (encoding.scalabilityMode) mapped.scalabilityMode = encoding.scalabilityMode;
    rtpMapping.encodings.push(mapped);
  }
  return rtpMapping;
}

/**
 * The router-side ("consumable") RTP parameters of a producer: router payload
 * types with the producer's codec parameters, router RTX codecs, the router's
 * header extensions for this kind usable towards consumers (sendrecv/sendonly),
 * encodings with the mapped SSRCs, and reduced-size RTCP with the producer's
 * CNAME.
 */
export function getConsumableRtpParameters(
  kind: MediaKind | string,
  params: RtpParameters,
  caps: RtpCapabilities,
  rtpMapping: RtpMapping,
): RtpParameters {
  const consumable: RtpParameters = { codecs: [], headerExtensions: [], encodings: [], rtcp: {} };
  const capCodecs = caps.codecs ?? [];

  for (const codec of params.codecs) {
    if (isRtxCodec(codec)) continue;
    const entry = rtpMapping.codecs.find((e) => e.payloadType === codec.payloadType);
    if (!entry) throw new TypeError(`no mapping for payload type ${codec.payloadType}`);
    const matched = capCodecs.find((cap) => cap.preferredPayloadType === entry.mappedPayloadType);
    if (!matched) throw new TypeError(`no router codec for payload type ${entry.mappedPayloadType}`);
    const consumableCodec: RtpCodecParameters = {
      mimeType: matched.mimeType,
      payloadType: matched.preferredPayloadType!,
      clockRate: matched.clockRate,
      parameters: codec.parameters ?? {},
      rtcpFeedback: matched.rtcpFeedback ?? [],
    };
    if (matched.channels !== undefined) consumableCodec.channels = matched.channels;
    consumable.codecs.push(consumableCodec);

    const capRtx = capCodecs.find((cap) => isRtxCodec(cap) && cap.parameters?.['apt'] === consumableCodec.payloadType);
    if (capRtx) {
      consumable.codecs.push({
        mimeType: capRtx.mimeType,
        payloadType: capRtx.preferredPayloadType!,
        clockRate: capRtx.clockRate,
        parameters: capRtx.parameters ?? {},
        rtcpFeedback: capRtx.rtcpFeedback ?? [],
      });
    }
  }

  for (const capExt of caps.headerExtensions ?? []) {
    if (capExt.kind !== kind || (capExt.direction !== 'sendrecv' && capExt.direction !== 'sendonly')) continue;
    consumable.headerExtensions!.push({
      uri: capExt.uri,
      id: capExt.preferredId,
      encrypt: capExt.preferredEncrypt ?? false,
      parameters: {},
    });
  }

  const encodings = structuredClone(params.encodings ?? []);
  for (let i = 0; i < encodings.length; i++) {
    const encoding = encodings[i]!;
    const mapped = rtpMapping.encodings[i];
    if (!mapped) throw new TypeError(`no mapping for encoding ${i}`);
    delete encoding.rid;
    delete encoding.rtx;
    delete encoding.codecPayloadType;
    encoding.ssrc = mapped.mappedSsrc;
    consumable.encodings!.push(encoding);
  }

  consumable.rtcp = { reducedSize: true };
  if (params.rtcp?.cname !== undefined) consumable.rtcp.cname = params.rtcp.cname;
  return consumable;
}

/**
 * Whether an endpoint with `caps` can consume a producer with these consumable
 * parameters: true if the first codec both support is a media codec.
 *
 * @throws TypeError if `caps` is malformed.
 */
export function canConsume(consumableParams: RtpParameters, caps: RtpCapabilities): boolean {
  validateRtpCapabilities(caps);
  const matching = consumableParams.codecs.filter((codec) => caps.codecs!.some((cap) => matchCodecs(cap, codec, { strict: true })));
  const first = matching[0];
  return first !== undefined && !isRtxCodec(first);
}

/** Arguments of {@link getConsumerRtpParameters}. */
export type GetConsumerRtpParametersOptions = {
  /** The producer's consumable parameters. */
  consumableRtpParameters: RtpParameters;
  /** The consuming endpoint's RTP capabilities. */
  remoteRtpCapabilities: RtpCapabilities;
  /** Pipe consumer: keep all encodings. */
  pipe: boolean;
  /** Whether RTX (and plain NACK feedback) is offered. */
  enableRtx: boolean;
};

/**
 * The RTP parameters of one consumer: the consumable codecs the remote
 * supports (with the remote's feedback, RTX kept only if its media codec is
 * kept), header extensions the remote supports at the same id, BWE feedback
 * reduced to transport-cc or REMB, and a single encoding with a fresh SSRC
 * (+1 for RTX), scalability mode and max bitrate (all encodings for pipes).
 *
 * @throws UnsupportedError if no media codec is compatible.
 * @throws TypeError if the remote capabilities are malformed.
 */
export function getConsumerRtpParameters({
  consumableRtpParameters,
  remoteRtpCapabilities,
  pipe,
  enableRtx,
}: GetConsumerRtpParametersOptions): RtpParameters {
  const consumerParams: RtpParameters = { codecs: [], headerExtensions: [], encodings: [] };
  if (consumableRtpParameters.rtcp !== undefined) consumerParams.rtcp = consumableRtpParameters.rtcp;
  const remoteCodecs = remoteRtpCapabilities.codecs ?? [];
  for (const capCodec of remoteCodecs) validateRtpCodecCapability(capCodec);

  for (const codec of structuredClone(consumableRtpParameters.codecs)) {
    if (!enableRtx && isRtxCodec(codec)) continue;
    const matched = remoteCodecs.find((cap) => matchCodecs(cap, codec, { strict: true }));
    if (!matched) continue;
    codec.rtcpFeedback = (matched.rtcpFeedback ?? []).filter((fb) => enableRtx || fb.type !== 'nack' || Boolean(fb.parameter));
    consumerParams.codecs.push(codec);
  }

  let rtxSupported = false;
  for (let idx = consumerParams.codecs.length - 1; idx >= 0; idx--) {
    const codec = consumerParams.codecs[idx]!;
    if (!isRtxCodec(codec)) continue;
    if (consumerParams.codecs.some((m) => m.payloadType === codec.parameters?.['apt'])) rtxSupported = true;
    else consumerParams.codecs.splice(idx, 1);
  }

  const first = consumerParams.codecs[0];
  if (first === undefined || isRtxCodec(first)) throw new UnsupportedError('no compatible media codecs');

  const remoteExts = remoteRtpCapabilities.headerExtensions ?? [];
  consumerParams.headerExtensions = (consumableRtpParameters.headerExtensions ?? []).filter((ext) =>
    remoteExts.some((cap) => cap.preferredId === ext.id && cap.uri === ext.uri),
  );

  const exts = consumerParams.headerExtensions;
  let drop: (type: string) => boolean;
  if (exts.some((e) => e.uri === TWCC_URI)) drop = (t) => t === 'goog-remb';
  else if (exts.some((e) => e.uri === ABS_SEND_TIME_URI)) drop = (t) => t === 'transport-cc';
  else drop = (t) => t === 'transport-cc' || t === 'goog-remb';
  for (const codec of consumerParams.codecs) {
    codec.rtcpFeedback = (codec.rtcpFeedback ?? []).filter((fb) => !drop(fb.type));
  }

  const consumableEncodings = consumableRtpParameters.encodings ?? [];
  if (!pipe) {
    const encoding: RtpEncodingParameters = { ssrc: generateRandomSsrc() };
    if (rtxSupported) encoding.rtx = { ssrc: encoding.ssrc! + 1 };
    let scalabilityMode = consumableEncodings.find((e) => e.scalabilityMode)?.scalabilityMode;
    if (consumableEncodings.length > 1) {
      const temporal = /^[LS]\d+T(\d+)/.exec(scalabilityMode ?? '')?.[1] ?? '1';
      scalabilityMode = `L${consumableEncodings.length}T${temporal}`;
    }
    if (scalabilityMode) encoding.scalabilityMode = scalabilityMode;
    const maxBitrate = consumableEncodings.reduce((max, e) => (e.maxBitrate && e.maxBitrate > max ? e.maxBitrate : max), 0);
    if (maxBitrate) encoding.maxBitrate = maxBitrate;
    consumerParams.encodings!.push(encoding);
  } else {
    const baseSsrc = generateRandomSsrc();
    const baseRtxSsrc = generateRandomSsrc();
    structuredClone(consumableEncodings).forEach((encoding, i) => {
      encoding.ssrc = baseSsrc + i;
      if (rtxSupported) encoding.rtx = { ssrc: baseRtxSsrc + i };
      else delete encoding.rtx;
      consumerParams.encodings!.push(encoding);
    });
  }
  return consumerParams;
}
