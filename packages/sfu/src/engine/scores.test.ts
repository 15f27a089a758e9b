import { RtpHeader, RtpPacket } from 'werift';
import { describe, expect, it } from 'vitest';
import type { RtpParameters } from '../types/index.js';
import { RtpHeaderView, parseRtpHeader } from '../rtp/rtp-header.js';
import type { RtpSink } from './context.js';
import { EngineConsumer } from './consumer.js';
import { EngineProducer, INACTIVE_VIDEO_INTERVALS, type ProducerHost } from './producer.js';

// Per-encoding scores of a simulcast producer, and a consumer's view of them (mediasoup's
// `ProducerScore[]` and `ConsumerScore`).
describe('simulcast scores', () => {
  const codec = { mimeType: 'video/VP8', clockRate: 90000, rtcpFeedback: [{ type: 'nack', parameter: 'pli' }] };
  const rtpParameters: RtpParameters = {
    codecs: [{ ...codec, payloadType: 96 }],
    headerExtensions: [],
    encodings: [
      { ssrc: 1001, rid: 'r0' },
      { ssrc: 1002, rid: 'r1' },
      { ssrc: 1003, rid: 'r2' },
    ],
  };
  const consumable: RtpParameters = { codecs: [{ ...codec, payloadType: 101 }], headerExtensions: [], encodings: [{ ssrc: 2001 }] };
  const KEY = Buffer.from([0x10, 0x00, 0x9d, 0x01, 0x2a]);
  const DELTA = Buffer.from([0x10, 0x01, 0x00]);

  const make = () => {
    const host: ProducerHost = { id: 't', mediaReady: true, feedbackSsrc: 1, sendRtcp: () => undefined, drop: () => undefined };
    const events: { id: string; event: string; data: unknown }[] = [];
    const emit = (id: string, event: string, data?: unknown): void => void events.push({ id, event, data });
    const producer = new EngineProducer(
      host,
      {
        id: 'p',
        kind: 'video',
        rtpParameters,
        consumableRtpParameters: consumable,
        rtpMapping: {
          codecs: [{ payloadType: 96, mappedPayloadType: 101 }],
          encodings: [1001, 1002, 1003].map((ssrc, i) => ({ ssrc, rid: `r${i}`, mappedSsrc: 2001 + i })),
        },
        paused: false,
      },
      emit,
    );
    const scratch = Buffer.alloc(2048);
    const sink: RtpSink = {
      mediaReady: true,
      rtpBuffer: () => scratch,
      sendRtp: () => undefined,
      sendRtcp: () => undefined,
      nextTransportSeq: () => 0,
    };
    const consumer = new EngineConsumer(
      producer,
      sink,
      {
        id: 'c',
        kind: 'video',
        paused: false,
        preferredLayers: { spatialLayer: 1 },
        rtpParameters: {
          codecs: [{ ...codec, payloadType: 101 }],
          headerExtensions: [],
          encodings: [{ ssrc: 5555, scalabilityMode: 'L3T1' }],
        },
      },
      emit,
    );
    producer.listeners.add(consumer);
    const seqs = [100, 200, 300];
    const send = (layer: number, payload: Buffer, lose = 0): void => {
      seqs[layer] = (seqs[layer]! + 1 + lose) & 0xffff;
      const ssrc = 1001 + layer;
      const buf = new RtpPacket(
        new RtpHeader({ sequenceNumber: seqs[layer], timestamp: seqs[layer]! * 3000, ssrc, payloadType: 96 }),
        payload,
      ).serialize();
      const h = new RtpHeaderView();
      if (!parseRtpHeader(buf, h)) throw new Error('not RTP');
      producer.receiveRtp(buf, h, producer.streamBySsrc(ssrc)!, 0);
    };
    /** What the transport does every second. */
    const tick = (now: number): void => {
      for (const s of producer.streams) if (s.packetsReceived > 0) s.reportBlock(now);
      producer.updateScores();
      consumer.emitScore();
    };
    return { producer, consumer, events, send, tick };
  };

  it('lists encodings in encoding order, scores a stopped one 0, and gives the consumer the score of the layer it forwards', () => {
    const { producer, consumer, events, send, tick } = make();
    try {
      expect(producer.scores()).toEqual([]); // none before RTP, as mediasoup
      // The top encoding arrives first; the middle one is what the consumer prefers.
      send(2, KEY);
      send(0, KEY);
      send(1, KEY);
      expect(producer.scores().map((s) => s.encodingIdx)).toEqual([0, 1, 2]);
      expect(consumer.currentLayers?.spatialLayer).toBe(1);
      // Interval 1: loss on layer 0 (10 of 20 lost), the others clean.
      for (let i = 0; i < 10; i++) {
        send(0, DELTA, 1);
        send(1, DELTA);
        send(2, DELTA);
      }
      tick(1000);
      const scores = producer.scores();
      expect(scores[0]!.score).toBeLessThan(10);
      expect(scores[1]!.score).toBe(10);
      expect(events.filter((e) => e.event === 'score' && e.id === 'p').at(-1)?.data).toEqual(scores);
      expect(events.filter((e) => e.event === 'score' && e.id === 'c').at(-1)?.data).toEqual({
        score: 10,
        producerScore: 10,
        producerScores: [scores[0]!.score, 10, 10],
      });
      // Switched to the lossy layer: its score becomes the consumer's producerScore (same producerScores).
      consumer.setPreferredLayers(0);
      send(0, KEY);
      expect(consumer.currentLayers?.spatialLayer).toBe(0);
      consumer.emitScore();
      expect(events.filter((e) => e.event === 'score' && e.id === 'c').at(-1)?.data).toEqual({
        score: 10,
        producerScore: scores[0]!.score,
        producerScores: [scores[0]!.score, 10, 10],
      });
      consumer.setPreferredLayers(1);
      send(1, KEY);
      expect(consumer.currentLayers?.spatialLayer).toBe(1);
      // The top encoding stops (the sender dropped it): after the inactivity intervals it scores 0.
      for (let n = 0; n < INACTIVE_VIDEO_INTERVALS; n++) {
        for (let i = 0; i < 10; i++) {
          send(0, DELTA);
          send(1, DELTA);
        }
        expect(producer.scores()[2]!.score).toBe(10);
        tick(2000 + n * 1000);
      }
      expect(producer.scores().map((s) => s.score)).toEqual([10, 10, 0]);
      expect(events.filter((e) => e.event === 'score' && e.id === 'c').at(-1)?.data).toEqual({
        score: 10,
        producerScore: 10,
        producerScores: [10, 10, 0],
      });
      // It comes back.
      send(2, DELTA);
      tick(10_000);
      expect(producer.scores()[2]!.score).toBe(10);
    } finally {
      consumer.close();
      producer.close();
    }
  });

  it('keeps the scores of a paused producer whose sender went quiet', () => {
    const { producer, send, tick } = make();
    try {
      send(0, KEY);
      tick(1000);
      producer.paused = true;
      for (let n = 0; n < INACTIVE_VIDEO_INTERVALS + 2; n++) tick(2000 + n * 1000);
      expect(producer.scores()[0]!.score).toBe(10);
    } finally {
      producer.close();
    }
  });
});
