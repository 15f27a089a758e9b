/**
 * The checklist's network test on the server side: per participant, a short-lived router of its own
 * (the room's codecs, created through the engine interface — never the room's router, so the room
 * never sees the probe), a send and a receive WebRTC transport, and a probe track produced on one and
 * consumed (not paused) on the other, so the client measures its own uplink and downlink. The probe
 * is a synthetic pattern the client generates, not its camera, and is not end-to-end encrypted.
 *
 * Limits: one active test per participant (starting another closes the previous), at most
 * `NETWORK_TEST_LIMITS.maxPerParticipant` per participant and session, everything closed after
 * `NETWORK_TEST_LIMITS.serverTimeoutMs`, when the participant leaves and when the room ends.
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import { NETWORK_TEST_LIMITS, type MediaKind, type RequestData, type ResponseData } from '@alcove/protocol';
import { RequestError } from '../signaling/request-error.js';
import { checkConsumerCapabilities, checkDtlsFingerprints, checkProducerParameters } from './codecs.js';
import type {
  EngineCodecCapability,
  EngineConsumer,
  EngineProducer,
  EngineRouter,
  EngineWebRtcTransport,
  EngineWorker,
} from './engine-types.js';
import {
  sanitizeConsumerRtpParameters,
  sanitizeDtlsParameters,
  sanitizeIceCandidates,
  sanitizeIceParameters,
  sanitizeRtpCapabilities,
} from './sanitize.js';

/** Limits of the pre-session network test (`LiveOptions.networkTestLimits`). */
export interface NetworkTestLimits {
  /** Tests one participant may start per session. Default `NETWORK_TEST_LIMITS.maxPerParticipant` (5). */
  readonly maxPerParticipant: number;
  /** A test is closed this long after it started. Default `NETWORK_TEST_LIMITS.serverTimeoutMs` (15 s). */
  readonly timeoutMs: number;
}

/** Options of {@link NetworkTests}. */
export interface NetworkTestsOptions {
  readonly worker: EngineWorker;
  /** The room router's codecs. */
  readonly codecs: readonly EngineCodecCapability[];
  /** Whether the room requires E2EE (the probe's codecs are checked as in the room: no H.264 then). */
  readonly e2eeRequired: boolean;
  readonly listenInfos: readonly { protocol: 'udp' | 'tcp'; ip: string; announcedAddress?: string }[];
  readonly limits?: Partial<NetworkTestLimits>;
  /** Reports an engine failure (error name only). */
  readonly onEngineError?: (operation: string, error: unknown) => void;
}

interface Probe {
  readonly producer: EngineProducer;
  readonly consumer: EngineConsumer;
  readonly clockRate: number;
}

interface ActiveTest {
  readonly id: string;
  readonly owner: string;
  readonly router: EngineRouter;
  readonly send: EngineWebRtcTransport;
  readonly recv: EngineWebRtcTransport;
  readonly probes: Map<MediaKind, Probe>;
  readonly timer: NodeJS.Timeout;
  closed: boolean;
}

/** See the file header. */
export class NetworkTests {
  readonly #o: NetworkTestsOptions;
  readonly #limits: NetworkTestLimits;
  readonly #active = new Map<string, ActiveTest>();
  readonly #started = new Map<string, number>();
  /** Owners whose test is being set up (a leave during setup cancels it). */
  readonly #generation = new Map<string, number>();
  #closed = false;

  constructor(options: NetworkTestsOptions) {
    this.#o = options;
    this.#limits = {
      maxPerParticipant: options.limits?.maxPerParticipant ?? NETWORK_TEST_LIMITS.maxPerParticipant,
      timeoutMs: options.limits?.timeoutMs ?? NETWORK_TEST_LIMITS.serverTimeoutMs,
    };
  }

  /** Active tests (tests, metrics). */
  get active(): number {
    return this.#active.size;
  }

  /**
   * `network.testStart`: closes the owner's previous test and opens a new one.
   * @throws {@link RequestError} `RATE_LIMITED` (too many tests this session), `MEDIA_ERROR`, `SESSION_ENDED`.
   */
  async start(owner: string): Promise<ResponseData<'network.testStart'>> {
    this.#guard();
    const n = this.#started.get(owner) ?? 0;
    if (n >= this.#limits.maxPerParticipant)
      throw new RequestError('RATE_LIMITED', `at most ${this.#limits.maxPerParticipant} network tests per session`);
    this.#started.set(owner, n + 1);
    this.#closeOwner(owner);
    const generation = (this.#generation.get(owner) ?? 0) + 1;
    this.#generation.set(owner, generation);
    let router: EngineRouter | undefined;
    try {
      router = await this.#engine('createRouter', () =>
        this.#o.worker.createRouter({ mediaCodecs: this.#o.codecs.map((c) => ({ ...c })), appData: { networkTest: true } }),
      );
      const options = {
        listenInfos: this.#o.listenInfos.map((l) => ({ ...l })),
        enableUdp: this.#o.listenInfos.some((l) => l.protocol === 'udp'),
        enableTcp: this.#o.listenInfos.some((l) => l.protocol === 'tcp'),
        preferUdp: true,
        initialAvailableOutgoingBitrate: 1_000_000,
      };
      const r = router;
      const send = await this.#engine('createWebRtcTransport', () =>
        r.createWebRtcTransport({ ...options, appData: { networkTest: true, direction: 'send' } }),
      );
      const recv = await this.#engine('createWebRtcTransport', () =>
        r.createWebRtcTransport({ ...options, appData: { networkTest: true, direction: 'recv' } }),
      );
      // The room ended, the owner left or started another test meanwhile: this one is void.
      if (this.#closed || this.#generation.get(owner) !== generation)
        throw new RequestError('INVALID_STATE', 'the network test was cancelled');
      const id = randomBytes(12).toString('base64url');
      const timer = setTimeout(() => this.#closeTest(id), this.#limits.timeoutMs);
      timer.unref?.();
      const test: ActiveTest = { id, owner, router, send, recv, probes: new Map(), timer, closed: false };
      this.#active.set(id, test);
      return {
        testId: id,
        rtpCapabilities: sanitizeRtpCapabilities(router.rtpCapabilities),
        send: this.#transportResult(send),
        recv: this.#transportResult(recv),
        timeoutMs: this.#limits.timeoutMs,
      };
    } catch (error) {
      this.#safeClose(router);
      throw error;
    }
  }

  /**
   * `network.testConnect`: connects the test's send or receive transport.
   * @throws {@link RequestError} `NOT_FOUND`, `INVALID_MESSAGE` (fingerprints), `MEDIA_ERROR`.
   */
  async connect(owner: string, data: RequestData<'network.testConnect'>): Promise<void> {
    const test = this.#test(owner, data.testId);
    const transport = test.send.id === data.transportId ? test.send : test.recv.id === data.transportId ? test.recv : undefined;
    if (!transport) throw new RequestError('NOT_FOUND', 'no such transport in this network test');
    const bad = checkDtlsFingerprints(data.dtlsParameters);
    if (bad) throw new RequestError(bad.code, bad.message);
    await this.#engine('connect', () => transport.connect({ dtlsParameters: data.dtlsParameters }));
  }

  /**
   * `network.testProduce`: produces the probe on the send transport and consumes it, not paused, on
   * the receive transport. One probe per kind.
   * @throws {@link RequestError} `NOT_FOUND`, `INVALID_STATE` (a probe of this kind exists),
   * `UNSUPPORTED_CODEC` / `INVALID_MESSAGE` (parameters), `CANNOT_CONSUME`, `MEDIA_ERROR`.
   */
  async produce(owner: string, data: RequestData<'network.testProduce'>): Promise<ResponseData<'network.testProduce'>> {
    const test = this.#test(owner, data.testId);
    if (test.probes.has(data.kind)) throw new RequestError('INVALID_STATE', 'this network test already has a probe of this kind');
    const bad =
      checkProducerParameters(data.kind, data.rtpParameters, this.#o.e2eeRequired) ?? checkConsumerCapabilities(data.rtpCapabilities);
    if (bad) throw new RequestError(bad.code, bad.message);
    const producer = await this.#engine('produce', () =>
      test.send.produce({ kind: data.kind, rtpParameters: data.rtpParameters, paused: false, appData: { networkTest: true } }),
    );
    let consumer: EngineConsumer | undefined;
    try {
      if (test.closed) throw new RequestError('NOT_FOUND', 'no such network test');
      let can = false;
      try {
        can = test.router.canConsume({ producerId: producer.id, rtpCapabilities: data.rtpCapabilities });
      } catch (error) {
        this.#o.onEngineError?.('canConsume', error);
      }
      if (!can) throw new RequestError('CANNOT_CONSUME', 'capabilities cannot receive the probe');
      consumer = await this.#engine('consume', () =>
        test.recv.consume({
          producerId: producer.id,
          rtpCapabilities: data.rtpCapabilities,
          paused: false,
          appData: { networkTest: true },
        }),
      );
      if (test.closed) throw new RequestError('NOT_FOUND', 'no such network test');
      if (test.probes.has(data.kind)) throw new RequestError('INVALID_STATE', 'this network test already has a probe of this kind');
    } catch (error) {
      this.#safeClose(consumer);
      this.#safeClose(producer);
      throw error;
    }
    const media = data.rtpParameters.codecs.find((c) => !c.mimeType.toLowerCase().endsWith('/rtx'));
    test.probes.set(data.kind, { producer, consumer, clockRate: media?.clockRate ?? (data.kind === 'audio' ? 48000 : 90000) });
    return {
      producerId: producer.id,
      consumerId: consumer.id,
      kind: data.kind,
      rtpParameters: sanitizeConsumerRtpParameters(consumer.rtpParameters),
    };
  }

  /**
   * `network.testStats`: what the engine received of the probe(s) so far — packets, losses, bytes
   * (summed over probes and streams) and the largest interarrival jitter in ms.
   * @throws {@link RequestError} `NOT_FOUND`, `MEDIA_ERROR`.
   */
  async stats(owner: string, testId: string): Promise<ResponseData<'network.testStats'>> {
    const test = this.#test(owner, testId);
    let packetsReceived = 0;
    let packetsLost = 0;
    let bytesReceived = 0;
    let jitterMs: number | undefined;
    for (const probe of test.probes.values()) {
      const list = await this.#engine('getStats', () => probe.producer.getStats());
      for (const s of list) {
        if (s['type'] !== undefined && s['type'] !== 'inbound-rtp') continue;
        packetsReceived += count(s['packetCount']);
        packetsLost += count(s['packetsLost']);
        bytesReceived += count(s['byteCount']);
        const jitter = s['jitter'];
        if (typeof jitter === 'number' && Number.isFinite(jitter) && jitter >= 0) {
          const ms = Math.min(60_000, (jitter / probe.clockRate) * 1000);
          jitterMs = Math.max(jitterMs ?? 0, Math.round(ms * 100) / 100);
        }
      }
    }
    const cap = (n: number): number => Math.min(n, Number.MAX_SAFE_INTEGER);
    return {
      packetsReceived: cap(packetsReceived),
      packetsLost: cap(packetsLost),
      bytesReceived: cap(bytesReceived),
      ...(jitterMs !== undefined ? { jitterMs } : {}),
    };
  }

  /**
   * `network.testEnd`: closes the test's router (transports, probe and consumer with it).
   * @throws {@link RequestError} `NOT_FOUND`.
   */
  end(owner: string, testId: string): void {
    this.#test(owner, testId);
    this.#closeTest(testId);
  }

  /** The participant left: its test (and one being set up) is closed. */
  closeParticipant(owner: string): void {
    this.#generation.set(owner, (this.#generation.get(owner) ?? 0) + 1);
    this.#closeOwner(owner);
  }

  /** Closes every test; later calls are refused. Idempotent. */
  close(): void {
    this.#closed = true;
    for (const id of [...this.#active.keys()]) this.#closeTest(id);
  }

  // --- internals -------------------------------------------------------------------------------

  #guard(): void {
    if (this.#closed) throw new RequestError('SESSION_ENDED', 'the session has ended');
  }

  #test(owner: string, testId: string): ActiveTest {
    this.#guard();
    const t = this.#active.get(testId);
    if (!t || t.owner !== owner) throw new RequestError('NOT_FOUND', 'no such network test');
    return t;
  }

  #closeOwner(owner: string): void {
    for (const [id, t] of [...this.#active]) if (t.owner === owner) this.#closeTest(id);
  }

  #closeTest(id: string): void {
    const t = this.#active.get(id);
    if (!t) return;
    this.#active.delete(id);
    t.closed = true;
    clearTimeout(t.timer);
    t.probes.clear();
    this.#safeClose(t.router);
  }

  #safeClose(o: { close(): void } | undefined): void {
    if (!o) return;
    try {
      o.close();
    } catch (error) {
      this.#o.onEngineError?.('close', error);
    }
  }

  #transportResult(t: EngineWebRtcTransport): ResponseData<'network.testStart'>['send'] {
    return {
      transportId: t.id,
      iceParameters: sanitizeIceParameters(t.iceParameters),
      iceCandidates: sanitizeIceCandidates(t.iceCandidates),
      dtlsParameters: sanitizeDtlsParameters(t.dtlsParameters),
    };
  }

  async #engine<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof RequestError) throw error;
      this.#o.onEngineError?.(operation, error);
      throw new RequestError('MEDIA_ERROR', `the media engine refused ${operation}`, { cause: error });
    }
  }
}

function count(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.floor(v) : 0;
}
