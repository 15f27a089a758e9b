/**
 * The worker's logger end to end: records cross from the engine thread to the injected logger,
 * honour `logLevel` / `logTags` (also after `updateSettings`), and every packet the media path
 * drops bumps a counter that the transport's stats expose.
 */
import { RtpHeader, RtpPacket } from 'werift';
import { afterEach, describe, expect, it } from 'vitest';
import type { SfuLogFields } from './common/logger.js';
import { createWorker, type Worker } from './index.js';

const mediaCodecs = [{ kind: 'video' as const, mimeType: 'video/VP8', clockRate: 90000 }];

interface Captured {
  level: string;
  event: string;
  fields: SfuLogFields;
}

function capturingLogger(): {
  logger: { debug(e: string, f?: SfuLogFields): void; warn(e: string, f?: SfuLogFields): void; error(e: string, f?: SfuLogFields): void };
  records: Captured[];
} {
  const records: Captured[] = [];
  const at =
    (level: string) =>
    (event: string, fields: SfuLogFields = {}) =>
      void records.push({ level, event, fields });
  return { logger: { debug: at('debug'), warn: at('warn'), error: at('error') }, records };
}

const rtp = (seq: number): Buffer =>
  new RtpPacket(
    new RtpHeader({ sequenceNumber: seq, timestamp: seq * 3000, ssrc: 4242, payloadType: 96 }),
    Buffer.from([0x10, 0x00, 0x9d, 0x01, 0x2a]),
  ).serialize();

async function directProducer(worker: Worker) {
  const router = await worker.createRouter({ mediaCodecs });
  const transport = await router.createDirectTransport();
  const producer = await transport.produce({
    kind: 'video',
    rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 }], encodings: [{ ssrc: 4242 }] },
  });
  return { transport, producer };
}

const statsOf = async (t: { getStats(): Promise<Record<string, unknown>[]> }) =>
  (await t.getStats())[0] as { drops: Record<string, number>; droppedTotal: number };

describe('worker logging and drop counters', () => {
  let worker: Worker | undefined;
  afterEach(() => {
    worker?.close();
    worker = undefined;
  });

  it('bumps the transport counter and logs each dropped packet at debug under its tag, with its reason', async () => {
    const { logger, records } = capturingLogger();
    worker = await createWorker({ logLevel: 'debug', logTags: ['rtp'], logger });
    const { transport, producer } = await directProducer(worker);
    producer.send(Buffer.from([1, 2, 3]));
    producer.send(Buffer.alloc(40, 0xff));
    producer.send(rtp(1)); // a good one: neither counted nor logged

    await expect.poll(async () => (await statsOf(transport)).drops.rtpMalformed, { timeout: 3000 }).toBe(2);
    const stats = await statsOf(transport);
    expect(stats.droppedTotal).toBe(2);
    expect((await worker.dump()).drops.rtpMalformed).toBe(2);

    await expect.poll(() => records.filter((r) => r.event === 'rtp.malformed').length, { timeout: 3000 }).toBe(2);
    const first = records.find((r) => r.event === 'rtp.malformed')!;
    expect(first.level).toBe('debug');
    expect(first.fields).toMatchObject({
      ns: 'alcove-sfu:direct-transport',
      tag: 'rtp',
      transportId: transport.id,
      drop: 'rtpMalformed',
      count: 1,
    });
    expect(String(first.fields.reason)).toMatch(/^Error: not RTP|RangeError|TypeError/);
  });

  it('counts but does not log when the tag is off, and follows updateSettings()', async () => {
    const { logger, records } = capturingLogger();
    worker = await createWorker({ logLevel: 'debug', logTags: ['srtp'], logger });
    const { transport, producer } = await directProducer(worker);
    producer.send(Buffer.from([9]));
    await expect.poll(async () => (await statsOf(transport)).drops.rtpMalformed, { timeout: 3000 }).toBe(1);
    expect(records.filter((r) => r.event === 'rtp.malformed')).toHaveLength(0);

    await worker.updateSettings({ logTags: ['rtp'] });
    producer.send(Buffer.from([9]));
    await expect.poll(() => records.filter((r) => r.event === 'rtp.malformed').length, { timeout: 3000 }).toBe(1);
    expect((await statsOf(transport)).drops.rtpMalformed).toBe(2);

    await worker.updateSettings({ logLevel: 'error' });
    producer.send(Buffer.from([9]));
    await expect.poll(async () => (await statsOf(transport)).drops.rtpMalformed, { timeout: 3000 }).toBe(3);
    expect(records.filter((r) => r.event === 'rtp.malformed')).toHaveLength(1);
  });

  it('refuses unknown levels, tags and loggers', async () => {
    await expect(createWorker({ logLevel: 'verbose' as never })).rejects.toBeInstanceOf(TypeError);
    await expect(createWorker({ logTags: ['keys' as never] })).rejects.toBeInstanceOf(TypeError);
    await expect(createWorker({ logger: { debug: () => undefined } as never })).rejects.toBeInstanceOf(TypeError);
    worker = await createWorker({ logger: capturingLogger().logger });
    await expect(worker.updateSettings({ logLevel: 'loud' as never })).rejects.toBeInstanceOf(TypeError);
  });
});
