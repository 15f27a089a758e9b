import type { Worker as SfuWorker } from '@alcove/sfu';
import { describe, expect, it } from 'vitest';
import { FakeMediaEngine } from './fake-engine.js';
import { createSfuWorker } from './sfu-engine.js';
import { createWorkerPool, workerCount, workerOptions } from './worker-pool.js';

const mediaCodecs = [
  { kind: 'audio' as const, mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  { kind: 'video' as const, mimeType: 'video/VP8', clockRate: 90000 },
];

describe('media worker pool', { timeout: 60_000 }, () => {
  it("places each session's router on the least-loaded @alcove/sfu worker (one engine thread each)", async () => {
    const pool = await createWorkerPool(createSfuWorker, { listenIp: '127.0.0.1', logLevel: 'none' }, 2);
    try {
      const [w0, w1] = pool.workers as unknown as SfuWorker[];
      expect(w0!.threadId).not.toBe(w1!.threadId);
      const a = await pool.createRouter({ mediaCodecs });
      const b = await pool.createRouter({ mediaCodecs });
      expect(pool.load).toEqual([1, 1]);
      expect((await w0!.dump()).routerIds).toEqual([a.id]);
      expect((await w1!.dump()).routerIds).toEqual([b.id]);
      // A closed session frees its worker: the next router goes there.
      a.close();
      const c = await pool.createRouter({ mediaCodecs });
      expect((await w0!.dump()).routerIds).toEqual([c.id]);
      // Concurrent creations spread out as well.
      const more = await Promise.all([pool.createRouter({ mediaCodecs }), pool.createRouter({ mediaCodecs })]);
      expect(pool.load).toEqual([2, 2]);
      expect(more.map((r) => r.closed)).toEqual([false, false]);
    } finally {
      pool.close();
    }
    expect(pool.workers.every((w) => w.closed)).toBe(true);
  });

  it('shares a port range out between workers and starts no more workers than ports', async () => {
    expect(workerCount({ rtcMinPort: 40000, rtcMaxPort: 40000 }, 4)).toBe(1);
    expect(workerCount({ rtcMinPort: 40000, rtcMaxPort: 40001 }, 4)).toBe(2);
    expect(workerCount({}, 3)).toBe(3);
    expect(() => workerCount({}, 0)).toThrow(TypeError);
    expect(workerOptions({ rtcMinPort: 40000, rtcMaxPort: 40099 }, 0, 2)).toMatchObject({ rtcMinPort: 40000, rtcMaxPort: 40049 });
    expect(workerOptions({ rtcMinPort: 40000, rtcMaxPort: 40099 }, 1, 2)).toMatchObject({ rtcMinPort: 40050, rtcMaxPort: 40099 });
  });

  it('emits died once when any worker dies, and closes every worker on close()', async () => {
    const engine = new FakeMediaEngine();
    const pool = await createWorkerPool(engine.createWorker, {}, 3);
    const died: unknown[] = [];
    pool.on('died', (e) => died.push(e));
    engine.killWorkers();
    expect(died).toHaveLength(1);
    pool.close();
    expect(pool.closed).toBe(true);
    await expect(pool.createRouter({ mediaCodecs })).rejects.toThrow('closed');
  });
});
