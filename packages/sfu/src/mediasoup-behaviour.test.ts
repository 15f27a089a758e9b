/**
 * Behaviour that follows mediasoup's documented API (mediasoup.org v3 API and RTC statistics
 * pages): event counts under unawaited calls, the negotiated DTLS role, stats field names,
 * TypeError on invalid arguments, listen infos and port ranges honoured or refused, `pid`.
 */
import { createSocket } from 'node:dgram';
import { RtpHeader, RtpPacket } from 'werift';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorker, UnsupportedError, type Worker } from './index.js';
import type { Router } from './router/router.js';

const mediaCodecs = [
  { kind: 'audio' as const, mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  { kind: 'video' as const, mimeType: 'video/VP8', clockRate: 90000 },
];
const KEY = Buffer.from([0x10, 0x00, 0x9d, 0x01, 0x2a, 0, 0, 0, 0, 0, 0, 0]);
const vp8 = (ssrc: number) => ({
  codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, rtcpFeedback: [{ type: 'nack', parameter: 'pli' }] }],
  encodings: [{ ssrc }],
});
const rtp = (seq: number, ssrc: number): Buffer =>
  new RtpPacket(new RtpHeader({ sequenceNumber: seq, timestamp: seq * 3000, ssrc, payloadType: 96 }), KEY).serialize();
const FINGERPRINT = { algorithm: 'sha-256' as const, value: Array.from({ length: 32 }, () => 'AB').join(':') };

/** The mediasoup documented field names of each stats entry (RTC statistics page). */
const TRANSPORT_FIELDS = [
  'type',
  'transportId',
  'timestamp',
  'bytesReceived',
  'recvBitrate',
  'bytesSent',
  'sendBitrate',
  'rtpBytesReceived',
  'rtpRecvBitrate',
  'rtpBytesSent',
  'rtpSendBitrate',
  'rtxBytesReceived',
  'rtxRecvBitrate',
  'rtxBytesSent',
  'rtxSendBitrate',
  'probationBytesSent',
  'probationSendBitrate',
];
const WEBRTC_TRANSPORT_FIELDS = [...TRANSPORT_FIELDS, 'iceRole', 'iceState', 'dtlsState'];
const RTP_STREAM_FIELDS = [
  'type',
  'timestamp',
  'ssrc',
  'kind',
  'mimeType',
  'packetsLost',
  'fractionLost',
  'packetsDiscarded',
  'packetsRetransmitted',
  'packetsRepaired',
  'nackCount',
  'nackPacketCount',
  'pliCount',
  'firCount',
  'score',
  'packetCount',
  'byteCount',
  'bitrate',
];

describe('mediasoup behaviour', { timeout: 60_000 }, () => {
  let worker: Worker;
  let router: Router;

  beforeAll(async () => {
    worker = await createWorker();
    router = await worker.createRouter({ mediaCodecs });
  }, 60_000);
  afterAll(() => worker.close());

  it('pause()/resume() not awaited: one observer event per state change, in call order', async () => {
    const send = await router.createDirectTransport();
    const recv = await router.createDirectTransport();
    try {
      const producer = await send.produce({ kind: 'video', rtpParameters: vp8(1001) });
      const producerEvents: string[] = [];
      producer.observer.on('pause', () => producerEvents.push('pause'));
      producer.observer.on('resume', () => producerEvents.push('resume'));
      await Promise.all([producer.pause(), producer.pause(), producer.resume(), producer.resume(), producer.pause(), producer.pause()]);
      expect(producerEvents).toEqual(['pause', 'resume', 'pause']);
      expect(producer.paused).toBe(true);
      await Promise.all([producer.resume(), producer.resume()]);
      expect(producerEvents).toEqual(['pause', 'resume', 'pause', 'resume']);

      const consumer = await recv.consume({ producerId: producer.id });
      const consumerEvents: string[] = [];
      consumer.observer.on('pause', () => consumerEvents.push('pause'));
      consumer.observer.on('resume', () => consumerEvents.push('resume'));
      await Promise.all([consumer.pause(), consumer.pause(), consumer.pause(), consumer.resume(), consumer.resume()]);
      expect(consumerEvents).toEqual(['pause', 'resume']);
      expect(consumer.paused).toBe(false);
      const dump = (await consumer.dump()) as { paused: boolean };
      expect(dump.paused).toBe(false);
      // A call on a closed object still fails as in mediasoup.
      consumer.close();
      await expect(consumer.pause()).rejects.toThrow('Consumer closed');
    } finally {
      send.close();
      recv.close();
    }
  });

  it('dtlsParameters.role is the negotiated local role after connect(); bad DTLS parameters are TypeErrors', async () => {
    const a = await router.createWebRtcTransport();
    const b = await router.createWebRtcTransport();
    const c = await router.createWebRtcTransport();
    try {
      expect(a.dtlsParameters.role).toBe('auto');
      await expect(a.connect({ dtlsParameters: { role: 'boss' as never, fingerprints: [FINGERPRINT] } })).rejects.toThrow(TypeError);
      await expect(
        a.connect({ dtlsParameters: { role: 'client', fingerprints: [FINGERPRINT, { algorithm: 'md5' as never, value: 'AB:CD' }] } }),
      ).rejects.toThrow(TypeError);
      await expect(a.connect({ dtlsParameters: { role: 'client', fingerprints: [] } })).rejects.toThrow(TypeError);
      expect(a.dtlsParameters.role).toBe('auto');
      await a.connect({ dtlsParameters: { role: 'client', fingerprints: [FINGERPRINT] } });
      expect(a.dtlsParameters.role).toBe('server');
      await b.connect({ dtlsParameters: { role: 'server', fingerprints: [FINGERPRINT] } });
      expect(b.dtlsParameters.role).toBe('client');
      await c.connect({ dtlsParameters: { role: 'auto', fingerprints: [FINGERPRINT] } });
      expect(c.dtlsParameters.role).toBe('server');
      expect(a.dtlsParameters.fingerprints[0]!.algorithm).toBe('sha-256');
    } finally {
      a.close();
      b.close();
      c.close();
    }
  });

  it("getStats() uses mediasoup's field names; a producer has none before RTP", async () => {
    const send = await router.createDirectTransport();
    const recv = await router.createDirectTransport();
    const web = await router.createWebRtcTransport();
    try {
      const [webStats] = await web.getStats();
      for (const f of WEBRTC_TRANSPORT_FIELDS) expect(webStats, f).toHaveProperty(f);
      expect(webStats!.type).toBe('webrtc-transport');

      const producer = await send.produce({ kind: 'video', rtpParameters: vp8(2002) });
      expect(await producer.getStats()).toEqual([]);
      const consumer = await recv.consume({ producerId: producer.id });
      consumer.on('rtp', () => undefined);
      const [idle] = await send.getStats();
      for (const f of TRANSPORT_FIELDS) expect(idle, f).toHaveProperty(f);
      expect(idle!.type).toBe('direct-transport');
      expect(idle!.rtpBytesReceived).toBe(0);

      // Keep media flowing until the bitrates (sampled every second) show it.
      let seq = 1;
      const timer = setInterval(() => producer.send(rtp(seq++, 2002)), 20);
      try {
        await expect
          .poll(async () => (await send.getStats())[0]!, { timeout: 15_000, interval: 200 })
          .toSatisfy((s: Record<string, unknown>) => (s.recvBitrate as number) > 0 && (s.rtpRecvBitrate as number) > 0);
        await expect.poll(async () => (await producer.getStats())[0]?.bitrate ?? 0, { timeout: 15_000, interval: 200 }).toBeGreaterThan(0);
        await expect.poll(async () => (await consumer.getStats())[0]!.bitrate, { timeout: 15_000, interval: 200 }).toBeGreaterThan(0);
        await expect.poll(async () => (await recv.getStats())[0]!.sendBitrate, { timeout: 15_000, interval: 200 }).toBeGreaterThan(0);
      } finally {
        clearInterval(timer);
      }
      const [t] = await send.getStats();
      expect(t!.rtpBytesReceived as number).toBeGreaterThan(0);
      expect(t!.bytesReceived as number).toBeGreaterThanOrEqual(t!.rtpBytesReceived as number);
      const producerStats = await producer.getStats();
      expect(producerStats).toHaveLength(1);
      for (const f of RTP_STREAM_FIELDS) expect(producerStats[0], f).toHaveProperty(f);
      expect(producerStats[0]!.type).toBe('inbound-rtp');
      expect(producerStats[0]!.ssrc).toBe(2002);
      const consumerStats = await consumer.getStats();
      expect(consumerStats[0]!.type).toBe('outbound-rtp');
      for (const f of RTP_STREAM_FIELDS) expect(consumerStats[0], f).toHaveProperty(f);
      expect(consumerStats[1]!.type).toBe('inbound-rtp');
      // The keyframe request the consumer caused is counted as a PLI towards the producer.
      expect(producerStats[0]!.pliCount as number).toBeGreaterThan(0);
      expect(producerStats[0]!.firCount).toBe(0);
    } finally {
      send.close();
      recv.close();
      web.close();
    }
  });

  it('invalid arguments throw TypeError: log level, ports, listen infos, encodings', async () => {
    await expect(createWorker({ logLevel: 'loud' as never })).rejects.toThrow(TypeError);
    await expect(createWorker({ logTags: ['everything' as never] })).rejects.toThrow(TypeError);
    await expect(createWorker({ rtcMinPort: 40010, rtcMaxPort: 40000 })).rejects.toThrow(TypeError);
    await expect(createWorker({ rtcMinPort: 40000 })).rejects.toThrow(TypeError);
    await expect(createWorker({ rtcMinPort: 1.5, rtcMaxPort: 2 })).rejects.toThrow(TypeError);
    await expect(createWorker({ rtcMinPort: 1000, rtcMaxPort: 70000 })).rejects.toThrow(TypeError);
    await expect(createWorker({ rtcListenIp: 'localhost-ish' })).rejects.toThrow(TypeError);
    await expect(worker.updateSettings({ logLevel: 'info' as never })).rejects.toThrow(TypeError);

    await expect(router.createWebRtcTransport({ listenInfos: [{ protocol: 'sctp' as never, ip: '127.0.0.1' }] })).rejects.toThrow(
      TypeError,
    );
    await expect(router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: 'not-an-ip' }] })).rejects.toThrow(TypeError);
    await expect(router.createWebRtcTransport({ listenInfos: [] })).rejects.toThrow(TypeError);
    await expect(
      router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', portRange: { min: 50, max: 10 } }] }),
    ).rejects.toThrow(TypeError);
    await expect(
      router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }], listenIps: ['127.0.0.1'] }),
    ).rejects.toThrow(TypeError);
    await expect(router.createWebRtcTransport({ listenIps: ['nope'] })).rejects.toThrow(TypeError);

    const direct = await router.createDirectTransport();
    const web = await router.createWebRtcTransport();
    try {
      const codecs = vp8(1).codecs;
      await expect(direct.produce({ kind: 'video', rtpParameters: { codecs, encodings: [] } })).rejects.toThrow(TypeError);
      // Omitted encodings become [] as in mediasoup's ortc, and a producer needs one.
      await expect(direct.produce({ kind: 'video', rtpParameters: { codecs } })).rejects.toThrow('empty rtpParameters.encodings');
      await expect(web.produce({ kind: 'video', rtpParameters: { codecs, encodings: [{}] } })).rejects.toThrow(TypeError);
      await expect(web.produce({ kind: 'video', rtpParameters: { codecs, encodings: [{ ssrc: 'x' as never }] } })).rejects.toThrow(
        TypeError,
      );
      await expect(web.produce({ kind: 'data' as never, rtpParameters: vp8(9) })).rejects.toThrow(TypeError);
      // With a mid, one encoding without SSRC is fine (learned from the MID extension).
      const p = await web.produce({ kind: 'video', rtpParameters: { codecs, mid: '0', encodings: [{}] } });
      expect(p.rtpParameters.encodings![0]!.dtx).toBe(false);
    } finally {
      direct.close();
      web.close();
    }
  });

  it('listen infos and port ranges are honoured or refused, never ignored', async () => {
    const { udp } = await worker.dump();
    // Matching the worker's socket: honoured.
    const ok = await router.createWebRtcTransport({
      listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', port: udp.port, portRange: { min: udp.port, max: udp.port } }],
    });
    expect(ok.iceCandidates[0]!.port).toBe(udp.port);
    ok.close();
    // Not matching it: refused.
    await expect(router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.2' }] })).rejects.toThrow(UnsupportedError);
    await expect(router.createWebRtcTransport({ listenIps: ['127.0.0.2'] })).rejects.toThrow(UnsupportedError);
    const other = udp.port === 65535 ? udp.port - 1 : udp.port + 1;
    await expect(router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', port: other }] })).rejects.toThrow(
      UnsupportedError,
    );
    await expect(
      router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', portRange: { min: other, max: other } }] }),
    ).rejects.toThrow(UnsupportedError);

    // The ICE-TCP port likewise.
    const { tcp } = await worker.dump();
    if (tcp) {
      const otherTcp = tcp.port === 65535 ? tcp.port - 1 : tcp.port + 1;
      await expect(router.createWebRtcTransport({ listenInfos: [{ protocol: 'tcp', ip: '127.0.0.1', port: otherTcp }] })).rejects.toThrow(
        UnsupportedError,
      );
      const okTcp = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'tcp', ip: '127.0.0.1', port: tcp.port }] });
      expect(okTcp.iceCandidates.map((c) => [c.protocol, c.port])).toEqual([['tcp', tcp.port]]);
      okTcp.close();
    }

    // rtcMinPort/rtcMaxPort: the worker binds inside the range, or fails to start when it is taken.
    const blocker = createSocket('udp4');
    await new Promise<void>((resolve) => blocker.bind(0, '127.0.0.1', resolve));
    const taken = blocker.address().port;
    let ranged: Worker | undefined;
    try {
      await expect(createWorker({ rtcMinPort: taken, rtcMaxPort: taken })).rejects.toThrow(/no free UDP port/);
      const min = taken === 65535 ? taken - 20 : Math.min(taken + 1, 65515);
      ranged = await createWorker({ rtcMinPort: min, rtcMaxPort: min + 20 });
      const port = (await ranged.dump()).udp.port;
      expect(port).toBeGreaterThanOrEqual(min);
      expect(port).toBeLessThanOrEqual(min + 20);
    } finally {
      ranged?.close();
      blocker.close();
    }
  });

  it('worker.pid is never a process id that process.kill() would act on', () => {
    expect(Number.isNaN(worker.pid)).toBe(true);
    expect(() => process.kill(worker.pid, 0)).toThrow();
    expect(worker.threadId).toBeGreaterThan(0);
  });
});
