import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { E2EE_FRAME_VERSION } from '@alcove/protocol';
import { SAMPLE_RTP_PARAMETERS } from '@alcove/protocol/fixtures';
import { waitFor } from '@alcove/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../signaling/testing/harness.js';
import { e2eeTrailerCheckFor } from './e2ee-trailer-check.js';

// Server fail-closed: in an E2EE-required session every producer is created with the engine's
// trailer check; when the engine reports a frame without the trailer, the server closes the
// producer and its consumers, tells the owner and hosts why (E2EE_NOT_ENCRYPTED), tells the other
// participants only that it closed, and writes one audit line.

let ts: TestServer | undefined;
afterEach(async () => {
  await ts?.close();
  ts = undefined;
});

const DTLS = {
  role: 'client' as const,
  fingerprints: [{ algorithm: 'sha-256' as const, value: Array.from({ length: 32 }, () => '5E').join(':') }],
};

describe('e2eeTrailerCheckFor', () => {
  it('asks for the current format version and the clear-prefix lengths of the codec', () => {
    const codec = (mimeType: string, clockRate = 90000) => ({ codecs: [{ mimeType, payloadType: 100, clockRate }] });
    expect(e2eeTrailerCheckFor(codec('video/VP8'))).toEqual({ versions: [E2EE_FRAME_VERSION], prefixLengths: [3, 10] });
    expect(e2eeTrailerCheckFor(codec('audio/opus', 48000))).toEqual({ versions: [E2EE_FRAME_VERSION], prefixLengths: [1] });
    expect(e2eeTrailerCheckFor(codec('video/VP9'))).toEqual({ versions: [E2EE_FRAME_VERSION], prefixLengths: [0] });
    expect(e2eeTrailerCheckFor(codec('video/H264'))).toBeUndefined();
    // RTX first in the list does not hide the media codec.
    expect(
      e2eeTrailerCheckFor({
        codecs: [
          { mimeType: 'video/rtx', payloadType: 101, clockRate: 90000 },
          { mimeType: 'video/VP8', payloadType: 100, clockRate: 90000 },
        ],
      }),
    ).toMatchObject({ prefixLengths: [3, 10] });
  });
});

describe('a producer that sends frames without the E2EE trailer', () => {
  async function publishing(policy: { e2eeRequired?: boolean } = {}) {
    ts = await startTestServer();
    const sid = ts.createSession({ waitingRoom: false, maxParticipants: 3, ...policy });
    const { client: host } = await ts.join(sid, 'host-1', 'host');
    const { client: patched } = await ts.join(sid, 'client-1', 'client');
    const { client: other } = await ts.join(sid, 'client-2', 'client');
    const send = await patched.call('media.createTransport', { direction: 'send' });
    await patched.call('media.connectTransport', { transportId: send.transportId, dtlsParameters: DTLS });
    const { producerId } = await patched.call('media.produce', {
      transportId: send.transportId,
      kind: 'video',
      rtpParameters: SAMPLE_RTP_PARAMETERS,
      source: 'cam',
      e2ee: true,
    });
    await host.waitFor('media.producerAdded', (d) => d.producerId === producerId);
    const { rtpCapabilities } = await host.call('media.getRouterRtpCapabilities', {});
    const recv = await host.call('media.createTransport', { direction: 'recv' });
    const consumer = await host.call('media.consume', { transportId: recv.transportId, producerId, rtpCapabilities });
    const engineProducer = ts.engine.producers.get(producerId);
    if (!engineProducer) throw new Error('the engine has no such producer');
    return { ts, host, patched, other, producerId, consumerId: consumer.consumerId as string, engineProducer };
  }

  it('is created with the trailer check in an E2EE-required session', async () => {
    const { engineProducer } = await publishing();
    expect(engineProducer.e2eeTrailerCheck).toEqual({ versions: [E2EE_FRAME_VERSION], prefixLengths: [3, 10] });
  });

  it('is closed; the owner and hosts learn why, the others only that it closed; one audit line', async () => {
    const { ts, host, patched, other, producerId, consumerId, engineProducer } = await publishing();
    engineProducer.emit('e2eetrailermissing', { reason: 'version', framesPassed: 0 });

    const toOwner = await patched.waitFor('media.producerClosed', (d) => d.producerId === producerId);
    const toHost = await host.waitFor('media.producerClosed', (d) => d.producerId === producerId);
    const toOther = await other.waitFor('media.producerClosed', (d) => d.producerId === producerId);
    expect(toOwner).toEqual({ producerId, reason: 'E2EE_NOT_ENCRYPTED' });
    expect(toHost).toEqual({ producerId, reason: 'E2EE_NOT_ENCRYPTED' });
    expect(toOther).toEqual({ producerId });
    await host.waitFor('media.consumerClosed', (d) => d.consumerId === consumerId);
    expect(engineProducer.closed).toBe(true);
    // Each learns it once.
    expect(host.notifications('media.producerClosed').filter((n) => n.data?.producerId === producerId)).toHaveLength(1);

    const audit = await waitFor(
      'the audit line',
      () => readFileSync(join(ts.dataDir, 'audit.log'), 'utf8'),
      (text) => text.includes('e2ee.notEncrypted'),
    );
    const line = JSON.parse(audit.split('\n').find((l) => l.includes('e2ee.notEncrypted'))!);
    expect(line).toMatchObject({
      type: 'e2ee.notEncrypted',
      reason: 'E2EE_NOT_ENCRYPTED',
      actor: 'system',
      detail: { source: 'cam', check: 'version' },
    });
    expect(audit).not.toContain('client-1'); // pseudonymised
    expect(ts.logLines.some((l) => l.includes('media.e2eeNotEncrypted'))).toBe(true);

    // The session goes on: the same client may publish again (a repaired client), and is checked again.
    const again = await patched.request('media.getRouterRtpCapabilities', {});
    expect(again.ok).toBe(true);
  });

  it('an unknown reason from an engine is reported as a version failure; a second report changes nothing', async () => {
    const { ts, host, producerId, engineProducer } = await publishing();
    engineProducer.emit('e2eetrailermissing', { reason: '<script>' });
    engineProducer.emit('e2eetrailermissing', { reason: 'prefix' });
    await host.waitFor('media.producerClosed', (d) => d.producerId === producerId);
    const audit = await waitFor(
      'the audit line',
      () => readFileSync(join(ts.dataDir, 'audit.log'), 'utf8'),
      (text) => text.includes('e2ee.notEncrypted'),
    );
    expect(audit.split('\n').filter((l) => l.includes('e2ee.notEncrypted'))).toHaveLength(1);
    expect(audit).toContain('"check":"version"');
  });

  it('is not checked in a session that does not require E2EE', async () => {
    const { engineProducer } = await publishing({ e2eeRequired: false });
    expect(engineProducer.e2eeTrailerCheck).toBeUndefined();
  });
});
