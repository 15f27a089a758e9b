import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AlcoveError } from '../session/errors.js';
import { ChecklistError } from './errors.js';
import { NETWORK_PROBE, NETWORK_THRESHOLDS, type NetworkTestResult, classifyNetwork, runNetworkTest } from './network-test.js';
import { FakeDevice, FakeLink, FakeTestServer, createTestPlatform } from './test/fakes.js';

function setup(link = new FakeLink()) {
  const platform = createTestPlatform();
  const devices: FakeDevice[] = [];
  platform.device = () => {
    const d = new FakeDevice(link);
    devices.push(d);
    return d;
  };
  const server = new FakeTestServer(link);
  const progress: number[] = [];
  return { platform, devices, server, link, progress };
}

/** Runs the test under fake timers until it settles (at most 12 s of fake time). */
async function run(
  s: ReturnType<typeof setup>,
  signal?: AbortSignal,
): Promise<{ result?: NetworkTestResult; error?: unknown; elapsed: number }> {
  const t0 = Date.now();
  let settled: { result?: NetworkTestResult; error?: unknown } | undefined;
  runNetworkTest({
    request: s.server.request,
    platform: s.platform,
    ...(signal ? { signal } : {}),
    onProgress: (f) => s.progress.push(f),
  }).then(
    (result) => (settled = { result }),
    (error: unknown) => (settled = { error }),
  );
  for (let i = 0; i < 120 && !settled; i++) await vi.advanceTimersByTimeAsync(100);
  return { ...settled, elapsed: Date.now() - t0 };
}

function expectCleanedUp(s: ReturnType<typeof setup>): void {
  for (const d of s.devices) for (const t of d.transports) expect(t.closed).toBe(true);
  for (const p of s.platform.probes) expect(p.stopped).toBe(true);
}

describe('runNetworkTest', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('measures a good link through a publish → consume loop and stops early once the bitrate is stable', async () => {
    const s = setup();
    const { result, elapsed } = await run(s);
    expect(result).toMatchObject({ quality: 'good', recommended: 'video', rttMs: 30, jitterMs: 4, lossPct: 0 });
    expect(result!.kbps).toBeGreaterThan(1900);
    expect(result!.kbps).toBeLessThan(2100);
    expect(elapsed).toBeLessThanOrEqual(6000);
    expect(result!.durationMs).toBeLessThanOrEqual(6000);
    // the wire: start, connect both transports, produce with the device's capabilities, stats, end
    const methods = s.server.calls.map((c) => c.method);
    expect(methods[0]).toBe('network.testStart');
    expect(s.server.count('network.testConnect')).toBe(2);
    expect(s.server.count('network.testProduce')).toBe(1);
    expect(s.server.calls.find((c) => c.method === 'network.testProduce')!.data).toMatchObject({
      testId: 'test-1',
      kind: 'video',
      rtpCapabilities: { codecs: [] },
    });
    expect(s.server.count('network.testStats')).toBeGreaterThan(0);
    expect(methods.at(-1)).toBe('network.testEnd');
    expect(s.devices[0]!.loaded).toBe(true);
    expectCleanedUp(s);
    // a synthetic probe, sent with a high start and max bitrate
    expect(s.platform.probes).toHaveLength(1);
    expect(s.platform.media.opened).toHaveLength(0); // never the camera
  });

  it('sends the probe with a high max and start bitrate', async () => {
    const s = setup();
    const seen: unknown[] = [];
    s.platform.device = () => {
      const d = new FakeDevice(s.link);
      s.devices.push(d);
      const create = d.createSendTransport.bind(d);
      d.createSendTransport = (o) => {
        const t = create(o);
        const produce = t.produce.bind(t);
        t.produce = (opts) => {
          seen.push(opts);
          return produce(opts);
        };
        return t;
      };
      return d;
    };
    const { result } = await run(s);
    expect(result?.quality).toBe('good');
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      track: s.platform.probes[0]!.track,
      encodings: [{ maxBitrate: NETWORK_PROBE.maxBitrate }],
      codecOptions: { videoGoogleStartBitrate: NETWORK_PROBE.startBitrateKbps },
    });
  });

  it('rates a slow, lossy link poor and recommends audio only', async () => {
    const link = Object.assign(new FakeLink(), { kbps: 200, lossPct: 12, rttMs: 400, jitterMs: 80 });
    const { result } = await run(setup(link));
    expect(result).toMatchObject({ quality: 'poor', recommended: 'audio-only' });
    expect(result!.lossPct).toBeGreaterThan(10);
  });

  it('rates a middling link fair and still recommends video', async () => {
    const link = Object.assign(new FakeLink(), { kbps: 700, rttMs: 220 });
    const { result } = await run(setup(link));
    expect(result).toMatchObject({ quality: 'fair', recommended: 'video', rttMs: 220 });
  });

  it('counts the uplink loss the server measured', async () => {
    const s = setup();
    s.server.upLossPct = 8;
    const { result } = await run(s);
    expect(result!.lossPct).toBeGreaterThanOrEqual(7);
    expect(result!.quality).toBe('poor');
  });

  it('returns what it measured at the bound when the bitrate never settles, within 10 s', async () => {
    const link = Object.assign(new FakeLink(), { wobble: 0.6 });
    const s = setup(link);
    const { result, elapsed } = await run(s);
    expect(result).toBeDefined();
    expect(elapsed).toBeLessThanOrEqual(10_000);
    expect(result!.durationMs).toBeLessThanOrEqual(10_000);
    expect(s.progress.at(-1)).toBe(1);
    expectCleanedUp(s);
  });

  it('waits for a ramping encoder before it calls the bitrate stable', async () => {
    const link = Object.assign(new FakeLink(), { kbps: 2000, rampMs: 3000 });
    const { result } = await run(setup(link));
    expect(result!.kbps).toBeGreaterThan(1800);
  });

  it('fails with NETWORK_TEST_TIMEOUT when no media comes back, and still cleans up', async () => {
    const link = Object.assign(new FakeLink(), { dead: true });
    const s = setup(link);
    const { error, elapsed } = await run(s);
    expect(error).toBeInstanceOf(ChecklistError);
    expect((error as ChecklistError).code).toBe('NETWORK_TEST_TIMEOUT');
    expect(elapsed).toBeLessThanOrEqual(10_000);
    expect(s.server.calls.at(-1)!.method).toBe('network.testEnd');
    expectCleanedUp(s);
  });

  it('stays within the bound when the server never answers', async () => {
    const s = setup();
    s.server.hanging.add('network.testStart');
    const { error, elapsed } = await run(s);
    expect((error as ChecklistError).code).toBe('NETWORK_TEST_TIMEOUT');
    expect(elapsed).toBeLessThanOrEqual(10_000);
    expect(s.server.count('network.testEnd')).toBe(0); // no test was started
    expect(s.server.calls[0]!.signal?.aborted).toBe(true); // the pending request is given up
  });

  it('fails with NETWORK_TEST_FAILED when the server refuses, ending the test it started', async () => {
    const s = setup();
    s.server.failing.add('network.testProduce');
    const { error } = await run(s);
    expect((error as ChecklistError).code).toBe('NETWORK_TEST_FAILED');
    expect(s.server.count('network.testEnd')).toBe(1);
    expectCleanedUp(s);

    const s2 = setup();
    s2.server.failing.add('network.testStart');
    const r2 = await run(s2);
    expect((r2.error as ChecklistError).code).toBe('NETWORK_TEST_FAILED');
    expect(s2.server.count('network.testEnd')).toBe(0);
  });

  it('fails when the browser cannot send video or draw a probe', async () => {
    const s = setup();
    s.platform.device = () => Object.assign(new FakeDevice(s.link), { canVideo: false });
    expect(((await run(s)).error as ChecklistError).code).toBe('NETWORK_TEST_FAILED');
    const s2 = setup();
    s2.platform.createProbeTrack = () => undefined;
    expect(((await run(s2)).error as ChecklistError).code).toBe('NETWORK_TEST_FAILED');
    expect(s2.server.count('network.testEnd')).toBe(1);
  });

  it('aborts on the signal, ending the test and closing everything', async () => {
    const s = setup();
    const ac = new AbortController();
    let settled: unknown;
    runNetworkTest({ request: s.server.request, platform: s.platform, signal: ac.signal }).catch((e: unknown) => (settled = e));
    for (let i = 0; i < 100 && s.server.count('network.testStats') === 0; i++) await vi.advanceTimersByTimeAsync(50);
    ac.abort();
    for (let i = 0; i < 20 && !settled; i++) await vi.advanceTimersByTimeAsync(10);
    expect(settled).toBeInstanceOf(AlcoveError);
    expect((settled as AlcoveError).code).toBe('ABORTED');
    expect(s.server.count('network.testEnd')).toBe(1);
    expectCleanedUp(s);
  });

  it('hands the errors it swallows (uplink stats, the final testEnd) to onSwallowedError and still measures', async () => {
    const s = setup();
    s.server.failing.add('network.testStats');
    s.server.failing.add('network.testEnd');
    const swallowed: string[] = [];
    let settled: { result?: NetworkTestResult; error?: unknown } | undefined;
    runNetworkTest({ request: s.server.request, platform: s.platform, onSwallowedError: (site) => swallowed.push(site) }).then(
      (result) => (settled = { result }),
      (error: unknown) => (settled = { error }),
    );
    for (let i = 0; i < 120 && !settled; i++) await vi.advanceTimersByTimeAsync(100);
    await vi.advanceTimersByTimeAsync(0);
    expect(settled?.result?.quality).toBe('good');
    expect(swallowed.filter((x) => x === 'checklist.networkTestStats').length).toBe(s.server.count('network.testStats'));
    expect(swallowed.filter((x) => x === 'checklist.networkTestEnd')).toEqual(['checklist.networkTestEnd']);
  });

  it('reports progress from 0 to 1, never going back', async () => {
    const s = setup();
    await run(s);
    expect(s.progress.length).toBeGreaterThan(5);
    for (let i = 1; i < s.progress.length; i++) expect(s.progress[i]).toBeGreaterThanOrEqual(s.progress[i - 1]!);
    expect(s.progress.at(-1)).toBe(1);
  });
});

describe('classifyNetwork thresholds', () => {
  const g = NETWORK_THRESHOLDS.good;
  const f = NETWORK_THRESHOLDS.fair;
  it.each([
    ['good at the good limits', { rttMs: g.rttMs, jitterMs: g.jitterMs, lossPct: g.lossPct, kbps: g.kbps }, 'good', 'video'],
    ['fair when the RTT is over good', { rttMs: g.rttMs + 1, lossPct: 0, kbps: 2000 }, 'fair', 'video'],
    ['fair when the bitrate is under good', { rttMs: 20, lossPct: 0, kbps: g.kbps - 1 }, 'fair', 'video'],
    ['poor when the loss is over fair', { rttMs: 20, lossPct: f.lossPct + 0.1, kbps: 2000 }, 'poor', 'video'],
    ['poor and audio only under the video bitrate', { rttMs: 20, lossPct: 0, kbps: f.kbps - 1 }, 'poor', 'audio-only'],
    ['audio only at 10 % loss', { lossPct: 10, kbps: 2000 }, 'poor', 'audio-only'],
    ['unknown RTT and jitter do not count', { lossPct: 0, kbps: 1500 }, 'good', 'video'],
  ] as const)('%s', (_c, m, quality, recommended) => {
    expect(classifyNetwork(m)).toEqual({ quality, recommended });
  });
});

describe('measuresOf on a saturated path', () => {
  const at = (t: number, kbpsIn: number, kbpsOut: number, lossPct: number) => {
    // Cumulative counters at `t` ms for constant rates; 1 200-byte packets.
    const bytes = (kbpsIn * t) / 8;
    const sentBytes = (kbpsOut * t) / 8;
    const sent = sentBytes / 1200;
    const received = bytes / 1200;
    return { t, bytes, sentBytes, received, lost: Math.round(sent - received + (received * lossPct) / 100) };
  };

  it('takes the bitrate that came back as the capacity and counts only the loss beyond the overshoot', async () => {
    const { measuresOf } = await import('./network-test.js');
    const samples = [0, 500, 1000, 1500].map((t) => at(t + 1000, 900, 2000, 0));
    const m = measuresOf(samples, 1500);
    expect(m?.saturated).toBe(true);
    expect(m?.kbps).toBe(900);
    expect(m?.lossPct).toBeLessThan(1);
  });

  it('a path that carries what is sent is not saturated and keeps its loss', async () => {
    const { measuresOf } = await import('./network-test.js');
    const samples = [0, 500, 1000, 1500].map((t) => ({
      ...at(t + 1000, 1000, 1000, 0),
      lost: Math.round((((t + 1000) * 1000) / 8 / 1200) * 0.05),
    }));
    const m = measuresOf(samples, 1500);
    expect(m?.saturated).toBeUndefined();
    expect(m?.lossPct).toBeGreaterThan(4);
  });
});
