/**
 * RTP parameter and capability shapes, identical to mediasoup's server-side
 * `RtpParameters.ts` (and to the client side in mediasoup-client), so values
 * can pass between the engine, the signalling layer and mediasoup-client as-is.
 *
 * @packageDocumentation
 */

/** Media kind of a codec, header extension, producer or consumer. */
export type MediaKind = 'audio' | 'video';

/**
 * The RTP capabilities of an endpoint (router or remote device): the codecs
 * and header extensions it can receive or send.
 */
export type RtpCapabilities = {
  /** Supported media and RTX codecs. */
  codecs?: RtpCodecCapability[];
  /** Supported RTP header extensions. */
  headerExtensions?: RtpHeaderExtension[];
};

/**
 * Codec-specific parameters (the `a=fmtp` values), e.g. `{ apt: 101 }` for RTX
 * or `{ 'packetization-mode': 1, 'profile-level-id': '42e01f' }` for H.264.
 * Values are strings or numbers (mediasoup types this as `any`).
 */
// biome-ignore lint/suspicious/noExplicitAny: mediasoup's type, kept so its users' code compiles unchanged.
export type RtpCodecParametersMap = Record<string, any>;

/** A codec an endpoint supports, as listed in its {@link RtpCapabilities}. */
export type RtpCodecCapability = {
  /** Media kind (taken from the mimeType's type). */
  kind: MediaKind;
  /** The codec MIME type, e.g. `'audio/opus'`, `'video/VP8'`. */
  mimeType: string;
  /** The preferred RTP payload type. */
  preferredPayloadType?: number;
  /** Codec clock rate in Hz. */
  clockRate: number;
  /** Number of audio channels (audio only; default 1). */
  channels?: number;
  /** Codec-specific parameters. */
  parameters?: RtpCodecParametersMap;
  /** Supported RTCP feedback mechanisms. */
  rtcpFeedback?: RtcpFeedback[];
};

/** Direction of an RTP header extension from the router's point of view. */
export type RtpHeaderExtensionDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

/** An RTP header extension an endpoint supports. */
export type RtpHeaderExtension = {
  /** Media kind it applies to. */
  kind: MediaKind;
  /** The extension URI. */
  uri: RtpHeaderExtensionUri;
  /** Preferred numeric id in RTP packets. */
  preferredId: number;
  /** Whether the extension should be encrypted (RFC 6904); default false. */
  preferredEncrypt?: boolean;
  /** Direction; default `'sendrecv'`. */
  direction?: RtpHeaderExtensionDirection;
};

/** The RTP send/receive parameters of a producer or consumer. */
export type RtpParameters = {
  /** The MID RTP extension value (as in SDP `a=mid`). */
  mid?: string;
  /** Media and RTX codecs in use, preferred first. */
  codecs: RtpCodecParameters[];
  /** RTP header extensions in use. */
  headerExtensions?: RtpHeaderExtensionParameters[];
  /** Encodings (streams) sent or received. */
  encodings?: RtpEncodingParameters[];
  /** RTCP parameters. */
  rtcp?: RtcpParameters;
  /** MSID (stream id and track id) for consumers, as in SDP `a=msid`. */
  msid?: string;
};

/** A codec in use within {@link RtpParameters}. */
export type RtpCodecParameters = {
  /** The codec MIME type, e.g. `'video/VP8'`. */
  mimeType: string;
  /** RTP payload type. */
  payloadType: number;
  /** Clock rate in Hz. */
  clockRate: number;
  /** Number of audio channels (audio only; default 1). */
  channels?: number;
  /** Codec-specific parameters. */
  parameters?: RtpCodecParametersMap;
  /** RTCP feedback in use with this codec. */
  rtcpFeedback?: RtcpFeedback[];
};

/** An RTCP feedback mechanism, e.g. `{type:'nack', parameter:'pli'}`. */
export type RtcpFeedback = {
  /** Feedback type: `nack`, `ccm`, `goog-remb`, `transport-cc`. */
  type: string;
  /** Feedback parameter, e.g. `pli` or `fir`; `''` when none. */
  parameter?: string;
};

/** One encoding (RTP stream) of a producer or consumer. */
export type RtpEncodingParameters = {
  /** Whether the encoding is being sent (client side). */
  active?: boolean;
  /** The media SSRC. */
  ssrc?: number;
  /** The RID (simulcast stream id) RTP extension value. */
  rid?: string;
  /** Codec payload type this encoding uses. */
  codecPayloadType?: number;
  /** RTX stream information. */
  rtx?: { ssrc: number };
  /** Whether discontinuous transmission is used (audio). */
  dtx?: boolean;
  /** Number of spatial and temporal layers, e.g. `'L1T3'`. */
  scalabilityMode?: string;
  /** Spatial down-scaling factor (client side). */
  scaleResolutionDownBy?: number;
  /** Maximum bitrate in bps. */
  maxBitrate?: number;
  /** Maximum frame rate (client side). */
  maxFramerate?: number;
  /** Adaptive ptime (client side, audio). */
  adaptivePtime?: boolean;
  /** Sender priority (client side). */
  priority?: 'very-low' | 'low' | 'medium' | 'high';
  /** Network priority (client side). */
  networkPriority?: 'very-low' | 'low' | 'medium' | 'high';
};

/** URIs of the RTP header extensions mediasoup knows. */
export type RtpHeaderExtensionUri =
  | 'urn:ietf:params:rtp-hdrext:sdes:mid'
  | 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id'
  | 'urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id'
  | 'http://tools.ietf.org/html/draft-ietf-avtext-framemarking-07'
  | 'urn:ietf:params:rtp-hdrext:framemarking'
  | 'urn:ietf:params:rtp-hdrext:ssrc-audio-level'
  | 'urn:3gpp:video-orientation'
  | 'urn:ietf:params:rtp-hdrext:toffset'
  | 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01'
  | 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time'
  | 'http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time'
  | 'http://www.webrtc.org/experiments/rtp-hdrext/playout-delay'
  | 'https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension'
  | 'urn:mediasoup:params:rtp-hdrext:packet-id';

/** The well-known header extension URIs, by short name. */
export const RtpHeaderExtensionUris = {
  mid: 'urn:ietf:params:rtp-hdrext:sdes:mid',
  rid: 'urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id',
  repairedRid: 'urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id',
  absSendTime: 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time',
  transportWideCc: 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01',
  audioLevel: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level',
  videoOrientation: 'urn:3gpp:video-orientation',
  toffset: 'urn:ietf:params:rtp-hdrext:toffset',
  absCaptureTime: 'http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time',
  playoutDelay: 'http://www.webrtc.org/experiments/rtp-hdrext/playout-delay',
} as const satisfies Record<string, RtpHeaderExtensionUri>;

/** A header extension in use within {@link RtpParameters}. */
export type RtpHeaderExtensionParameters = {
  /** The extension URI. */
  uri: RtpHeaderExtensionUri;
  /** Numeric id used in RTP packets. */
  id: number;
  /** Whether it is encrypted; default false. */
  encrypt?: boolean;
  /** Extension-specific parameters. */
  parameters?: RtpCodecParametersMap;
};

/** RTCP parameters of a producer or consumer. */
export type RtcpParameters = {
  /** The CNAME used in RTCP SDES. */
  cname?: string;
  /** Whether reduced-size RTCP (RFC 5506) is used; default true. */
  reducedSize?: boolean;
  /** Whether RTCP is multiplexed with RTP (client side; always true here). */
  mux?: boolean;
};

/**
 * How a producer's payload types and SSRCs map onto the router's: built by
 * `getProducerRtpParametersMapping()` and used to rewrite incoming packets.
 */
export type RtpMapping = {
  /** Producer payload type → router payload type. */
  codecs: { payloadType: number; mappedPayloadType: number }[];
  /** Producer encoding (by SSRC or RID) → router-side SSRC. */
  encodings: { ssrc?: number; rid?: string; scalabilityMode?: string; mappedSsrc: number }[];
};
