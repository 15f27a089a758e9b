import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWorker, InvalidStateError, UnsupportedError, type Worker } from './index.js';
import type { Router } from './router/router.js';

const mediaCodecs = [
  { kind: 'audio' as const, mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  { kind: 'video' as const, mimeType: 'video/VP8', clockRate: 90000 },
];
const vp8Params = (ssrc: number) => ({
  codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 }],
  encodings: [{ ssrc }],
});

describe('object model', () => {
  let worker: Worker;
  let router: Router;

  beforeEach(async () => {
    worker = await createWorker();
    router = await worker.createRouter({ mediaCodecs });
  });
  afterEach(() => worker.close());

  it('runs the engine in a worker thread with one UDP port', async () => {
    const dump = await worker.dump();
    expect(dump.udp.ip).toBe('127.0.0.1');
    expect(dump.udp.port).toBeGreaterThan(0);
    expect(dump.routerIds).toEqual([router.id]);
    const usage = await worker.getResourceUsage();
    expect(usage.ru_utime).toBeGreaterThan(0);
    const t1 = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', announcedAddress: '203.0.113.5' }] });
    const t2 = await router.createWebRtcTransport();
    expect(t1.iceCandidates[0]!.port).toBe(dump.udp.port);
    expect(t2.iceCandidates[0]!.port).toBe(dump.udp.port);
    expect(t1.iceCandidates[0]!.address).toBe('203.0.113.5');
    expect(t1.iceParameters.usernameFragment).not.toBe(t2.iceParameters.usernameFragment);
    expect(t1.iceParameters.iceLite).toBe(true);
    expect(t1.dtlsParameters.fingerprints[0]!.algorithm).toBe('sha-256');
    expect(t1.dtlsParameters.fingerprints[0]!.value).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(t1.iceState).toBe('new');
    expect(t1.dtlsState).toBe('new');
  });

  it('advertises transport-cc and REMB (the cap), as mediasoup does', () => {
    const vp8 = router.rtpCapabilities.codecs!.find((c) => c.mimeType === 'video/VP8')!;
    expect(vp8.rtcpFeedback!.map((f) => f.type)).toContain('goog-remb');
    expect(vp8.rtcpFeedback!.map((f) => f.type)).toContain('transport-cc');
    expect(router.rtpCapabilities.codecs!.some((c) => c.mimeType === 'video/rtx')).toBe(true);
  });

  it('cascades close: router → transports → producers/consumers, with events and observers', async () => {
    const events: string[] = [];
    const send = await router.createDirectTransport();
    const recv = await router.createWebRtcTransport();
    const producer = await send.produce({ kind: 'video', rtpParameters: vp8Params(1111), appData: { who: 'a' } });
    expect(producer.appData).toEqual({ who: 'a' });
    expect(router.canConsume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities })).toBe(true);
    expect(router.canConsume({ producerId: 'nope', rtpCapabilities: router.rtpCapabilities })).toBe(false);
    const consumer = await recv.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities, paused: true });
    expect(consumer.rtpParameters.mid).toBe('0');
    expect(consumer.rtpParameters.encodings![0]!.ssrc).toBeTypeOf('number');
    expect(consumer.rtpParameters.encodings![0]!.rtx?.ssrc).toBeTypeOf('number');
    expect(consumer.paused).toBe(true);
    router.observer.on('close', () => events.push('router.observer.close'));
    recv.on('routerclose', () => events.push('recv.routerclose'));
    recv.observer.on('close', () => events.push('recv.observer.close'));
    producer.on('transportclose', () => events.push('producer.transportclose'));
    consumer.on('transportclose', () => events.push('consumer.transportclose'));
    consumer.observer.on('close', () => events.push('consumer.observer.close'));
    router.close();
    router.close(); // idempotent
    expect(router.closed && send.closed && recv.closed && producer.closed && consumer.closed).toBe(true);
    expect(recv.iceState).toBe('closed');
    expect(events).toEqual(
      expect.arrayContaining([
        'router.observer.close',
        'recv.routerclose',
        'recv.observer.close',
        'producer.transportclose',
        'consumer.transportclose',
        'consumer.observer.close',
      ]),
    );
    await expect(recv.getStats()).rejects.toBeInstanceOf(InvalidStateError);
    await expect(router.createDirectTransport()).rejects.toBeInstanceOf(InvalidStateError);
    expect((await worker.dump()).routerIds).toEqual([]);
  });

  it('closing a producer closes its consumers with producerclose', async () => {
    const send = await router.createDirectTransport();
    const recv = await router.createDirectTransport();
    const producer = await send.produce({ kind: 'video', rtpParameters: vp8Params(2222) });
    const consumer = await recv.consume({ producerId: producer.id });
    const closed = new Promise<void>((r) => consumer.on('producerclose', () => r()));
    const newConsumers: string[] = [];
    recv.observer.on('newconsumer', (c) => newConsumers.push(c.id));
    producer.close();
    await closed;
    expect(consumer.closed).toBe(true);
    await expect(recv.consume({ producerId: producer.id })).rejects.toBeInstanceOf(InvalidStateError);
    expect(newConsumers).toEqual([]);
  });

  it('producer pause/resume reaches consumers as producerpause/producerresume', async () => {
    const send = await router.createDirectTransport();
    const recv = await router.createDirectTransport();
    const producer = await send.produce({
      kind: 'audio',
      rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }], encodings: [{ ssrc: 3333 }] },
    });
    const consumer = await recv.consume({ producerId: producer.id });
    const paused = new Promise<void>((r) => consumer.on('producerpause', () => r()));
    await producer.pause();
    await paused;
    expect(consumer.producerPaused).toBe(true);
    const resumed = new Promise<void>((r) => consumer.on('producerresume', () => r()));
    await producer.resume();
    await resumed;
    expect(consumer.producerPaused).toBe(false);
  });

  it('validates arguments and states with mediasoup error classes', async () => {
    await expect(router.createWebRtcTransport({ enableSctp: true })).rejects.toBeInstanceOf(UnsupportedError);
    await expect(router.createWebRtcTransport({ enableUdp: false })).rejects.toBeInstanceOf(TypeError);
    await expect(worker.createRouter({ mediaCodecs: [{ kind: 'video', mimeType: 'video/AV9', clockRate: 90000 }] })).rejects.toBeInstanceOf(
      UnsupportedError,
    );
    const t = await router.createWebRtcTransport();
    await expect(
      t.produce({
        kind: 'video',
        rtpParameters: { codecs: [{ mimeType: 'video/H265', payloadType: 96, clockRate: 90000 }], encodings: [{ ssrc: 1 }] },
      }),
    ).rejects.toBeInstanceOf(UnsupportedError);
    // Simulcast beyond three layers, or of audio, is refused openly.
    const vp8 = [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 }];
    await expect(
      t.produce({
        kind: 'video',
        rtpParameters: { mid: '9', codecs: vp8, encodings: [{ rid: 'r0' }, { rid: 'r1' }, { rid: 'r2' }, { rid: 'r3' }] },
      }),
    ).rejects.toBeInstanceOf(UnsupportedError);
    await expect(
      t.produce({
        kind: 'audio',
        rtpParameters: {
          mid: '8',
          codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }],
          encodings: [{ rid: 'a' }, { rid: 'b' }],
        },
      }),
    ).rejects.toBeInstanceOf(UnsupportedError);
    await expect(t.consume({ producerId: 'missing', rtpCapabilities: router.rtpCapabilities })).rejects.toBeInstanceOf(InvalidStateError);
    await expect(t.connect({ dtlsParameters: { fingerprints: [] } })).rejects.toBeInstanceOf(TypeError);
    await t.connect({ dtlsParameters: { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: 'AA:BB' }] } });
    await expect(
      t.connect({ dtlsParameters: { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: 'AA:BB' }] } }),
    ).rejects.toBeInstanceOf(InvalidStateError);
    const p = await t.produce({ kind: 'video', rtpParameters: { mid: '0', ...vp8Params(4444) } });
    await expect(t.produce({ kind: 'video', rtpParameters: { mid: '1', ...vp8Params(4444) } })).rejects.toThrow(/ssrc/);
    expect(() => p.send(Buffer.alloc(12))).toThrow(InvalidStateError);
    const old = t.iceParameters;
    const fresh = await t.restartIce();
    expect(fresh.usernameFragment).not.toBe(old.usernameFragment);
    expect(t.iceParameters).toEqual(fresh);
    t.close();
    await expect(t.restartIce()).rejects.toBeInstanceOf(InvalidStateError);
  });

  it('emits died when the engine thread fails, and closes its routers', async () => {
    const died = new Promise<Error>((r) => worker.on('died', r));
    const workerClose = new Promise<void>((r) => router.on('workerclose', () => r()));
    worker.__testing.crash();
    const error = await died;
    await workerClose;
    expect(error).toBeInstanceOf(Error);
    expect(worker.died).toBe(true);
    expect(worker.closed).toBe(true);
    expect(router.closed).toBe(true);
    await expect(worker.createRouter({ mediaCodecs })).rejects.toBeInstanceOf(InvalidStateError);
  });
});
