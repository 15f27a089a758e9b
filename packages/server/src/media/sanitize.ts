/**
 * Copies engine output into exactly the shapes of `@alcove/protocol` (strict schemas reject unknown
 * fields on the client side), whatever extra fields an engine adds.
 * @packageDocumentation
 */
import type { DtlsParameters, IceCandidate, IceParameters, RtpCapabilities, RtpParameters } from '@alcove/protocol';
import type { EngineRtpCapabilities, EngineRtpParameters } from './engine-types.js';

type Dict = Record<string, unknown>;

function pick<T>(src: Dict | undefined, keys: readonly string[]): T {
  const out: Dict = {};
  if (!src) return out as T;
  for (const k of keys) if (src[k] !== undefined) out[k] = src[k];
  return out as T;
}

/** ICE parameters in the wire shape. */
export function sanitizeIceParameters(p: IceParameters): IceParameters {
  return pick<IceParameters>(p as unknown as Dict, ['usernameFragment', 'password', 'iceLite']);
}

/** ICE candidates in the wire shape. */
export function sanitizeIceCandidates(list: readonly IceCandidate[]): IceCandidate[] {
  return list.map((c) => {
    const out = pick<IceCandidate>(c as unknown as Dict, [
      'foundation',
      'priority',
      'ip',
      'address',
      'protocol',
      'port',
      'type',
      'tcpType',
    ]);
    if (!out.ip && out.address) (out as { ip: string }).ip = out.address;
    return out;
  });
}

/** DTLS parameters in the wire shape. */
export function sanitizeDtlsParameters(p: DtlsParameters): DtlsParameters {
  return {
    ...(p.role ? { role: p.role } : {}),
    fingerprints: p.fingerprints.map((f) => ({ algorithm: f.algorithm, value: f.value })),
  };
}

/** A consumer's RTP parameters in the wire shape. */
export function sanitizeConsumerRtpParameters(p: EngineRtpParameters): RtpParameters {
  const src = p as unknown as Dict;
  const out = pick<Dict>(src, ['mid', 'msid']);
  out['codecs'] = p.codecs.map((c) =>
    pick(c as unknown as Dict, ['mimeType', 'payloadType', 'clockRate', 'channels', 'parameters', 'rtcpFeedback']),
  );
  if (p.headerExtensions)
    out['headerExtensions'] = p.headerExtensions.map((e) => pick(e as unknown as Dict, ['uri', 'id', 'encrypt', 'parameters']));
  if (p.encodings) {
    out['encodings'] = p.encodings.map((e) =>
      pick(e as unknown as Dict, [
        'active',
        'ssrc',
        'rid',
        'codecPayloadType',
        'rtx',
        'dtx',
        'scalabilityMode',
        'scaleResolutionDownBy',
        'maxBitrate',
        'maxFramerate',
        'adaptivePtime',
        'priority',
        'networkPriority',
      ]),
    );
  }
  if (p.rtcp) out['rtcp'] = pick(p.rtcp as unknown as Dict, ['cname', 'reducedSize', 'mux']);
  return out as unknown as RtpParameters;
}

/** Router capabilities in the wire shape. */
export function sanitizeRtpCapabilities(c: EngineRtpCapabilities): RtpCapabilities {
  const out: Dict = {};
  if (c.codecs) {
    out['codecs'] = c.codecs.map((x) =>
      pick(x as unknown as Dict, ['kind', 'mimeType', 'preferredPayloadType', 'clockRate', 'channels', 'parameters', 'rtcpFeedback']),
    );
  }
  if (c.headerExtensions) {
    out['headerExtensions'] = c.headerExtensions.map((x) =>
      pick(x as unknown as Dict, ['kind', 'uri', 'preferredId', 'preferredEncrypt', 'direction']),
    );
  }
  return out as RtpCapabilities;
}
