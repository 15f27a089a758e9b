/**
 * `@alcove/protocol/fixtures`: one valid example request per method, for tests (servers, clients,
 * fuzzers) and documentation. Not part of the main entry, so an app bundle never carries them.
 * @packageDocumentation
 * @module @alcove/protocol/fixtures
 */
import type { RequestData, RequestMethod } from './schemas/requests.js';

/**
 * Valid `rtpParameters` of a VP8 camera producer, in the shape mediasoup-client produces.
 * @example
 * ```ts
 * import { SAMPLE_RTP_PARAMETERS } from '@alcove/protocol/fixtures';
 * await client.call('media.produce', { transportId, kind: 'video', rtpParameters: SAMPLE_RTP_PARAMETERS, source: 'cam', e2ee: true });
 * ```
 */
export const SAMPLE_RTP_PARAMETERS = {
  mid: '0',
  codecs: [
    {
      mimeType: 'video/VP8',
      payloadType: 96,
      clockRate: 90000,
      parameters: {},
      rtcpFeedback: [
        { type: 'nack', parameter: '' },
        { type: 'nack', parameter: 'pli' },
        { type: 'ccm', parameter: 'fir' },
        { type: 'goog-remb', parameter: '' },
      ],
    },
  ],
  headerExtensions: [
    { uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 4, encrypt: false, parameters: {} },
    { uri: 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time', id: 2, encrypt: false, parameters: {} },
  ],
  encodings: [{ active: true, ssrc: 1234567, rtx: { ssrc: 7654321 }, dtx: false, scalabilityMode: 'L1T3' }],
  rtcp: { cname: 'abcd', reducedSize: true },
};

/**
 * One valid `data` per request method; every method of the protocol is present, so a fuzzer or a
 * permission test can iterate them.
 * @example
 * ```ts
 * import { SAMPLE_REQUESTS } from '@alcove/protocol/fixtures';
 * const reply = await client.request('e2ee.publishKey', SAMPLE_REQUESTS['e2ee.publishKey']);
 * ```
 */
export const SAMPLE_REQUESTS: { [M in RequestMethod]: RequestData<M> } = {
  'session.join': { token: 'eyJhbGciOiJIUzI1NiJ9.e30.abcdefghijklmnop', e2ee: true },
  'session.resume': { ticket: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
  'session.leave': {},
  'session.ping': {},
  'media.getRouterRtpCapabilities': {},
  'media.createTransport': { direction: 'send' },
  'media.connectTransport': {
    transportId: 't1',
    dtlsParameters: { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: 'AB:CD:EF:01' }] },
  },
  'media.restartIce': { transportId: 't1' },
  'media.closeTransport': { transportId: 't1' },
  'media.produce': { transportId: 't1', kind: 'video', rtpParameters: SAMPLE_RTP_PARAMETERS, source: 'cam', e2ee: true },
  'media.closeProducer': { producerId: 'p1' },
  'media.pauseProducer': { producerId: 'p1' },
  'media.resumeProducer': { producerId: 'p1' },
  'media.consume': {
    transportId: 't2',
    producerId: 'p1',
    rtpCapabilities: {
      codecs: [
        {
          kind: 'audio',
          mimeType: 'audio/opus',
          preferredPayloadType: 100,
          clockRate: 48000,
          channels: 2,
          parameters: { useinbandfec: 1 },
          rtcpFeedback: [],
        },
      ],
      headerExtensions: [
        { kind: 'audio', uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', preferredId: 1, preferredEncrypt: false, direction: 'sendrecv' },
      ],
    },
  },
  'media.resumeConsumer': { consumerId: 'c1' },
  'media.pauseConsumer': { consumerId: 'c1' },
  'media.closeConsumer': { consumerId: 'c1' },
  'media.setPreferredLayers': { consumerId: 'c1', spatialLayer: 1, temporalLayer: 2 },
  'media.requestKeyFrame': { producerId: 'p1' },
  'media.getTransportStats': { transportId: 't1' },
  'e2ee.publishKey': { identityKey: 'q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=', suites: [1] },
  'e2ee.relay': { to: 'p2', type: 'commit', payload: 'AAEC' },
  'e2ee.verified': { peer: 'p2' },
  'checklist.submit': {
    status: { steps: { consent: 'passed', location: 'warning' }, complete: true },
    consent: {
      version: 'v3',
      sha256: '5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef',
      signedAt: 1_764_000_000_000,
      identityKey: 'q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=',
      signature: 'q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJCrze8SNFZ4kKvN7xI0VniQ==',
    },
    licensure: { outcome: 'pass' },
  },
  'checklist.relay': { to: 'p1', type: 'sealed', payload: 'AAEC' },
  'network.testStart': {},
  'network.testConnect': {
    testId: 'n1',
    transportId: 't1',
    dtlsParameters: { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: 'AB:CD:EF:01' }] },
  },
  'network.testProduce': { testId: 'n1', kind: 'video', rtpParameters: SAMPLE_RTP_PARAMETERS, rtpCapabilities: {} },
  'network.testStats': { testId: 'n1' },
  'network.testEnd': { testId: 'n1' },
  'chat.send': { id: 'm-1', seq: 1, body: 'c2VhbGVk', keys: [{ to: 'p2', key: 'a2V5' }] },
  'chat.relay': { to: 'p2', type: 'commit', payload: 'AAEC' },
  'host.admit': { participantId: 'p2' },
  'host.deny': { participantId: 'p2' },
  'host.remove': { participantId: 'p2' },
  'host.lock': {},
  'host.unlock': {},
  'host.requestMute': { participantId: 'p2', kind: 'audio' },
  'host.setScreenShare': { allowed: 'everyone' },
  'host.end': {},
};
