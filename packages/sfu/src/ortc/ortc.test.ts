import { describe, expect, it } from 'vitest';
import type { RtpCapabilities, RtpCodecCapability, RtpParameters } from '../types/index.js';
import {
  UnsupportedError,
  canConsume,
  generateRouterRtpCapabilities,
  getConsumableRtpParameters,
  getConsumerRtpParameters,
  getProducerRtpParametersMapping,
  validateRtpCapabilities,
  validateRtpParameters,
} from './index.js';

const TWCC = 'http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01';
const ABS = 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time';

const mediaCodecs = (): RtpCodecCapability[] => [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2, parameters: { useinbandfec: 1 } },
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90000 },
  { kind: 'video', mimeType: 'video/VP9', clockRate: 90000, parameters: { 'profile-id': 2 } },
  {
    kind: 'video',
    mimeType: 'video/H264',
    clockRate: 90000,
    parameters: { 'packetization-mode': 1, 'profile-level-id': '4d0032', 'level-asymmetry-allowed': 1 },
  },
];

/** What Chrome (via mediasoup-client) typically produces for VP8 with RTX. */
const chromeVp8 = (): RtpParameters => ({
  mid: '1',
  codecs: [
    { mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, rtcpFeedback: [{ type: 'nack' }] },
    { mimeType: 'video/rtx', payloadType: 97, clockRate: 90000, parameters: { apt: 96 } },
  ],
  headerExtensions: [
    { uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 9 },
    { uri: ABS, id: 2 },
    { uri: TWCC, id: 3 },
  ],
  encodings: [{ ssrc: 11111111, rtx: { ssrc: 22222222 } }],
  rtcp: { cname: 'abc' },
});

describe('generateRouterRtpCapabilities', () => {
  it('assigns dynamic payload types, adds RTX per video codec and keeps parameters', () => {
    const caps = generateRouterRtpCapabilities(mediaCodecs());
    const codecs = caps.codecs!;
    expect(codecs.map((c) => [c.mimeType, c.preferredPayloadType])).toEqual([
      ['audio/opus', 100],
      ['video/VP8', 101],
      ['video/rtx', 102],
      ['video/VP9', 103],
      ['video/rtx', 104],
      ['video/H264', 105],
      ['video/rtx', 106],
    ]);
    expect(codecs[0]).toMatchObject({ channels: 2, parameters: { useinbandfec: 1 } });
    expect(codecs[2]!.parameters).toEqual({ apt: 101 });
    expect(codecs[4]!.parameters).toEqual({ apt: 103 });
    expect(codecs[6]).toEqual({
      kind: 'video',
      mimeType: 'video/rtx',
      preferredPayloadType: 106,
      clockRate: 90000,
      parameters: { apt: 105 },
      rtcpFeedback: [],
    });
    expect(codecs[5]!.parameters).toEqual({
      'packetization-mode': 1,
      'profile-level-id': '4d0032',
      'level-asymmetry-allowed': 1,
    });
    expect(codecs[1]!.rtcpFeedback).toEqual([
      { type: 'nack', parameter: '' },
      { type: 'nack', parameter: 'pli' },
      { type: 'ccm', parameter: 'fir' },
      { type: 'goog-remb', parameter: '' },
      { type: 'transport-cc', parameter: '' },
    ]);
    expect(codecs[1]).not.toHaveProperty('channels');
  });

  it("uses mediasoup's header extension ids and directions", () => {
    const exts = generateRouterRtpCapabilities([]).headerExtensions!;
    const byKey = new Map(exts.map((e) => [`${e.kind} ${e.uri}`, e]));
    expect(byKey.get('video urn:ietf:params:rtp-hdrext:sdes:mid')?.preferredId).toBe(1);
    expect(byKey.get('audio urn:ietf:params:rtp-hdrext:sdes:mid')?.preferredId).toBe(1);
    expect(byKey.get('video urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id')).toMatchObject({ preferredId: 2, direction: 'recvonly' });
    expect(byKey.get('video urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id')?.preferredId).toBe(3);
    expect(byKey.get(`video ${ABS}`)?.preferredId).toBe(4);
    expect(byKey.get(`video ${TWCC}`)).toMatchObject({ preferredId: 5, direction: 'sendrecv' });
    expect(byKey.get(`audio ${TWCC}`)).toMatchObject({ preferredId: 5, direction: 'recvonly' });
    expect(byKey.get('audio urn:ietf:params:rtp-hdrext:ssrc-audio-level')?.preferredId).toBe(10);
    expect(byKey.get('video urn:3gpp:video-orientation')?.preferredId).toBe(11);
    expect(exts).toHaveLength(10);
  });

  it('keeps a forced preferredPayloadType and skips it for dynamic allocation', () => {
    const caps = generateRouterRtpCapabilities([
      { kind: 'video', mimeType: 'video/VP8', clockRate: 90000, preferredPayloadType: 100 },
      { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
    ]);
    expect(caps.codecs!.map((c) => c.preferredPayloadType)).toEqual([100, 101, 102]);
  });

  it('can leave out transport-cc', () => {
    const caps = generateRouterRtpCapabilities(mediaCodecs(), { transportCc: false });
    expect(caps.headerExtensions!.some((e) => e.uri === TWCC)).toBe(false);
    expect(caps.codecs!.some((c) => c.rtcpFeedback!.some((fb) => fb.type === 'transport-cc'))).toBe(false);
    expect(caps.codecs![1]!.rtcpFeedback!.some((fb) => fb.type === 'goog-remb')).toBe(true);
  });

  it('rejects unsupported codecs, duplicated payload types and bad input', () => {
    expect(() => generateRouterRtpCapabilities([{ kind: 'audio', mimeType: 'audio/chicken', clockRate: 8000 }])).toThrow(UnsupportedError);
    // Opus must be 48000/2.
    expect(() => generateRouterRtpCapabilities([{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 1 }])).toThrow(
      UnsupportedError,
    );
    expect(() =>
      generateRouterRtpCapabilities([
        { kind: 'video', mimeType: 'video/VP8', clockRate: 90000, preferredPayloadType: 96 },
        { kind: 'video', mimeType: 'video/VP9', clockRate: 90000, preferredPayloadType: 96 },
      ]),
    ).toThrow(TypeError);
    expect(() => generateRouterRtpCapabilities([{ kind: 'video', mimeType: 'VP8', clockRate: 90000 }])).toThrow(TypeError);
    expect(() => generateRouterRtpCapabilities('x' as unknown as RtpCodecCapability[])).toThrow(TypeError);
  });
});

describe('getProducerRtpParametersMapping', () => {
  const caps = (): RtpCapabilities => generateRouterRtpCapabilities(mediaCodecs());

  it('maps VP8 and its RTX onto the router payload types and assigns consecutive SSRCs', () => {
    const params = chromeVp8();
    params.encodings = [{ ssrc: 1 }, { ssrc: 2, scalabilityMode: 'L1T3' }];
    validateRtpParameters(params);
    const mapping = getProducerRtpParametersMapping(params, caps());
    expect(mapping.codecs).toEqual([
      { payloadType: 96, mappedPayloadType: 101 },
      { payloadType: 97, mappedPayloadType: 102 },
    ]);
    expect(mapping.encodings).toHaveLength(2);
    expect(mapping.encodings[0]!.ssrc).toBe(1);
    expect(mapping.encodings[1]).toMatchObject({ ssrc: 2, scalabilityMode: 'L1T3' });
    expect(mapping.encodings[1]!.mappedSsrc).toBe(mapping.encodings[0]!.mappedSsrc + 1);
    expect(mapping.encodings[0]!.mappedSsrc).toBeGreaterThanOrEqual(100_000_000);
  });

  it('maps rid-only encodings', () => {
    const params = chromeVp8();
    params.encodings = [{ rid: 'r0' }, { rid: 'r1' }];
    const mapping = getProducerRtpParametersMapping(params, caps());
    expect(mapping.encodings.map((e) => e.rid)).toEqual(['r0', 'r1']);
    expect(mapping.encodings[0]).not.toHaveProperty('ssrc');
  });

  it('matches Opus', () => {
    const params: RtpParameters = {
      codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters: { minptime: 10, useinbandfec: 1 } }],
      encodings: [{ ssrc: 5 }],
    };
    validateRtpParameters(params);
    expect(getProducerRtpParametersMapping(params, caps()).codecs).toEqual([{ payloadType: 111, mappedPayloadType: 100 }]);
  });

  it('matches VP9 only with the same profile-id', () => {
    const vp9 = (profileId: number | undefined): RtpParameters => ({
      codecs: [
        {
          mimeType: 'video/VP9',
          payloadType: 98,
          clockRate: 90000,
          parameters: profileId === undefined ? {} : { 'profile-id': profileId },
        },
      ],
      encodings: [{ ssrc: 5 }],
    });
    expect(getProducerRtpParametersMapping(vp9(2), caps()).codecs).toEqual([{ payloadType: 98, mappedPayloadType: 103 }]);
    expect(() => getProducerRtpParametersMapping(vp9(0), caps())).toThrow(UnsupportedError);
    expect(() => getProducerRtpParametersMapping(vp9(undefined), caps())).toThrow(UnsupportedError);
  });

  it('matches H.264 by packetization-mode and profile, and negotiates the level in place', () => {
    const h264 = (pm: number, plid: string): RtpParameters => ({
      codecs: [
        {
          mimeType: 'video/H264',
          payloadType: 102,
          clockRate: 90000,
          parameters: { 'packetization-mode': pm, 'profile-level-id': plid, 'level-asymmetry-allowed': 1 },
        },
        { mimeType: 'video/rtx', payloadType: 103, clockRate: 90000, parameters: { apt: 102 } },
      ],
      encodings: [{ ssrc: 5 }],
    });
    // Main profile at level 3.1 vs the router's Main 5.0, asymmetry allowed: the producer keeps its level.
    const params = h264(1, '4d001f');
    expect(getProducerRtpParametersMapping(params, caps()).codecs).toEqual([
      { payloadType: 102, mappedPayloadType: 105 },
      { payloadType: 103, mappedPayloadType: 106 },
    ]);
    expect(params.codecs[0]!.parameters!['profile-level-id']).toBe('4d001f');
    // Constrained Baseline is a different profile.
    expect(() => getProducerRtpParametersMapping(h264(1, '42e01f'), caps())).toThrow(UnsupportedError);
    // High profile is a different profile.
    expect(() => getProducerRtpParametersMapping(h264(1, '640032'), caps())).toThrow(UnsupportedError);
    // packetization-mode 0 vs 1.
    expect(() => getProducerRtpParametersMapping(h264(0, '4d0032'), caps())).toThrow(UnsupportedError);
    // Garbage profile-level-id.
    expect(() => getProducerRtpParametersMapping(h264(1, 'zzzzzz'), caps())).toThrow(UnsupportedError);
  });

  it('takes the lower level when level asymmetry is not allowed on both sides', () => {
    const routerCaps = generateRouterRtpCapabilities([
      { kind: 'video', mimeType: 'video/H264', clockRate: 90000, parameters: { 'packetization-mode': 1, 'profile-level-id': '42e01f' } },
    ]);
    const params: RtpParameters = {
      codecs: [
        {
          mimeType: 'video/H264',
          payloadType: 102,
          clockRate: 90000,
          parameters: { 'packetization-mode': 1, 'profile-level-id': '42e034' },
        },
      ],
      encodings: [{ ssrc: 1 }],
    };
    // The router merges level-asymmetry-allowed=1 from its supported codec, the producer has none.
    getProducerRtpParametersMapping(params, routerCaps);
    expect(params.codecs[0]!.parameters!['profile-level-id']).toBe('42e01f');
  });

  it('rejects unknown codecs, RTX without its media codec, and RTX the router lacks', () => {
    const params = chromeVp8();
    params.codecs[0]!.mimeType = 'video/AV1';
    expect(() => getProducerRtpParametersMapping(params, caps())).toThrow(UnsupportedError);

    const orphan = chromeVp8();
    orphan.codecs[1]!.parameters = { apt: 120 };
    expect(() => getProducerRtpParametersMapping(orphan, caps())).toThrow(TypeError);

    const noRtxCaps = caps();
    noRtxCaps.codecs = noRtxCaps.codecs!.filter((c) => c.mimeType !== 'video/rtx');
    expect(() => getProducerRtpParametersMapping(chromeVp8(), noRtxCaps)).toThrow(UnsupportedError);
  });
});

describe('consumable and consumer parameters', () => {
  const setup = () => {
    const caps = generateRouterRtpCapabilities(mediaCodecs());
    const params = chromeVp8();
    validateRtpParameters(params);
    const mapping = getProducerRtpParametersMapping(params, caps);
    const consumable = getConsumableRtpParameters('video', params, caps, mapping);
    return { caps, params, mapping, consumable };
  };

  it('builds consumable parameters with router PTs, router header extension ids and mapped SSRCs', () => {
    const { consumable, mapping } = setup();
    expect(consumable.codecs.map((c) => [c.mimeType, c.payloadType])).toEqual([
      ['video/VP8', 101],
      ['video/rtx', 102],
    ]);
    expect(consumable.codecs[1]!.parameters).toEqual({ apt: 101 });
    // sendrecv/sendonly video extensions only: mid, abs-send-time, twcc, video-orientation (rid/rrid are recvonly).
    expect(consumable.headerExtensions!.map((e) => [e.uri, e.id])).toEqual([
      ['urn:ietf:params:rtp-hdrext:sdes:mid', 1],
      [ABS, 4],
      [TWCC, 5],
      ['urn:3gpp:video-orientation', 11],
    ]);
    expect(consumable.encodings).toEqual([{ ssrc: mapping.encodings[0]!.mappedSsrc, dtx: false }]);
    expect(consumable.rtcp).toEqual({ cname: 'abc', reducedSize: true });
  });

  it('canConsume is true for a compatible device and false otherwise', () => {
    const { consumable, caps } = setup();
    expect(canConsume(consumable, structuredClone(caps))).toBe(true);
    const audioOnly: RtpCapabilities = {
      codecs: [{ kind: 'audio', mimeType: 'audio/opus', preferredPayloadType: 100, clockRate: 48000, channels: 2 }],
    };
    expect(canConsume(consumable, audioOnly)).toBe(false);
    // RTX alone does not make a codec consumable.
    const rtxOnly: RtpCapabilities = {
      codecs: [{ kind: 'video', mimeType: 'video/rtx', preferredPayloadType: 102, clockRate: 90000, parameters: { apt: 101 } }],
    };
    expect(canConsume(consumable, rtxOnly)).toBe(false);
    expect(() => canConsume(consumable, { codecs: 'x' } as unknown as RtpCapabilities)).toThrow(TypeError);
  });

  it('builds consumer parameters with RTX, a fresh SSRC and REMB dropped when transport-cc is used', () => {
    const { consumable, caps } = setup();
    const consumer = getConsumerRtpParameters({
      consumableRtpParameters: consumable,
      remoteRtpCapabilities: structuredClone(caps),
      pipe: false,
      enableRtx: true,
    });
    expect(consumer.codecs.map((c) => c.payloadType)).toEqual([101, 102]);
    expect(consumer.codecs[0]!.rtcpFeedback!.map((fb) => fb.type)).toEqual(['nack', 'nack', 'ccm', 'transport-cc']);
    expect(consumer.encodings).toHaveLength(1);
    const enc = consumer.encodings![0]!;
    expect(enc.rtx?.ssrc).toBe(enc.ssrc! + 1);
    expect(enc.ssrc).not.toBe(consumable.encodings![0]!.ssrc);
    expect(consumer.rtcp).toEqual({ cname: 'abc', reducedSize: true });
  });

  it('drops RTX and plain NACK without enableRtx, and keeps REMB when only abs-send-time is shared', () => {
    const { consumable, caps } = setup();
    const remote = structuredClone(caps);
    remote.headerExtensions = remote.headerExtensions!.filter((e) => e.uri !== TWCC);
    const consumer = getConsumerRtpParameters({
      consumableRtpParameters: consumable,
      remoteRtpCapabilities: remote,
      pipe: false,
      enableRtx: false,
    });
    expect(consumer.codecs.map((c) => c.mimeType)).toEqual(['video/VP8']);
    expect(consumer.codecs[0]!.rtcpFeedback).toEqual([
      { type: 'nack', parameter: 'pli' },
      { type: 'ccm', parameter: 'fir' },
      { type: 'goog-remb', parameter: '' },
    ]);
    expect(consumer.encodings![0]!.rtx).toBeUndefined();
    expect(consumer.headerExtensions!.map((e) => e.id)).toEqual([1, 4, 11]);
  });

  it('keeps only header extensions the remote has at the same id, and drops both BWE feedbacks without them', () => {
    const { consumable, caps } = setup();
    const remote = structuredClone(caps);
    remote.headerExtensions = remote
      .headerExtensions!.filter((e) => e.uri !== TWCC && e.uri !== ABS)
      .map((e) => (e.uri === 'urn:3gpp:video-orientation' ? { ...e, preferredId: 13 } : e));
    const consumer = getConsumerRtpParameters({
      consumableRtpParameters: consumable,
      remoteRtpCapabilities: remote,
      pipe: false,
      enableRtx: true,
    });
    expect(consumer.headerExtensions!.map((e) => e.uri)).toEqual(['urn:ietf:params:rtp-hdrext:sdes:mid']);
    expect(consumer.codecs[0]!.rtcpFeedback!.some((fb) => fb.type === 'goog-remb' || fb.type === 'transport-cc')).toBe(false);
  });

  it('removes RTX whose media codec the remote lacks and throws when no media codec remains', () => {
    const { consumable } = setup();
    const remote: RtpCapabilities = {
      codecs: [{ kind: 'video', mimeType: 'video/rtx', preferredPayloadType: 102, clockRate: 90000, parameters: { apt: 101 } }],
      headerExtensions: [],
    };
    expect(() =>
      getConsumerRtpParameters({ consumableRtpParameters: consumable, remoteRtpCapabilities: remote, pipe: false, enableRtx: true }),
    ).toThrow(UnsupportedError);
  });

  it('gives simulcast consumers one encoding with LxTy scalability and the max bitrate; pipes keep all encodings', () => {
    const caps = generateRouterRtpCapabilities(mediaCodecs());
    const params = chromeVp8();
    params.encodings = [
      { rid: 'r0', scalabilityMode: 'L1T3', maxBitrate: 100_000 },
      { rid: 'r1', scalabilityMode: 'L1T3', maxBitrate: 900_000 },
      { rid: 'r2', scalabilityMode: 'L1T3', maxBitrate: 300_000 },
    ];
    validateRtpParameters(params);
    const consumable = getConsumableRtpParameters('video', params, caps, getProducerRtpParametersMapping(params, caps));
    const consumer = getConsumerRtpParameters({
      consumableRtpParameters: consumable,
      remoteRtpCapabilities: structuredClone(caps),
      pipe: false,
      enableRtx: true,
    });
    expect(consumer.encodings).toHaveLength(1);
    expect(consumer.encodings![0]).toMatchObject({ scalabilityMode: 'L3T3', maxBitrate: 900_000 });
    const pipe = getConsumerRtpParameters({
      consumableRtpParameters: consumable,
      remoteRtpCapabilities: structuredClone(caps),
      pipe: true,
      enableRtx: true,
    });
    expect(pipe.encodings).toHaveLength(3);
    expect(pipe.encodings![2]!.ssrc).toBe(pipe.encodings![0]!.ssrc! + 2);
  });

  it('builds audio consumable parameters with audio header extensions only', () => {
    const caps = generateRouterRtpCapabilities(mediaCodecs());
    const params: RtpParameters = {
      codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }],
      headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level', id: 14 }],
      encodings: [{ ssrc: 7 }],
      rtcp: { cname: 'x' },
    };
    validateRtpParameters(params);
    const consumable = getConsumableRtpParameters('audio', params, caps, getProducerRtpParametersMapping(params, caps));
    expect(consumable.codecs).toHaveLength(1);
    expect(consumable.codecs[0]).toMatchObject({ payloadType: 100, channels: 2 });
    expect(consumable.headerExtensions!.map((e) => e.id)).toEqual([1, 4, 10]);
  });
});

describe('validation', () => {
  it('fills defaults', () => {
    const caps: RtpCapabilities = {
      codecs: [{ kind: 'video', mimeType: 'audio/opus', clockRate: 48000 }],
      headerExtensions: [{ kind: 'audio', uri: ABS, preferredId: 4 }],
    };
    validateRtpCapabilities(caps);
    expect(caps.codecs![0]).toEqual({
      kind: 'audio',
      mimeType: 'audio/opus',
      clockRate: 48000,
      channels: 1,
      parameters: {},
      rtcpFeedback: [],
    });
    expect(caps.headerExtensions![0]).toMatchObject({ preferredEncrypt: false, direction: 'sendrecv' });

    const params: RtpParameters = {
      codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, channels: 2, rtcpFeedback: [{ type: 'nack' }] }],
    };
    validateRtpParameters(params);
    expect(params).toEqual({
      codecs: [
        { mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, parameters: {}, rtcpFeedback: [{ type: 'nack', parameter: '' }] },
      ],
      headerExtensions: [],
      encodings: [],
      rtcp: { reducedSize: true },
    });
  });

  it.each<[string, unknown]>([
    ['not an object', 'x'],
    ['missing codecs', {}],
    ['bad mimeType', { codecs: [{ mimeType: 'vp8', payloadType: 96, clockRate: 90000 }] }],
    ['missing payloadType', { codecs: [{ mimeType: 'video/VP8', clockRate: 90000 }] }],
    ['missing clockRate', { codecs: [{ mimeType: 'video/VP8', payloadType: 96 }] }],
    ['non-numeric apt', { codecs: [{ mimeType: 'video/rtx', payloadType: 97, clockRate: 90000, parameters: { apt: '96' } }] }],
    ['object parameter', { codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, parameters: { x: {} } }] }],
    ['feedback without type', { codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, rtcpFeedback: [{}] }] }],
    ['bad mid', { mid: 3, codecs: [] }],
    ['headerExtensions not array', { codecs: [], headerExtensions: {} }],
    ['extension without id', { codecs: [], headerExtensions: [{ uri: ABS }] }],
    ['encodings not array', { codecs: [], encodings: 1 }],
    ['bad ssrc', { codecs: [], encodings: [{ ssrc: '1' }] }],
    ['rtx without ssrc', { codecs: [], encodings: [{ ssrc: 1, rtx: {} }] }],
    ['bad rtcp', { codecs: [], rtcp: 5 }],
    ['bad cname', { codecs: [], rtcp: { cname: 5 } }],
  ])('validateRtpParameters rejects %s', (_name, params) => {
    expect(() => validateRtpParameters(params as RtpParameters)).toThrow(TypeError);
  });

  it.each<[string, unknown]>([
    ['codecs not array', { codecs: {} }],
    ['extension bad kind', { headerExtensions: [{ kind: 'data', uri: ABS, preferredId: 1 }] }],
    ['extension without uri', { headerExtensions: [{ kind: 'video', preferredId: 1 }] }],
    ['bad preferredPayloadType', { codecs: [{ mimeType: 'video/VP8', clockRate: 90000, preferredPayloadType: '96' }] }],
  ])('validateRtpCapabilities rejects %s', (_name, caps) => {
    expect(() => validateRtpCapabilities(caps as RtpCapabilities)).toThrow(TypeError);
  });
});
