/**
 * AudioLevelObserver and ActiveSpeakerObserver, fed real RTP with the `ssrc-audio-level` header
 * extension (RFC 6464) through DirectTransport producers.
 */
import { RtpHeader, RtpPacket } from 'werift';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorker, type Worker } from './index.js';
import type { Producer } from './producer/producer.js';
import type { Router } from './router/router.js';
import type { AudioLevelObserverVolume } from './rtp-observer/audio-level-observer.js';
import type { DirectTransport } from './transport/direct-transport.js';

const mediaCodecs = [
  { kind: 'audio' as const, mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  { kind: 'video' as const, mimeType: 'video/VP8', clockRate: 90000 },
];
const LEVEL_EXT_ID = 3;
const opus = (ssrc: number) => ({
  codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2 }],
  headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:ssrc-audio-level' as const, id: LEVEL_EXT_ID }],
  encodings: [{ ssrc }],
});

/** A packet whose audio level is `level` (-dBov, 0..127) with the voice bit `voice`. */
function audio(ssrc: number, seq: number, level: number, voice: boolean): Buffer {
  const ext = { id: LEVEL_EXT_ID, payload: Buffer.from([(voice ? 0x80 : 0) | level]) };
  return new RtpPacket(
    new RtpHeader({ sequenceNumber: seq, timestamp: seq * 960, ssrc, payloadType: 111, extension: true, extensions: [ext] }),
    Buffer.from([0xfc, 1, 2, 3]),
  ).serialize();
}

/** Sends 20 ms audio packets from each source at its current level until stopped. */
function talk(sources: { producer: Producer; ssrc: number; level: number; voice: boolean }[]): () => void {
  let seq = 1;
  const timer = setInterval(() => {
    for (const s of sources) s.producer.send(audio(s.ssrc, seq, s.level, s.voice));
    seq++;
  }, 20);
  return () => clearInterval(timer);
}

describe('RTP observers', { timeout: 60_000 }, () => {
  let worker: Worker;
  let router: Router;
  let send: DirectTransport;

  beforeAll(async () => {
    worker = await createWorker();
    router = await worker.createRouter({ mediaCodecs });
    send = await router.createDirectTransport();
  }, 60_000);
  afterAll(() => worker.close());

  it('AudioLevelObserver reports the loudest producers above threshold, loudest first, then silence once', async () => {
    const a = await send.produce({ kind: 'audio', rtpParameters: opus(101), appData: { who: 'a' } });
    const b = await send.produce({ kind: 'audio', rtpParameters: opus(102), appData: { who: 'b' } });
    const c = await send.produce({ kind: 'audio', rtpParameters: opus(103), appData: { who: 'c' } });
    const levels = await router.createAudioLevelObserver({ maxEntries: 2, threshold: -70, interval: 200 });
    const added: string[] = [];
    levels.observer.on('addproducer', (p) => added.push(p.id));
    for (const p of [a, b, c]) await levels.addProducer({ producerId: p.id });
    expect(added).toEqual([a.id, b.id, c.id]);
    const volumes: AudioLevelObserverVolume[][] = [];
    let silences = 0;
    levels.on('volumes', (v) => volumes.push(v));
    levels.on('silence', () => silences++);
    const sources = [
      { producer: a, ssrc: 101, level: 20, voice: true }, // -20 dBov
      { producer: b, ssrc: 102, level: 60, voice: true }, // -60 dBov
      { producer: c, ssrc: 103, level: 65, voice: true }, // -65 dBov: above threshold, but a third entry
    ];
    const stop = talk(sources);
    try {
      await expect.poll(() => volumes.length, { timeout: 20_000 }).toBeGreaterThan(1);
      const last = volumes.at(-1)!;
      expect(last.map((v) => v.producer.id)).toEqual([a.id, b.id]);
      expect(last.map((v) => v.volume)).toEqual([-20, -60]);
      // Everyone goes quiet (below -70 dBov): one silence event, not one per interval.
      for (const s of sources) s.level = 90;
      await expect.poll(() => silences, { timeout: 20_000 }).toBe(1);
      const afterSilence = volumes.length;
      // Loud again: volumes again, then silence is reported again.
      sources[1]!.level = 30;
      // (The interval in which the level changed averages both levels.)
      await expect
        .poll(
          () =>
            volumes
              .slice(afterSilence)
              .at(-1)
              ?.map((v) => [v.producer.id, v.volume]),
          { timeout: 20_000 },
        )
        .toEqual([[b.id, -30]]);
      expect(silences).toBe(1);
    } finally {
      stop();
    }
    // A closed producer leaves the observer.
    const removed: string[] = [];
    levels.observer.on('removeproducer', (p) => removed.push(p.id));
    a.close();
    expect(removed).toEqual([a.id]);
    levels.close();
    expect(levels.closed).toBe(true);
    b.close();
    c.close();
  });

  it('ActiveSpeakerObserver names the dominant speaker and follows a clear change', async () => {
    const a = await send.produce({ kind: 'audio', rtpParameters: opus(201) });
    const b = await send.produce({ kind: 'audio', rtpParameters: opus(202) });
    const speaker = await router.createActiveSpeakerObserver({ interval: 100 });
    await speaker.addProducer({ producerId: a.id });
    await speaker.addProducer({ producerId: b.id });
    const dominant: string[] = [];
    speaker.on('dominantspeaker', ({ producer }) => dominant.push(producer.id));
    const sources = [
      { producer: a, ssrc: 201, level: 25, voice: true },
      { producer: b, ssrc: 202, level: 127, voice: false },
    ];
    const stop = talk(sources);
    try {
      await expect.poll(() => dominant, { timeout: 20_000 }).toEqual([a.id]);
      // A stops, B starts talking.
      sources[0] = { ...sources[0]!, level: 127, voice: false };
      sources[1] = { ...sources[1]!, level: 25, voice: true };
      await expect.poll(() => dominant, { timeout: 20_000 }).toEqual([a.id, b.id]);
    } finally {
      stop();
      speaker.close();
      a.close();
      b.close();
    }
  });

  it('refuses bad options and non-audio producers with TypeError; closes with its router', async () => {
    await expect(router.createAudioLevelObserver({ maxEntries: 0 })).rejects.toThrow(TypeError);
    await expect(router.createAudioLevelObserver({ threshold: 10 })).rejects.toThrow(TypeError);
    await expect(router.createAudioLevelObserver({ interval: 0 })).rejects.toThrow(TypeError);
    await expect(router.createActiveSpeakerObserver({ interval: -5 })).rejects.toThrow(TypeError);
    const other = await worker.createRouter({ mediaCodecs });
    const direct = await other.createDirectTransport();
    const video = await direct.produce({
      kind: 'video',
      rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 }], encodings: [{ ssrc: 9 }] },
    });
    const levels = await other.createAudioLevelObserver();
    const created: unknown[] = [];
    other.observer.on('newrtpobserver', (o) => created.push(o));
    const speaker = await other.createActiveSpeakerObserver();
    expect(created).toEqual([speaker]);
    await expect(levels.addProducer({ producerId: video.id })).rejects.toThrow(TypeError);
    await expect(levels.addProducer({ producerId: 'nope' })).rejects.toThrow(TypeError);
    let routerClosed = 0;
    levels.on('routerclose', () => routerClosed++);
    speaker.on('routerclose', () => routerClosed++);
    other.close();
    expect(routerClosed).toBe(2);
    expect(levels.closed && speaker.closed).toBe(true);
    await expect(levels.pause()).rejects.toThrow('closed');
  });
});
