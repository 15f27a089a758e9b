import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createFakePlatform } from '../test/fake-platform.js';
import { FakeServer } from '../test/fake-server.js';
import type { MediaManager } from './media-manager.js';
import { MediaMonitor } from './media-monitor.js';

describe('MediaMonitor stall detection', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const setup = (): { bytes: { v: number }; stalls: number[]; monitor: MediaMonitor } => {
    const bytes = { v: 0 };
    const stalls: number[] = [];
    const media = {
      expectsInbound: true,
      inboundBytes: async () => bytes.v,
      consumersOf: () => [],
      producers: [],
    } as unknown as MediaManager;
    const monitor = new MediaMonitor({
      platform: createFakePlatform(new FakeServer()),
      media,
      participants: () => [],
      selfId: () => 'me',
      onStall: () => stalls.push(Date.now()),
      onQuality: () => undefined,
    });
    return { bytes, stalls, monitor };
  };

  it('reports no inbound bytes within 2 s of the last byte, once per episode', async () => {
    const { bytes, stalls, monitor } = setup();
    monitor.start();
    const flowing = setInterval(() => {
      bytes.v += 1000;
    }, 200);
    await vi.advanceTimersByTimeAsync(5000);
    expect(stalls).toEqual([]);
    clearInterval(flowing);
    const stoppedAt = Date.now();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(stalls).toHaveLength(1);
    expect((stalls[0] as number) - stoppedAt).toBeLessThanOrEqual(3000);
    // Media moves again: re-armed.
    bytes.v += 5000;
    await vi.advanceTimersByTimeAsync(1000);
    await vi.advanceTimersByTimeAsync(4000);
    expect(stalls).toHaveLength(2);
    monitor.stop();
    expect(monitor.running).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });
});
