/**
 * WebRtcServer: one port for many WebRtcTransports of a worker, as mediasoup has it — here it
 * names the worker's own socket, refuses listen infos that socket cannot honour, and closes its
 * transports when it closes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorker, UnsupportedError, type Worker } from './index.js';
import type { Router } from './router/router.js';

const mediaCodecs = [{ kind: 'audio' as const, mimeType: 'audio/opus', clockRate: 48000, channels: 2 }];

describe('WebRtcServer', { timeout: 60_000 }, () => {
  let worker: Worker;
  let router: Router;

  beforeAll(async () => {
    worker = await createWorker();
    router = await worker.createRouter({ mediaCodecs });
  }, 60_000);
  afterAll(() => worker.close());

  it("serves its transports on the worker's port with its announced address, and closes them with it", async () => {
    const { udp } = await worker.dump();
    const created: unknown[] = [];
    worker.observer.on('newwebrtcserver', (s) => created.push(s));
    const server = await worker.createWebRtcServer({
      listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', port: udp.port, announcedAddress: '198.51.100.7' }],
      appData: { name: 'edge' },
    });
    expect(created).toEqual([server]);
    const handled: string[] = [];
    const unhandled: string[] = [];
    server.observer.on('webrtctransporthandled', (t) => handled.push(t.id));
    server.observer.on('webrtctransportunhandled', (t) => unhandled.push(t.id));
    const t1 = await router.createWebRtcTransport({ webRtcServer: server });
    const t2 = await router.createWebRtcTransport({ webRtcServer: server });
    expect(handled).toEqual([t1.id, t2.id]);
    for (const t of [t1, t2]) {
      expect(t.iceCandidates).toHaveLength(1);
      expect(t.iceCandidates[0]!).toMatchObject({ protocol: 'udp', address: '198.51.100.7', port: udp.port });
    }
    expect((await server.dump()).webRtcTransportIds).toEqual([t1.id, t2.id]);
    t1.close();
    expect(unhandled).toEqual([t1.id]);
    let listenServerClosed = 0;
    t2.on('listenserverclose', () => listenServerClosed++);
    server.close();
    expect(listenServerClosed).toBe(1);
    expect(t2.closed).toBe(true);
    expect(t2.iceState).toBe('closed');
    await expect(router.createWebRtcTransport({ webRtcServer: server })).rejects.toThrow('closed');
    expect((await worker.dump()).transportIds).not.toContain(t2.id);
  });

  it('refuses what the worker socket cannot honour and malformed options', async () => {
    const { udp } = await worker.dump();
    await expect(worker.createWebRtcServer({ listenInfos: [] })).rejects.toThrow(TypeError);
    await expect(worker.createWebRtcServer({} as never)).rejects.toThrow(TypeError);
    await expect(worker.createWebRtcServer({ listenInfos: [{ protocol: 'udp', ip: 'x' }] })).rejects.toThrow(TypeError);
    await expect(
      worker.createWebRtcServer({
        listenInfos: [
          { protocol: 'udp', ip: '127.0.0.1' },
          { protocol: 'udp', ip: '127.0.0.1' },
        ],
      }),
    ).rejects.toThrow(TypeError);
    await expect(worker.createWebRtcServer({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.3' }] })).rejects.toThrow(UnsupportedError);
    const other = udp.port === 65535 ? udp.port - 1 : udp.port + 1;
    await expect(worker.createWebRtcServer({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', port: other }] })).rejects.toThrow(
      UnsupportedError,
    );
    const server = await worker.createWebRtcServer({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }] });
    await expect(
      router.createWebRtcTransport({ webRtcServer: server, listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }] }),
    ).rejects.toThrow(TypeError);
    const otherWorker = await createWorker();
    try {
      const otherRouter = await otherWorker.createRouter({ mediaCodecs });
      await expect(otherRouter.createWebRtcTransport({ webRtcServer: server })).rejects.toThrow(TypeError);
    } finally {
      otherWorker.close();
    }
  });

  it('closes with its worker (workerclose)', async () => {
    const own = await createWorker();
    try {
      const server = await own.createWebRtcServer({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }] });
      let workerClose = 0;
      server.on('workerclose', () => workerClose++);
      own.close();
      expect(workerClose).toBe(1);
      expect(server.closed).toBe(true);
    } finally {
      own.close();
    }
  });
});
