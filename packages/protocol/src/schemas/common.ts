import * as v from 'valibot';

/** Opaque identifier: participants, transports, producers, consumers, chat messages. */
export const Id = v.pipe(v.string(), v.minLength(1), v.maxLength(64), v.regex(/^[A-Za-z0-9_-]+$/));
/** A display name shown to others (never logged by the server). */
export const DisplayName = v.pipe(v.string(), v.minLength(1), v.maxLength(80));
/** A host's credentials line shown in the waiting room, e.g. `Licensed clinical psychologist` (never logged). */
export const CredentialsLine = v.pipe(v.string(), v.minLength(1), v.maxLength(120));
/** A bounded base64 / base64url string (sealed payloads, keys, signatures). */
export const b64 = (max: number) => v.pipe(v.string(), v.maxLength(max), v.regex(/^[A-Za-z0-9+/_=-]*$/));
/** Unsigned 32-bit integer (SSRCs). */
export const U32 = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(0xffffffff));
export const uint = (max: number) => v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(max));
export const str = (max: number) => v.pipe(v.string(), v.maxLength(max));
/** Key/value codec parameters, e.g. `{ "profile-id": 2, "useinbandfec": 1 }`. */
export const CodecParameterMap = v.pipe(
  v.record(v.pipe(v.string(), v.maxLength(64)), v.union([v.string(), v.number(), v.boolean()])),
  v.check((o) => Object.keys(o).length <= 32, 'too many codec parameters'),
);

export const Role = v.picklist(['host', 'client', 'co-client', 'guardian', 'interpreter', 'observer']);
export const MediaKind = v.picklist(['audio', 'video']);
/** Which device a track comes from; E2EE uses it as the track label. */
export const TrackSource = v.picklist(['mic', 'cam', 'screen', 'screen-audio']);
export const Empty = v.strictObject({});

// --- mediasoup-shaped RTP / ICE / DTLS parameters -------------------------------------------------

export const RtcpFeedback = v.strictObject({ type: str(32), parameter: v.optional(str(32)) });

export const RtpCodecCapability = v.strictObject({
  kind: MediaKind,
  mimeType: v.pipe(v.string(), v.maxLength(64), v.regex(/^(audio|video)\/[A-Za-z0-9._-]+$/)),
  preferredPayloadType: v.optional(uint(127)),
  clockRate: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1_000_000)),
  channels: v.optional(uint(8)),
  parameters: v.optional(CodecParameterMap),
  rtcpFeedback: v.optional(v.pipe(v.array(RtcpFeedback), v.maxLength(16))),
});

export const RtpHeaderExtensionCapability = v.strictObject({
  kind: MediaKind,
  uri: str(256),
  preferredId: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(255)),
  preferredEncrypt: v.optional(v.boolean()),
  direction: v.optional(v.picklist(['sendrecv', 'sendonly', 'recvonly', 'inactive'])),
});

export const RtpCapabilities = v.strictObject({
  codecs: v.optional(v.pipe(v.array(RtpCodecCapability), v.maxLength(64))),
  headerExtensions: v.optional(v.pipe(v.array(RtpHeaderExtensionCapability), v.maxLength(32))),
});

export const RtpCodecParameters = v.strictObject({
  mimeType: v.pipe(v.string(), v.maxLength(64), v.regex(/^(audio|video)\/[A-Za-z0-9._-]+$/)),
  payloadType: uint(127),
  clockRate: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(1_000_000)),
  channels: v.optional(uint(8)),
  parameters: v.optional(CodecParameterMap),
  rtcpFeedback: v.optional(v.pipe(v.array(RtcpFeedback), v.maxLength(16))),
});

export const RtpHeaderExtensionParameters = v.strictObject({
  uri: str(256),
  id: v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(255)),
  encrypt: v.optional(v.boolean()),
  parameters: v.optional(CodecParameterMap),
});

const Priority = v.picklist(['very-low', 'low', 'medium', 'high']);
export const RtpEncodingParameters = v.strictObject({
  active: v.optional(v.boolean()),
  ssrc: v.optional(U32),
  rid: v.optional(v.pipe(v.string(), v.maxLength(16), v.regex(/^[A-Za-z0-9_-]+$/))),
  codecPayloadType: v.optional(uint(127)),
  rtx: v.optional(v.strictObject({ ssrc: U32 })),
  dtx: v.optional(v.boolean()),
  scalabilityMode: v.optional(v.pipe(v.string(), v.maxLength(16), v.regex(/^[LS]\d+T\d+(_KEY)?h?$/))),
  scaleResolutionDownBy: v.optional(v.pipe(v.number(), v.minValue(1), v.maxValue(64))),
  maxBitrate: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(100_000_000))),
  maxFramerate: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(240))),
  adaptivePtime: v.optional(v.boolean()),
  priority: v.optional(Priority),
  networkPriority: v.optional(Priority),
});

export const RtpParameters = v.strictObject({
  mid: v.optional(v.pipe(v.string(), v.maxLength(32), v.regex(/^[A-Za-z0-9_-]+$/))),
  codecs: v.pipe(v.array(RtpCodecParameters), v.minLength(1), v.maxLength(16)),
  headerExtensions: v.optional(v.pipe(v.array(RtpHeaderExtensionParameters), v.maxLength(32))),
  encodings: v.optional(v.pipe(v.array(RtpEncodingParameters), v.maxLength(8))),
  rtcp: v.optional(v.strictObject({ cname: v.optional(str(64)), reducedSize: v.optional(v.boolean()), mux: v.optional(v.boolean()) })),
  msid: v.optional(str(128)),
});

export const DtlsFingerprint = v.strictObject({
  algorithm: v.picklist(['sha-1', 'sha-224', 'sha-256', 'sha-384', 'sha-512']),
  value: v.pipe(v.string(), v.maxLength(200), v.regex(/^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2})+$/)),
});
export const DtlsParameters = v.strictObject({
  role: v.optional(v.picklist(['auto', 'client', 'server'])),
  fingerprints: v.pipe(v.array(DtlsFingerprint), v.minLength(1), v.maxLength(8)),
});
export const IceParameters = v.strictObject({
  usernameFragment: str(256),
  password: str(256),
  iceLite: v.optional(v.boolean()),
});
export const IceCandidate = v.strictObject({
  foundation: str(64),
  priority: U32,
  ip: str(64),
  address: v.optional(str(64)),
  protocol: v.picklist(['udp', 'tcp']),
  port: uint(65535),
  type: v.picklist(['host', 'srflx', 'prflx', 'relay']),
  tcpType: v.optional(v.picklist(['active', 'passive', 'so'])),
});
/**
 * A TURN (or STUN) server for the browser's `RTCPeerConnection` (`RTCIceServer`): short-lived
 * credentials of the TURN REST API scheme (username `<expiry>:<id>`, credential an HMAC of it).
 */
export const IceServer = v.strictObject({
  urls: v.pipe(v.array(v.pipe(v.string(), v.maxLength(256), v.regex(/^(turns?|stuns?):[^\s]+$/))), v.minLength(1), v.maxLength(8)),
  username: v.optional(str(256)),
  credential: v.optional(str(256)),
});
export const SctpCapabilities = v.strictObject({
  numStreams: v.strictObject({ OS: uint(65535), MIS: uint(65535) }),
});
