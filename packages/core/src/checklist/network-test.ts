import { NETWORK_TEST_LIMITS, type RequestData, type ResponseData } from '@alcove/protocol';
import type { Device, types as ms } from 'mediasoup-client';
import { silentLogger } from '../platform/logger.js';
import type { Platform, ProbeTrack } from '../platform/platform.js';
import { SwallowedErrors } from '../platform/swallowed-errors.js';
import { AlcoveError } from '../session/errors.js';
import { sleep } from './checks/media-devices.js';
import { ChecklistError } from './errors.js';
import type { ChecklistRequester } from './types.js';

/**
 * Quality thresholds of the network test. A result is `good` when every measure is within `good`,
 * else `fair` when every measure is within `fair`, else `poor`. An unknown RTT or jitter does not
 * count against the result. Video is recommended from `video.minKbps` with loss below
 * `video.maxLossPct`; below that, audio only.
 */
export const NETWORK_THRESHOLDS = {
  good: { rttMs: 150, jitterMs: 30, lossPct: 2, kbps: 1000 },
  fair: { rttMs: 300, jitterMs: 60, lossPct: 5, kbps: 300 },
  video: { minKbps: 300, maxLossPct: 10 },
} as const;

/**
 * How the test measures: a stats sample every `sampleIntervalMs` (server-side uplink stats every
 * `uplinkIntervalMs`); it stops once media has flowed for `minMeasureMs` and the bitrate of the two
 * halves of the last `stableWindowMs` differ by at most `stableTolerance` — or at the bound, less
 * `teardownMarginMs` to close everything within it.
 */
export const NETWORK_TEST_TIMING = {
  sampleIntervalMs: 250,
  uplinkIntervalMs: 500,
  minMeasureMs: 2000,
  stableWindowMs: 1500,
  stableTolerance: 0.2,
  teardownMarginMs: 400,
  /** Progress assumes a test of about this long (a good link finishes sooner). */
  expectedMs: 5000,
} as const;

/**
 * The synthetic probe: a canvas of moving noise (never the camera — the probe is not end-to-end
 * encrypted), sent with a high start and max bitrate so the encoder finds the link's capacity fast.
 */
export const NETWORK_PROBE = { width: 640, height: 480, frameRate: 30, maxBitrate: 2_500_000, startBitrateKbps: 1500 } as const;

/** Overall quality of a network test. */
export type NetworkQuality = 'good' | 'fair' | 'poor';
/** What the call should start with. */
export type RecommendedMode = 'video' | 'audio-only';

/** The measures a quality is based on. */
export interface NetworkMeasures {
  /** Round-trip time to the server, ms (ICE candidate pair of the send transport). */
  readonly rttMs?: number;
  /** Interarrival jitter, ms (worst of uplink and loop). */
  readonly jitterMs?: number;
  /** Packet loss, percent (worst of uplink and loop). */
  readonly lossPct: number;
  /** Bitrate received back through the server over the last stable window, kbit/s. */
  readonly kbps: number;
  /**
   * The probe sent at least 15 % more than came back: the path is saturated, `kbps` is its
   * capacity, and `lossPct` counts only the loss beyond the probe's own overshoot (the packets a
   * full queue dropped because the probe sent too much are not a property of the link).
   */
  readonly saturated?: boolean;
}

/** The result of a network test. */
export interface NetworkTestResult extends NetworkMeasures {
  readonly quality: NetworkQuality;
  readonly recommended: RecommendedMode;
  /** How long the test took, ms. */
  readonly durationMs: number;
}

/**
 * Quality and recommended mode of measures, per {@link NETWORK_THRESHOLDS}.
 * @example
 * classifyNetwork({ rttMs: 40, jitterMs: 5, lossPct: 0, kbps: 1800 }); // { quality: 'good', recommended: 'video' }
 */
export function classifyNetwork(m: NetworkMeasures): { quality: NetworkQuality; recommended: RecommendedMode } {
  const within = (t: { rttMs: number; jitterMs: number; lossPct: number; kbps: number }): boolean =>
    (m.rttMs === undefined || m.rttMs <= t.rttMs) &&
    (m.jitterMs === undefined || m.jitterMs <= t.jitterMs) &&
    m.lossPct <= t.lossPct &&
    m.kbps >= t.kbps;
  const quality: NetworkQuality = within(NETWORK_THRESHOLDS.good) ? 'good' : within(NETWORK_THRESHOLDS.fair) ? 'fair' : 'poor';
  const v = NETWORK_THRESHOLDS.video;
  return { quality, recommended: m.kbps >= v.minKbps && m.lossPct < v.maxLossPct ? 'video' : 'audio-only' };
}

/** Options of {@link runNetworkTest}. */
export interface NetworkTestOptions {
  /** Sends `network.test*` requests on the session's connection. */
  readonly request: ChecklistRequester;
  /** `createDevice()` and `createProbeTrack()`, timers. */
  readonly platform: Platform;
  readonly signal?: AbortSignal;
  /** Progress 0..1, with the latest measures once media flows. */
  readonly onProgress?: (fraction: number, measures?: NetworkMeasures) => void;
  /** Bound of the whole test, ms. Default and maximum `NETWORK_TEST_LIMITS.maxDurationMs` (10 s). */
  readonly maxDurationMs?: number;
  /**
   * An error caught on purpose (a stats request that failed, a best-effort close, `network.testEnd`,
   * a request abandoned when the test ended), by site (`checklist.networkTestEnd`). Default: logged at
   * debug through `platform.logger`. The checklist counts them in `diagnostics.swallowedErrors`.
   */
  readonly onSwallowedError?: (site: string, error: unknown) => void;
}

/** Without `onSwallowedError`: logged at debug through the platform's logger, counted nowhere. */
function defaultSwallow(platform: Platform): (site: string, error: unknown) => void {
  let errors: SwallowedErrors | undefined;
  return (site, error) => {
    errors ??= new SwallowedErrors(platform.logger ?? silentLogger);
    errors.record(site, error);
  };
}

/** One stats sample. */
interface Sample {
  /** ms (stats timestamp where available). */
  readonly t: number;
  readonly bytes: number;
  readonly received: number;
  readonly lost: number;
  readonly jitterMs?: number;
  readonly rttMs?: number;
  readonly upReceived?: number;
  readonly upLost?: number;
  readonly upJitterMs?: number;
  /** Bytes the probe's sender had sent (outbound-rtp), when known. */
  readonly sentBytes?: number;
}

type Stats = ReadonlyMap<string, Record<string, unknown>>;
const num = (x: unknown): number | undefined => (typeof x === 'number' && Number.isFinite(x) ? x : undefined);

/** RTT (ms) of the selected ICE candidate pair, or of RTCP (remote-inbound-rtp). */
export function rttFromStats(report: Stats): number | undefined {
  let pair: Record<string, unknown> | undefined;
  for (const s of report.values()) {
    if (s.type === 'transport' && typeof s.selectedCandidatePairId === 'string') pair = report.get(s.selectedCandidatePairId) ?? pair;
  }
  if (!pair) {
    for (const s of report.values()) {
      if (s.type === 'candidate-pair' && (s.selected === true || s.nominated === true) && s.state === 'succeeded') pair = s;
    }
  }
  const rtt = num(pair?.currentRoundTripTime);
  if (rtt !== undefined) return rtt * 1000;
  for (const s of report.values()) {
    const r = s.type === 'remote-inbound-rtp' ? num(s.roundTripTime) : undefined;
    if (r !== undefined) return r * 1000;
  }
  return undefined;
}

/** Bytes sent by the video outbound-rtp entry of a producer's (or send transport's) stats. */
export function sentBytesFromStats(report: Stats): number | undefined {
  let total: number | undefined;
  for (const s of report.values()) {
    if (s.type !== 'outbound-rtp' || (s.kind ?? s.mediaType) !== 'video') continue;
    total = (total ?? 0) + (num(s.bytesSent) ?? 0);
  }
  return total;
}

/** The video inbound-rtp entry of a consumer's stats. */
export function inboundFromStats(
  report: Stats,
): { t?: number; bytes: number; received: number; lost: number; jitterMs?: number } | undefined {
  for (const s of report.values()) {
    if (s.type !== 'inbound-rtp' || (s.kind ?? s.mediaType) !== 'video') continue;
    const jitter = num(s.jitter);
    const t = num(s.timestamp);
    return {
      ...(t !== undefined ? { t } : {}),
      bytes: num(s.bytesReceived) ?? 0,
      received: num(s.packetsReceived) ?? 0,
      lost: Math.max(0, num(s.packetsLost) ?? 0),
      ...(jitter !== undefined ? { jitterMs: jitter * 1000 } : {}),
    };
  }
  return undefined;
}

const rate = (a: Sample, b: Sample): number => (b.t > a.t ? ((b.bytes - a.bytes) * 8) / (b.t - a.t) : 0);
const lossPct = (lost: number, received: number): number =>
  lost + received > 0 ? (Math.max(0, lost) / (Math.max(0, lost) + Math.max(0, received))) * 100 : 0;
const round = (n: number, d = 1): number => Math.round(n * 10 ** d) / 10 ** d;

/** The measures of the samples within the last `windowMs` (at least two samples with media). */
export function measuresOf(samples: readonly Sample[], windowMs: number): NetworkMeasures | undefined {
  const last = samples[samples.length - 1];
  if (!last) return undefined;
  const window = samples.filter((s) => s.t >= last.t - windowMs);
  const first = window[0];
  if (!first || first === last || last.t <= first.t) return undefined;
  const kbps = rate(first, last);
  const sentKbps =
    first.sentBytes !== undefined && last.sentBytes !== undefined && last.t > first.t
      ? ((last.sentBytes - first.sentBytes) * 8) / (last.t - first.t)
      : undefined;
  const saturated = sentKbps !== undefined && kbps > 0 && sentKbps > kbps * 1.15;
  const overshootPct = saturated ? (1 - kbps / sentKbps) * 100 : 0;
  const down = lossPct(last.lost - first.lost, last.received - first.received);
  const ups = window.filter((s) => s.upReceived !== undefined);
  const up0 = ups[0];
  const up1 = ups[ups.length - 1];
  const up = up0 && up1 && up1 !== up0 ? lossPct((up1.upLost ?? 0) - (up0.upLost ?? 0), (up1.upReceived ?? 0) - (up0.upReceived ?? 0)) : 0;
  const rtts = window
    .map((s) => s.rttMs)
    .filter((x): x is number => x !== undefined)
    .sort((a, b) => a - b);
  const rtt = rtts.length ? rtts[Math.floor(rtts.length / 2)] : undefined;
  const jitters = [last.jitterMs, up1?.upJitterMs].filter((x): x is number => x !== undefined);
  return {
    ...(rtt !== undefined ? { rttMs: round(rtt) } : {}),
    ...(jitters.length ? { jitterMs: round(Math.max(...jitters)) } : {}),
    lossPct: round(Math.max(0, Math.max(down, up) - overshootPct), 2),
    kbps: Math.round(kbps),
    ...(saturated ? { saturated: true } : {}),
  };
}

/** Whether the bitrate has settled: media flowed for `minMeasureMs` and both halves of the window agree. */
export function isStable(samples: readonly Sample[], flowStart: number, timing = NETWORK_TEST_TIMING): boolean {
  const last = samples[samples.length - 1];
  if (!last || last.t - flowStart < Math.max(timing.minMeasureMs, timing.stableWindowMs)) return false;
  const window = samples.filter((s) => s.t >= last.t - timing.stableWindowMs);
  const first = window[0];
  if (!first || window.length < 3) return false;
  const midT = first.t + (last.t - first.t) / 2;
  const mid = window.reduce((best, s) => (Math.abs(s.t - midT) < Math.abs(best.t - midT) ? s : best), first);
  if (mid === first || mid === last) return false;
  const a = rate(first, mid);
  const b = rate(mid, last);
  const cap = (NETWORK_PROBE.maxBitrate / 1000) * 0.9;
  if (a >= cap && b >= cap) return true;
  return Math.abs(a - b) <= timing.stableTolerance * Math.max(a, b, 1);
}

const toCandidates = (list: readonly { ip: string; address?: string | undefined }[]): ms.IceCandidate[] =>
  list.map((c) => ({ ...c, address: c.address ?? c.ip })) as ms.IceCandidate[];

/**
 * The network test (at most 10 s): `network.testStart` opens a short-lived send and receive
 * transport on a router of the test's own (the room never sees it, so a waiting client can run it);
 * a synthetic probe video (moving noise, never the camera) is published and consumed back through
 * the server's media engine; `getStats()` is sampled every 250 ms for RTT, jitter, loss and the
 * bitrate received back. It stops when the bitrate is stable (≈ 4–6 s on a good link) or at the
 * bound; `network.testEnd` and closing every transport happen in `finally`, on abort too.
 * @throws {ChecklistError} `NETWORK_TEST_FAILED` (the server refused, the probe could not be sent),
 *   `NETWORK_TEST_TIMEOUT` (no media came back within the bound).
 * @throws {AlcoveError} `ABORTED` when `signal` aborts.
 * @example
 * const result = await runNetworkTest({ request, platform, onProgress: (f) => bar.value = f });
 * if (result.recommended === 'audio-only') suggestAudioOnly();
 */
export async function runNetworkTest(options: NetworkTestOptions): Promise<NetworkTestResult> {
  const { request, platform, signal, onProgress } = options;
  const swallowed = options.onSwallowedError ?? defaultSwallow(platform);
  const timers = platform.timers;
  const bound = Math.min(options.maxDurationMs ?? NETWORK_TEST_LIMITS.maxDurationMs, NETWORK_TEST_LIMITS.maxDurationMs);
  const T = NETWORK_TEST_TIMING;
  if (signal?.aborted) throw new AlcoveError('ABORTED', 'network test aborted');
  const started = timers.now();
  const ac = new AbortController();
  const onOuter = (): void => ac.abort(new AlcoveError('ABORTED', 'network test aborted'));
  signal?.addEventListener('abort', onOuter, { once: true });
  const deadline = timers.setTimeout(
    () => ac.abort(new ChecklistError('NETWORK_TEST_TIMEOUT', 'network test reached its time bound', { stepId: 'network' })),
    Math.max(0, bound - T.teardownMarginMs),
  );
  const race = <T>(p: Promise<T>): Promise<T> => {
    // An abandoned request must not become an unhandled rejection; one that fails after the test
    // ended (aborted) is counted. A failure before that reaches the caller through the race below.
    p.catch((e: unknown) => {
      if (ac.signal.aborted) swallowed('checklist.networkTestAbandoned', e);
    });
    if (ac.signal.aborted) return Promise.reject(ac.signal.reason);
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => reject(ac.signal.reason);
      ac.signal.addEventListener('abort', onAbort, { once: true });
      p.then(
        (v) => {
          ac.signal.removeEventListener('abort', onAbort);
          resolve(v);
        },
        (e: unknown) => {
          ac.signal.removeEventListener('abort', onAbort);
          reject(e);
        },
      );
    });
  };
  let fraction = 0;
  const progress = (f: number, m?: NetworkMeasures): void => {
    fraction = Math.max(fraction, Math.min(1, f));
    onProgress?.(fraction, m);
  };

  let testId: string | undefined;
  let send: ms.Transport | undefined;
  let recv: ms.Transport | undefined;
  let probe: ProbeTrack | undefined;
  let producer: ms.Producer | undefined;
  let consumer: ms.Consumer | undefined;
  const samples: Sample[] = [];
  let flowStart: number | undefined;
  const result = (): NetworkTestResult | undefined => {
    const m = measuresOf(samples, T.stableWindowMs);
    if (!m || flowStart === undefined) return undefined;
    return { ...m, ...classifyNetwork(m), durationMs: Math.round(timers.now() - started) };
  };

  try {
    const start = await race(request('network.testStart', {}, ac.signal));
    testId = start.testId;
    const id = testId;
    progress(0.05);
    const device: Device = await race(platform.createDevice());
    await race(device.load({ routerRtpCapabilities: start.rtpCapabilities as ms.RtpCapabilities }));
    if (!device.canProduce('video'))
      throw new ChecklistError('NETWORK_TEST_FAILED', 'this browser cannot send video to the server', { stepId: 'network' });
    progress(0.1);
    const params = (t: ResponseData<'network.testStart'>['send']): ms.TransportOptions => ({
      id: t.transportId,
      iceParameters: t.iceParameters as ms.IceParameters,
      iceCandidates: toCandidates(t.iceCandidates),
      dtlsParameters: t.dtlsParameters as ms.DtlsParameters,
    });
    send = device.createSendTransport(params(start.send));
    recv = device.createRecvTransport(params(start.recv));
    for (const t of [send, recv]) {
      t.on('connect', ({ dtlsParameters }, ok, fail) => {
        request(
          'network.testConnect',
          {
            testId: id,
            transportId: t.id,
            dtlsParameters: dtlsParameters as RequestData<'network.testConnect'>['dtlsParameters'],
          },
          ac.signal,
        )
          .then(() => ok())
          .catch((e: unknown) => fail(e instanceof Error ? e : new Error(String(e))));
      });
    }
    let loop: { consumerId: string; producerId: string; kind: 'audio' | 'video'; rtpParameters: unknown } | undefined;
    send.on('produce', ({ kind, rtpParameters }, ok, fail) => {
      request(
        'network.testProduce',
        {
          testId: id,
          kind,
          rtpParameters: rtpParameters as RequestData<'network.testProduce'>['rtpParameters'],
          rtpCapabilities: device.rtpCapabilities as RequestData<'network.testProduce'>['rtpCapabilities'],
        },
        ac.signal,
      )
        .then((r) => {
          loop = r;
          ok({ id: r.producerId });
        })
        .catch((e: unknown) => fail(e instanceof Error ? e : new Error(String(e))));
    });
    probe = platform.createProbeTrack?.({ width: NETWORK_PROBE.width, height: NETWORK_PROBE.height, frameRate: NETWORK_PROBE.frameRate });
    if (!probe)
      throw new ChecklistError('NETWORK_TEST_FAILED', 'no probe track can be drawn here (canvas captureStream)', { stepId: 'network' });
    producer = await race(
      send.produce({
        track: probe.track,
        stopTracks: false,
        encodings: [{ maxBitrate: NETWORK_PROBE.maxBitrate }],
        codecOptions: { videoGoogleStartBitrate: NETWORK_PROBE.startBitrateKbps },
      }),
    );
    progress(0.15);
    const back = loop;
    if (!back) throw new ChecklistError('NETWORK_TEST_FAILED', 'the server did not return the probe', { stepId: 'network' });
    consumer = await race(
      recv.consume({
        id: back.consumerId,
        producerId: back.producerId,
        kind: back.kind,
        rtpParameters: back.rtpParameters as ms.RtpParameters,
      }),
    );
    progress(0.2);

    const sendT = send;
    const cons = consumer;
    let lastUplink = -Infinity;
    let uplink: { received: number; lost: number; jitterMs?: number } | undefined;
    for (;;) {
      await sleep(platform, T.sampleIntervalMs, ac.signal);
      const now = timers.now();
      const wantUplink = now - lastUplink >= T.uplinkIntervalMs;
      if (wantUplink) lastUplink = now;
      const [sendStats, recvStats, up] = await race(
        Promise.all([
          sendT.getStats() as Promise<Stats>,
          cons.getStats() as Promise<Stats>,
          wantUplink
            ? request('network.testStats', { testId: id }, ac.signal).catch((e: unknown) => {
                // The uplink figures are optional: the test goes on with the downlink alone.
                swallowed('checklist.networkTestStats', e);
                return undefined;
              })
            : Promise.resolve(undefined),
        ]),
      );
      if (up)
        uplink = { received: up.packetsReceived, lost: up.packetsLost, ...(up.jitterMs !== undefined ? { jitterMs: up.jitterMs } : {}) };
      const inbound = inboundFromStats(recvStats);
      const rtt = rttFromStats(sendStats);
      const sent = sentBytesFromStats(sendStats);
      const sample: Sample = {
        t: inbound?.t ?? timers.now(),
        bytes: inbound?.bytes ?? 0,
        received: inbound?.received ?? 0,
        lost: inbound?.lost ?? 0,
        ...(inbound?.jitterMs !== undefined ? { jitterMs: inbound.jitterMs } : {}),
        ...(rtt !== undefined ? { rttMs: rtt } : {}),
        ...(sent !== undefined ? { sentBytes: sent } : {}),
        ...(uplink
          ? { upReceived: uplink.received, upLost: uplink.lost, ...(uplink.jitterMs !== undefined ? { upJitterMs: uplink.jitterMs } : {}) }
          : {}),
      };
      const prev = samples[samples.length - 1];
      if (prev && sample.t <= prev.t) continue; // the same stats snapshot again
      if (flowStart === undefined && sample.bytes > 0) flowStart = sample.t;
      if (flowStart === undefined) {
        progress(0.2 + (0.75 * (timers.now() - started)) / bound);
        continue;
      }
      samples.push(sample);
      const m = measuresOf(samples, T.stableWindowMs);
      progress(0.2 + 0.75 * Math.min(1, (timers.now() - started) / T.expectedMs), m);
      if (isStable(samples, flowStart)) break;
    }
    const r = result();
    if (!r) throw new ChecklistError('NETWORK_TEST_TIMEOUT', 'no media came back from the server', { stepId: 'network' });
    progress(1, r);
    return r;
  } catch (e) {
    const reason = ac.signal.aborted ? ac.signal.reason : undefined;
    if (reason instanceof ChecklistError && reason.code === 'NETWORK_TEST_TIMEOUT') {
      const r = result();
      if (r) {
        progress(1, r);
        return r;
      }
      throw new ChecklistError('NETWORK_TEST_TIMEOUT', 'no media came back from the server within the bound', {
        stepId: 'network',
        cause: e,
      });
    }
    if (reason instanceof AlcoveError) throw reason;
    if (e instanceof ChecklistError) throw e;
    throw new ChecklistError('NETWORK_TEST_FAILED', 'the network test failed', { stepId: 'network', cause: e });
  } finally {
    timers.clearTimeout(deadline);
    signal?.removeEventListener('abort', onOuter);
    for (const close of [() => consumer?.close(), () => producer?.close(), () => send?.close(), () => recv?.close(), () => probe?.stop()]) {
      try {
        close();
      } catch (e) {
        // closing is best effort
        swallowed('checklist.networkTestClose', e);
      }
    }
    if (testId !== undefined) void request('network.testEnd', { testId }).catch((e: unknown) => swallowed('checklist.networkTestEnd', e));
  }
}
