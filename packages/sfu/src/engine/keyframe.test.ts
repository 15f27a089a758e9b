import { RtpHeader, RtpPacket } from 'werift';
import { describe, expect, it, vi } from 'vitest';
import type { RtpParameters } from '../types/index.js';
import { RtpHeaderView, parseRtpHeader } from '../rtp/rtp-header.js';
import { KEYFRAME_CACHE_MAX_AGE_MS, KEYFRAME_CACHE_MAX_PACKETS, KeyFrameCache } from './keyframe.js';
import { EngineProducer, KEYFRAME_GAP_MARGIN_MS, KEYFRAME_MIN_GAP_MS, type ProducerHost, type ProducerListener } from './producer.js';

const KEY = Buffer.from([0x10, 0x00, 0x9d, 0x01, 0x2a]); // VP8 descriptor S=1 PID=0, keyframe (P=0)
const DELTA = Buffer.from([0x10, 0x01, 0x00, 0x00]);
const packet = (seq: number, ts: number, payload: Buffer, ssrc = 1111): Buffer =>
  new RtpPacket(new RtpHeader({ sequenceNumber: seq, timestamp: ts, ssrc, payloadType: 96 }), payload).serialize();
const view = new RtpHeaderView();
const parsed = (buf: Buffer): RtpHeaderView => {
  if (!parseRtpHeader(buf, view)) throw new Error('not RTP');
  return view;
};

describe('KeyFrameCache', () => {
  const add = (cache: KeyFrameCache, seq: number, ts: number, payload: Buffer, key: boolean): boolean => {
    const buf = packet(seq, ts, payload);
    return cache.add(buf, buf.length, ts, key);
  };
  const seqs = (cache: KeyFrameCache): number[] => Array.from({ length: cache.count }, (_, i) => cache.buffer(i).readUInt16BE(2));

  it('keeps the last key frame and the packets since; a new key frame starts over; one picture over several packets stays one', () => {
    const gop = new KeyFrameCache();
    expect(add(gop, 1, 0, DELTA, false)).toBe(false);
    expect(gop.count).toBe(0); // nothing before a key frame
    expect(add(gop, 2, 3000, KEY, true)).toBe(true);
    expect(add(gop, 3, 3000, KEY, true)).toBe(false); // same picture (e.g. H.264 SPS/PPS then IDR)
    add(gop, 4, 6000, DELTA, false);
    expect(seqs(gop)).toEqual([2, 3, 4]);
    expect(add(gop, 5, 9000, KEY, true)).toBe(true);
    expect(seqs(gop)).toEqual([5]);
  });

  it('keeps the packets themselves, by reference, with their lengths', () => {
    const gop = new KeyFrameCache();
    const buf = packet(7, 3000, KEY);
    gop.add(buf, buf.length - 1, 3000, true);
    expect(gop.buffer(0)).toBe(buf);
    expect(gop.length(0)).toBe(buf.length - 1);
  });

  it('empties itself past its bound until the next key frame', () => {
    const gop = new KeyFrameCache();
    add(gop, 0, 0, KEY, true);
    for (let i = 1; i < KEYFRAME_CACHE_MAX_PACKETS; i++) add(gop, i, i * 3000, DELTA, false);
    expect(gop.count).toBe(KEYFRAME_CACHE_MAX_PACKETS);
    add(gop, KEYFRAME_CACHE_MAX_PACKETS, 0, DELTA, false);
    expect(gop.count).toBe(0);
    add(gop, KEYFRAME_CACHE_MAX_PACKETS + 1, 1, DELTA, false);
    expect(gop.count).toBe(0);
  });
});

describe('EngineProducer key frames for starting consumers', () => {
  const rtpParameters: RtpParameters = {
    codecs: [
      {
        mimeType: 'video/VP8',
        payloadType: 96,
        clockRate: 90000,
        rtcpFeedback: [
          { type: 'nack', parameter: 'pli' },
          { type: 'nack', parameter: '' },
        ],
      },
    ],
    headerExtensions: [],
    encodings: [{ ssrc: 1111 }],
  };
  const consumable: RtpParameters = {
    ...rtpParameters,
    codecs: [{ ...rtpParameters.codecs[0]!, payloadType: 101 }],
    encodings: [{ ssrc: 2222 }],
  };
  const make = (keyFrameCache: boolean) => {
    const rtcp: Buffer[] = [];
    const host: ProducerHost = {
      id: 't',
      mediaReady: true,
      feedbackSsrc: 1,
      sendRtcp: (b) => void rtcp.push(b),
      drop: () => undefined,
    };
    const p = new EngineProducer(
      host,
      {
        id: 'p',
        kind: 'video',
        rtpParameters,
        consumableRtpParameters: consumable,
        rtpMapping: { codecs: [{ payloadType: 96, mappedPayloadType: 101 }], encodings: [{ ssrc: 1111, mappedSsrc: 2222 }] },
        paused: false,
        keyFrameCache,
      },
      () => undefined,
    );
    const stream = p.streamBySsrc(1111)!;
    const send = (seq: number, ts: number, payload: Buffer, now: number) => {
      const buf = packet(seq, ts, payload);
      p.receiveRtp(buf, parsed(buf), stream, now);
    };
    return { p, rtcp, send };
  };
  const listener = (): ProducerListener & { got: { seq: number; key: boolean }[] } => {
    const got: { seq: number; key: boolean }[] = [];
    return { got, sendRtp: (_buf, h, key) => void got.push({ seq: h.sequenceNumber, key }), onProducerSr: () => undefined };
  };

  it('replays the recent key frame and every packet since to a starting consumer, at once and without a new request', () => {
    const { p, rtcp, send } = make(true);
    try {
      const viewer = listener();
      p.listeners.add(viewer);
      p.requestKeyFrame(0); // another viewer asked a moment ago
      expect(rtcp).toHaveLength(1);
      send(10, 3000, KEY, 40);
      send(11, 6000, DELTA, 70);
      send(12, 9000, DELTA, 100);
      const newcomer = listener();
      expect(p.replayKeyFrame(newcomer, 120, 20)).toBe(true); // created at 20, before the key frame (40)
      expect(newcomer.got).toEqual([
        { seq: 10, key: true },
        { seq: 11, key: false },
        { seq: 12, key: false },
      ]);
      expect(p.keyFramesReplayed).toBe(1);
      expect(rtcp).toHaveLength(1); // the sender was not asked again (it would ignore it within 300 ms)
      expect(viewer.got.map((g) => g.seq)).toEqual([10, 11, 12]); // forwarding is unchanged
    } finally {
      p.close();
    }
  });

  it('does not replay a stale key frame, one from before the consumer existed, without a cache, or while paused', () => {
    const stale = make(true);
    stale.send(10, 3000, KEY, 0);
    expect(stale.p.replayKeyFrame(listener(), KEYFRAME_CACHE_MAX_AGE_MS + 1, 0)).toBe(false);
    const none = make(false);
    none.send(10, 3000, KEY, 0);
    expect(none.p.replayKeyFrame(listener(), 10, 0)).toBe(false);
    const paused = make(true);
    paused.send(10, 3000, KEY, 0);
    paused.p.paused = true;
    expect(paused.p.replayKeyFrame(listener(), 10, 0)).toBe(false);
    // A key frame from before the consumer was created may be under a key the newcomer must not hold.
    const earlier = make(true);
    earlier.send(10, 3000, KEY, 100);
    expect(earlier.p.replayKeyFrame(listener(), 150, 120)).toBe(false);
    for (const x of [stale, none, paused, earlier]) x.p.close();
  });

  it('a request inside the gap goes out past it (with a margin), so the sender does not ignore it', () => {
    // Fake timers and clock: a real timer may fire a millisecond "early" against performance.now()
    // (libuv's loop time is coarser), which made a real-time version of this test fail in CI.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const { p, rtcp } = make(true);
    try {
      const t0 = performance.now();
      p.requestKeyFrame(t0);
      expect(rtcp).toHaveLength(1);
      // The key frame came; another request right after is deferred, not sent.
      const buf = packet(1, 3000, KEY);
      p.receiveRtp(buf, parsed(buf), p.streamBySsrc(1111)!, t0 + 1);
      p.requestKeyFrame(t0 + 2);
      expect(rtcp).toHaveLength(1);
      // Deferred to the gap plus the margin after the first request (t0 + gap + margin), not to the gap.
      vi.advanceTimersByTime(KEYFRAME_MIN_GAP_MS + KEYFRAME_GAP_MARGIN_MS - 3);
      expect(rtcp).toHaveLength(1);
      vi.advanceTimersByTime(2);
      expect(rtcp).toHaveLength(2);
    } finally {
      p.close();
      vi.useRealTimers();
    }
  });
});
