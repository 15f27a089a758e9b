/**
 * Router codecs per room kind and the checks run on every client-supplied RTP parameter set before
 * it reaches the engine (E2EE.md §7: Opus, VP8, VP9 in E2EE rooms; no H.264 there).
 * @packageDocumentation
 */
import type { DtlsParameters, ErrorCode, MediaKind, RtpCapabilities, RtpParameters } from '@alcove/protocol';
import type { EngineCodecCapability } from './engine-types.js';

const OPUS: Readonly<EngineCodecCapability> = { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 };
const VP8: Readonly<EngineCodecCapability> = { kind: 'video', mimeType: 'video/VP8', clockRate: 90000, parameters: {} };
const VP9: EngineCodecCapability = { kind: 'video', mimeType: 'video/VP9', clockRate: 90000, parameters: { 'profile-id': 0 } };
const H264: EngineCodecCapability = {
  kind: 'video',
  mimeType: 'video/H264',
  clockRate: 90000,
  parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f', 'level-asymmetry-allowed': 1 },
};

/** The header extension that tells the server who speaks and how loudly; dropped in 1:1 rooms. */
export const AUDIO_LEVEL_URI = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';

/** Router codecs for a room: Opus, VP8, VP9, plus H.264 only when the room does not require E2EE. */
export function routerCodecs(e2eeRequired: boolean): readonly EngineCodecCapability[] {
  return e2eeRequired ? [OPUS, VP8, VP9] : [OPUS, VP8, VP9, H264];
}

/** Mime types (lower case) a producer may use in a room, RTX included. */
export function allowedMimeTypes(e2eeRequired: boolean): ReadonlySet<string> {
  const set = new Set(routerCodecs(e2eeRequired).map((c) => c.mimeType.toLowerCase()));
  set.add('video/rtx');
  return set;
}

/** A failed check: a wire error code and a developer message that never echoes client values. */
export interface CheckFailure {
  readonly code: ErrorCode;
  readonly message: string;
}

/**
 * Checks producer RTP parameters beyond what the protocol schema bounds: codec support in this
 * room, kind consistency, unique payload types, SSRCs and header-extension ids, references between
 * encodings and codecs. Returns `undefined` when the parameters may go to the engine.
 */
export function checkProducerParameters(kind: MediaKind, rtp: RtpParameters, e2eeRequired: boolean): CheckFailure | undefined {
  const allowed = allowedMimeTypes(e2eeRequired);
  const pts = new Set<number>();
  let media = 0;
  for (const codec of rtp.codecs) {
    const mime = codec.mimeType.toLowerCase();
    const [prefix, name] = mime.split('/');
    if (prefix !== kind) return { code: 'UNSUPPORTED_CODEC', message: 'codec kind does not match the producer kind' };
    if (!allowed.has(mime)) {
      if (name === 'h264' && e2eeRequired) return { code: 'UNSUPPORTED_CODEC', message: 'H.264 is not available in E2EE rooms' };
      return { code: 'UNSUPPORTED_CODEC', message: 'codec not supported by the router' };
    }
    if (pts.has(codec.payloadType)) return { code: 'INVALID_MESSAGE', message: 'duplicate payload type' };
    if (codec.payloadType < 35 || codec.payloadType > 127 || (codec.payloadType >= 64 && codec.payloadType <= 95)) {
      // 0..34 are static types; 64..95 collide with RTCP packet types under rtcp-mux.
      return { code: 'INVALID_MESSAGE', message: 'payload type outside the dynamic range' };
    }
    pts.add(codec.payloadType);
    if (name === 'rtx') {
      const apt = codec.parameters?.['apt'];
      if (typeof apt !== 'number' && typeof apt !== 'string') return { code: 'INVALID_MESSAGE', message: 'rtx codec without apt' };
    } else {
      media++;
      const expectedClock = kind === 'audio' ? 48000 : 90000;
      if (codec.clockRate !== expectedClock) return { code: 'UNSUPPORTED_CODEC', message: 'unexpected clock rate' };
    }
  }
  if (media === 0) return { code: 'UNSUPPORTED_CODEC', message: 'no media codec' };
  for (const codec of rtp.codecs) {
    if (codec.mimeType.toLowerCase() !== 'video/rtx') continue;
    const apt = Number(codec.parameters?.['apt']);
    if (!pts.has(apt)) return { code: 'INVALID_MESSAGE', message: 'rtx apt does not name a codec' };
  }
  const extIds = new Set<number>();
  for (const ext of rtp.headerExtensions ?? []) {
    if (ext.id > 14 && ext.id < 16) return { code: 'INVALID_MESSAGE', message: 'header extension id 15 is reserved' };
    if (extIds.has(ext.id)) return { code: 'INVALID_MESSAGE', message: 'duplicate header extension id' };
    extIds.add(ext.id);
  }
  const ssrcs = new Set<number>();
  const rids = new Set<string>();
  const encodings = rtp.encodings ?? [];
  if (encodings.length === 0) return { code: 'INVALID_MESSAGE', message: 'at least one encoding is required' };
  for (const enc of encodings) {
    if (enc.ssrc === undefined && enc.rid === undefined) return { code: 'INVALID_MESSAGE', message: 'encoding needs ssrc or rid' };
    for (const s of [enc.ssrc, enc.rtx?.ssrc]) {
      if (s === undefined) continue;
      if (s === 0 || ssrcs.has(s)) return { code: 'INVALID_MESSAGE', message: 'duplicate or zero ssrc' };
      ssrcs.add(s);
    }
    if (enc.rid !== undefined) {
      if (rids.has(enc.rid)) return { code: 'INVALID_MESSAGE', message: 'duplicate rid' };
      rids.add(enc.rid);
    }
    if (enc.codecPayloadType !== undefined && !pts.has(enc.codecPayloadType)) {
      return { code: 'INVALID_MESSAGE', message: 'encoding names an unknown payload type' };
    }
  }
  return undefined;
}

/** Returns the parameters without the audio-level header extension (1:1 rooms). */
export function withoutAudioLevel(rtp: RtpParameters): RtpParameters {
  if (!rtp.headerExtensions?.some((e) => e.uri === AUDIO_LEVEL_URI)) return rtp;
  return { ...rtp, headerExtensions: rtp.headerExtensions.filter((e) => e.uri !== AUDIO_LEVEL_URI) };
}

/** Returns capabilities without the audio-level header extension (1:1 rooms). */
export function capabilitiesWithoutAudioLevel(caps: RtpCapabilities): RtpCapabilities {
  if (!caps.headerExtensions?.some((e) => e.uri === AUDIO_LEVEL_URI)) return caps;
  return { ...caps, headerExtensions: caps.headerExtensions.filter((e) => e.uri !== AUDIO_LEVEL_URI) };
}

/** Checks consumer capabilities for internal consistency (unique payload types). */
export function checkConsumerCapabilities(caps: RtpCapabilities): CheckFailure | undefined {
  const pts = new Set<number>();
  for (const c of caps.codecs ?? []) {
    if (c.preferredPayloadType === undefined) continue;
    if (pts.has(c.preferredPayloadType)) return { code: 'INVALID_MESSAGE', message: 'duplicate payload type' };
    pts.add(c.preferredPayloadType);
  }
  return undefined;
}

const FINGERPRINT_BYTES: Readonly<Record<string, number>> = { 'sha-1': 20, 'sha-224': 28, 'sha-256': 32, 'sha-384': 48, 'sha-512': 64 };

/** Checks a client's DTLS fingerprints: lengths match their algorithms, and one is SHA-2. */
export function checkDtlsFingerprints(dtls: DtlsParameters): CheckFailure | undefined {
  for (const fp of dtls.fingerprints) {
    if (fp.value.split(':').length !== FINGERPRINT_BYTES[fp.algorithm]) {
      return { code: 'INVALID_MESSAGE', message: 'fingerprint length does not match its algorithm' };
    }
  }
  if (!dtls.fingerprints.some((f) => f.algorithm !== 'sha-1'))
    return { code: 'INVALID_MESSAGE', message: 'a SHA-2 fingerprint is required' };
  return undefined;
}
