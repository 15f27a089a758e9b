/**
 * SFU forwarding benchmark: `pnpm --filter @alcove/sfu bench`.
 *
 * This process hosts the engine (`createWorker`, whose engine runs in a worker
 * thread); a child process (`load-generator.ts`) runs one publisher of a
 * 720p-like 2.5 Mbit/s VP8 stream and N consumers over real ICE/DTLS/SRTP on
 * 127.0.0.1. CPU is this whole process's `process.cpuUsage()` (engine thread +
 * an almost idle main thread) minus an idle baseline measured before any media
 * flows; the load generator's CPU is not included.
 *
 * Writes `bench/results/sfu.json` at the repository root and prints a table.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createWorker, type Consumer, type Router, type WebRtcTransport } from '../src/index.js';
import type { RtpParameters } from '../src/types/index.js';
import type { GeneratorRequest, GeneratorSnapshot } from './load-generator.js';
import { measureEngineSrtp, measureSrtp } from './srtp-micro.js';
import { measureForwardingPath } from './forwarding-micro.js';
import { randomBytes } from 'node:crypto';
import { Janus, endpointSdp, offerMedia, processCpuUs, remoteFromSdp } from './janus.js';

const CONSUMER_COUNTS = (process.env.SFU_BENCH_N ?? '1,2,4,8,16,32,64,128').split(',').map(Number);
const WINDOW_MS = Number(process.env.SFU_BENCH_WINDOW_MS ?? 5000);
const WARMUP_MS = 1500;
const IDLE_MS = 2000;
const HEADLINE_N = 32;
const PUBLISHER_SSRC = 22334455;
/** Simulcast row: consumers spread over three layers of a 2.5 Mbit/s + 700 + 250 kbit/s publisher. */
const SIMULCAST_CONSUMERS = Number(process.env.SFU_BENCH_SIMULCAST_N ?? 32);
const SIMULCAST_SSRCS = [33445500, 33445501, 33445502];
const SIMULCAST_BITRATES = [250_000, 700_000, 2_500_000];

/** Two-worker row: consumers per worker, each worker with its own publisher of the 2.5 Mbit/s stream. */
const WORKER_CONSUMERS = Number(process.env.SFU_BENCH_WORKER_N ?? 64);
/** Packets/s of one 2.5 Mbit/s publisher of the two-worker row (from the generator). */
let NOMINAL_PPS = 1;
/** Janus baseline: the same 1 → N load (N = the headline N). */
const JANUS_SSRC = 44556677;

type TwoWorkerRow = {
  consumersPerWorker: number;
  /** Forwarded packets/s with one worker loaded, then with two workers each carrying the same load. */
  oneWorkerForwardedPps: number;
  twoWorkersForwardedPps: number;
  /** twoWorkersForwardedPps / oneWorkerForwardedPps (2 = perfect scaling of the offered load). */
  ratio: number;
  oneWorkerCpuPctOfCore: number;
  twoWorkersCpuPctOfCore: number;
  oneWorkerLossPct: number;
  twoWorkersLossPct: number;
  /** Publishers' achieved send rate, % of nominal (below ~95: the generator was starved). */
  oneWorkerPublisherRatePct: number;
  twoWorkersPublisherRatePct: number;
  generatorCpuPctOfCore: number;
  loadAvg1m: number;
};

type JanusRow = {
  consumers: number;
  forwardedPps: number;
  /** Janus process CPU (all threads, /proc) minus its idle baseline, % of one core. */
  cpuPctOfCore: number;
  usPerForwardedPacket: number;
  lossPct: number;
  deliveredShortfallPct: number;
  publisherRatePct: number;
  /** Subscribers that received packets in the window. */
  receiving: number;
  srtpProfile: string;
  loadAvg1m: number;
};

type SimulcastRow = {
  consumers: number;
  layers: number;
  ingressPps: number;
  forwardedPps: number;
  cpuPctOfCore: number;
  usPerForwardedPacket: number;
  lossPct: number;
  deliveredShortfallPct: number;
  /** Consumers forwarding their preferred layer at the end of the window. */
  onPreferredLayer: number;
};

type Row = {
  consumers: number;
  forwardedPps: number;
  cpuPctOfCore: number;
  usPerForwardedPacket: number;
  usPerForwardedPacketMarginal: number | null;
  forwardedPerCore: number;
  consumersPerCore: number;
  /** Packets missing from the consumers' sequences during the window (see `seqLossPct`). */
  lossPct: number;
  /** 1 − received / (sent × N) over the window: includes packets in flight at its edges. */
  deliveredShortfallPct: number;
  /**
   * What the load generator's publisher sent in the window, % of its nominal rate: below ~95 the
   * generator was starved (a shared machine) and the row measures less load than it claims.
   */
  publisherRatePct: number;
  rssMB: number;
  ratioToSrtpDecryptEncrypt: number;
  /** Consumers that received packets during the window. */
  activeConsumers: number;
  /** Datagrams the engine dropped (malformed/unknown, all reasons) during the window. */
  engineDrops: number;
  /** CPU of the load generator process, % of one core (it must stay below 100 for the row to be valid). */
  generatorCpuPctOfCore: number;
  /** Kernel UDP receive-buffer drops on this machine during the window (/proc/net/snmp; -1 if unknown). */
  udpRcvbufErrors: number;
  /** 1-minute load average at the end of the window (the machine may be shared). */
  loadAvg1m: number;
};

/** Kernel-wide UDP RcvbufErrors counter, or -1 where /proc/net/snmp is unavailable. */
function udpRcvbufErrors(): number {
  try {
    const lines = readFileSync('/proc/net/snmp', 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('Udp:'));
    const names = lines[0]!.split(/\s+/);
    const values = lines[1]!.split(/\s+/);
    return Number(values[names.indexOf('RcvbufErrors')] ?? -1);
  } catch {
    return -1;
  }
}

class Generator {
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  #nextId = 1;

  constructor() {
    const here = fileURLToPath(new URL('.', import.meta.url));
    const tsx = createRequire(import.meta.url).resolve('tsx');
    this.#child = fork(`${here}load-generator.ts`, [], { execArgv: ['--import', pathToFileURL(tsx).href], stdio: 'inherit' });
    this.#child.on('message', (m: { id: number; data: unknown; error?: string }) => {
      const p = this.#pending.get(m.id);
      if (!p) return;
      this.#pending.delete(m.id);
      if (m.error) p.reject(new Error(m.error));
      else p.resolve(m.data);
    });
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  request<T>(req: Omit<GeneratorRequest, 'id'> & { type: GeneratorRequest['type'] }): Promise<T> {
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.#child.send({ ...req, id });
    });
  }

  async close(): Promise<void> {
    try {
      await Promise.race([this.request({ type: 'close' }), new Promise((r) => setTimeout(r, 1000))]);
    } finally {
      this.#child.kill();
    }
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const cpuUs = (): number => {
  const u = process.cpuUsage();
  return u.user + u.system;
};

/**
 * Waits until the engine side of every transport finished DTLS (the generator's side finishing
 * first does not prove it: a lost last flight can leave the engine waiting). Throws after 20 s.
 */
async function waitDtlsConnected(transports: WebRtcTransport[], what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const pending = transports.filter((t) => t.dtlsState !== 'connected');
    if (pending.length === 0) return;
    if (Date.now() > deadline) {
      const states = pending.map((t) => `${t.iceState}/${t.dtlsState}`);
      // What the engine itself reports for one of them (its stats come from the engine thread).
      const [engine] = (await pending[0]!.getStats()) as { iceState?: string; dtlsState?: string; iceBindingRequests?: number }[];
      states.push(`engine: ${engine?.iceState}/${engine?.dtlsState}, ${engine?.iceBindingRequests} binding requests`);
      throw new Error(
        `${what}: ${pending.length} of ${transports.length} transports not connected on the engine side (ice/dtls: ${[...new Set(states)].join(', ')})`,
      );
    }
    await sleep(100);
  }
}

async function addEndpoint(router: Router, gen: Generator, key: string, publisher: boolean): Promise<WebRtcTransport> {
  const transport = await router.createWebRtcTransport({ listenIps: ['127.0.0.1'] } as never);
  const params = {
    iceParameters: transport.iceParameters,
    iceCandidates: transport.iceCandidates,
    dtlsParameters: transport.dtlsParameters,
  };
  const dtlsParameters = await gen.request<WebRtcTransport['dtlsParameters']>({ type: 'create', key, params, publisher } as never);
  await transport.connect({ dtlsParameters });
  return transport;
}

async function main(): Promise<void> {
  const started = Date.now();
  const loadAvg1mAtStart = round(loadavg()[0] ?? 0, 2);
  console.log(`SFU bench: ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), Node ${process.version}`);

  // Baseline: raw SRTP crypto per packet.
  const srtpGcm = measureSrtp(7);
  const srtpCm = measureSrtp(1);
  const engineGcm = measureEngineSrtp(7);
  const engineCm = measureEngineSrtp(1);
  console.log(
    `SRTP micro (werift, ${srtpGcm.packetBytes}-byte packet): GCM decrypt+encrypt ${srtpGcm.usDecryptEncrypt.toFixed(1)} µs, ` +
      `CM ${srtpCm.usDecryptEncrypt.toFixed(1)} µs; engine's own SRTP: GCM ${engineGcm.usDecryptEncrypt.toFixed(1)} µs, CM ${engineCm.usDecryptEncrypt.toFixed(1)} µs`,
  );

  // The engine's own share of a forwarded packet (no SRTP, no socket), in this thread.
  const forwardingMicro = measureForwardingPath(HEADLINE_N);
  console.log(
    `forwarding micro (engine path, ${forwardingMicro.consumers} consumers, ${forwardingMicro.packetBytes}-byte packet, no SRTP/socket): ${forwardingMicro.usPerForwardedPacket.toFixed(3)} µs per forwarded packet`,
  );

  const worker = await createWorker();
  const router = await worker.createRouter({ mediaCodecs: [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }] });
  const gen = new Generator();
  const rows: Row[] = [];
  let simulcast: SimulcastRow | undefined;
  let janusRow: JanusRow | undefined;
  let twoWorkers: TwoWorkerRow | undefined;
  let idleUsPerSec = 0;
  let ingressUsPerSec = 0;
  let pps = 0;
  let setupError: string | undefined;
  try {
    if (process.env.SFU_BENCH_ONLY === 'janus') {
      // Debugging the baseline alone: prints, writes nothing.
      console.log(await measureJanus(gen, Number(process.env.SFU_BENCH_N ?? HEADLINE_N)));
      return;
    }
    // Idle baseline: engine up, nothing flowing.
    await sleep(500);
    const idle0 = cpuUs();
    await sleep(IDLE_MS);
    idleUsPerSec = ((cpuUs() - idle0) * 1000) / IDLE_MS;

    const sendTransport = await addEndpoint(router, gen, 'pub', true);
    await gen.request({ type: 'connect', keys: ['pub'] } as never);
    const rtpParameters: RtpParameters = {
      codecs: [
        {
          mimeType: 'video/VP8',
          payloadType: 96,
          clockRate: 90000,
          rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }, { type: 'goog-remb' }],
        },
      ],
      encodings: [{ ssrc: PUBLISHER_SSRC }],
      rtcp: { cname: 'bench' },
    };
    const producer = await sendTransport.produce({ kind: 'video', rtpParameters });
    pps = await gen.request<number>({ type: 'startPublishing', ssrc: PUBLISHER_SSRC, payloadType: 96 } as never);

    // Ingress only (0 consumers): the cost of receiving the stream.
    await sleep(WARMUP_MS);
    {
      const c0 = cpuUs();
      await sleep(IDLE_MS);
      ingressUsPerSec = ((cpuUs() - c0) * 1000) / IDLE_MS;
    }

    let have = 0;
    const consumers: Consumer[] = [];
    const consumerTransports: WebRtcTransport[] = [];
    for (const n of CONSUMER_COUNTS) {
      const keys: string[] = [];
      try {
        for (; have < n; have++) {
          const key = `c${have}`;
          const t = await addEndpoint(router, gen, key, false);
          consumerTransports.push(t);
          consumers.push(await t.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities, paused: true }));
          keys.push(key);
        }
        await gen.request({ type: 'connect', keys } as never);
        await waitDtlsConnected(consumerTransports, `N=${n}`);
      } catch (error) {
        // A bench that fails part-way fails loudly and writes nothing.
        setupError = `N=${n}: ${error instanceof Error ? error.message : String(error)}`;
        throw new Error(`setup failed at ${setupError}`);
      }
      // Resume after DTLS, as a client would, so the engine's keyframe request finds the transport up.
      await Promise.all(consumers.filter((c) => c.paused).map((c) => c.resume()));
      await sleep(WARMUP_MS);

      const s0 = await gen.request<GeneratorSnapshot>({ type: 'snapshot' } as never);
      const d0 = await worker.dump();
      const u0 = udpRcvbufErrors();
      const c0 = cpuUs();
      const t0 = performance.now();
      await sleep(WINDOW_MS);
      const c1 = cpuUs();
      const t1 = performance.now();
      const s1 = await gen.request<GeneratorSnapshot>({ type: 'snapshot' } as never);
      const d1 = await worker.dump();
      const u1 = udpRcvbufErrors();
      const seconds = (t1 - t0) / 1000;
      const delivered = s1.received - s0.received;
      const expected = (s1.sent - s0.sent) * n;
      const cpuUsPerSec = (c1 - c0) / seconds;
      const busyUsPerSec = Math.max(0, cpuUsPerSec - idleUsPerSec);
      const keysN = Array.from({ length: n }, (_, i) => `c${i}`);
      const loss = seqLossPct(s0, s1, keysN, () => s1.sent - s0.sent);
      // Forwarded = what the publisher sent in the window × N, less the loss: a load generator the
      // machine starves reads its sockets late, so what it read in the window would skew the rate.
      const forwardedPps = (expected * (1 - loss / 100)) / seconds;
      const us = delivered > 0 ? busyUsPerSec / forwardedPps : Number.NaN;
      const marginal = delivered > 0 ? Math.max(0, cpuUsPerSec - ingressUsPerSec) / forwardedPps : Number.NaN;
      const perCore = 1e6 / us;
      rows.push({
        consumers: n,
        forwardedPps: Math.round(forwardedPps),
        cpuPctOfCore: Math.round((cpuUsPerSec / 1e4) * 10) / 10,
        usPerForwardedPacket: round(us, 2),
        usPerForwardedPacketMarginal: Number.isFinite(marginal) ? round(marginal, 2) : null,
        forwardedPerCore: Math.round(perCore),
        consumersPerCore: round(perCore / pps, 1),
        lossPct: loss,
        publisherRatePct: round(((s1.sent - s0.sent) / seconds / pps) * 100, 1),
        deliveredShortfallPct: round(expected > 0 ? Math.max(0, (1 - delivered / expected) * 100) : 100, 2),
        rssMB: round(process.memoryUsage().rss / 2 ** 20, 1),
        ratioToSrtpDecryptEncrypt: round(us / srtpGcm.usDecryptEncrypt, 2),
        activeConsumers: s1.activeConsumers,
        engineDrops: d1.droppedTotal - d0.droppedTotal,
        generatorCpuPctOfCore: round((s1.cpuUs - s0.cpuUs) / seconds / 1e4, 1),
        udpRcvbufErrors: u0 < 0 || u1 < 0 ? -1 : u1 - u0,
        loadAvg1m: round(loadavg()[0] ?? 0, 2),
      });
      if (process.env.SFU_BENCH_DEBUG) {
        console.log(JSON.stringify({ drops: d1.drops, udp: d1.udp, producer: await producer.getStats() }));
        // Consumers that received little in the window: what the engine says about them.
        for (let i = 0; i < n; i++) {
          const got = (s1.receivedByKey[`c${i}`] ?? 0) - (s0.receivedByKey[`c${i}`] ?? 0);
          if (got < (s1.sent - s0.sent) * 0.9) console.log(`c${i} got ${got}`, JSON.stringify(await consumers[i]!.getStats()));
        }
      }
      const r = rows.at(-1)!;
      console.log(
        `N=${String(n).padStart(3)}  fwd ${String(r.forwardedPps).padStart(6)} pkt/s  cpu ${String(r.cpuPctOfCore).padStart(5)}%  ` +
          `${r.usPerForwardedPacket} µs/pkt  loss ${r.lossPct}%  rss ${r.rssMB} MB  ` +
          `(load ${r.loadAvg1m}, publisher at ${r.publisherRatePct}% of its rate, generator cpu ${r.generatorCpuPctOfCore}%, udp rcvbuf drops ${r.udpRcvbufErrors}, receiving ${r.activeConsumers}/${n}, engine drops ${r.engineDrops}, decrypt errors ${s1.decryptErrors})`,
      );
      if (Date.now() - started > 4 * 60_000 && n >= HEADLINE_N) {
        console.log('time budget reached; stopping early');
        break;
      }
    }
    if (!setupError) {
      // The single-layer stream stops; its consumers go. Then the simulcast row.
      await gen.request({ type: 'stopPublishing' } as never);
      for (const c of consumers) c.close();
      simulcast = await measureSimulcast(router, gen, idleUsPerSec);
      const r = simulcast;
      console.log(
        `simulcast N=${r.consumers} over ${r.layers} layers: fwd ${r.forwardedPps} pkt/s  cpu ${r.cpuPctOfCore}%  ${r.usPerForwardedPacket} µs/pkt  loss ${r.lossPct}%  ` +
          `(ingress ${r.ingressPps} pkt/s, on preferred layer ${r.onPreferredLayer}/${r.consumers})`,
      );
      const janusN = rows.some((row) => row.consumers === HEADLINE_N) ? HEADLINE_N : (rows.at(-1)?.consumers ?? HEADLINE_N);
      janusRow = await measureJanus(gen, janusN);
      console.log(
        `Janus N=${janusRow.consumers}: fwd ${janusRow.forwardedPps} pkt/s  cpu ${janusRow.cpuPctOfCore}%  ${janusRow.usPerForwardedPacket} µs/pkt  loss ${janusRow.lossPct}%  (${janusRow.srtpProfile}, receiving ${janusRow.receiving}/${janusRow.consumers}, publisher at ${janusRow.publisherRatePct}%, load ${janusRow.loadAvg1m})`,
      );
      twoWorkers = await measureTwoWorkers(gen, idleUsPerSec);
      const w = twoWorkers;
      console.log(
        `two workers × ${w.consumersPerWorker} consumers: ${w.twoWorkersForwardedPps} pkt/s vs one worker ${w.oneWorkerForwardedPps} pkt/s = ${w.ratio}×  ` +
          `(cpu ${w.twoWorkersCpuPctOfCore}% vs ${w.oneWorkerCpuPctOfCore}%, loss ${w.twoWorkersLossPct}% vs ${w.oneWorkerLossPct}%, publishers at ${w.oneWorkerPublisherRatePct}% / ${w.twoWorkersPublisherRatePct}% of their rate, generator ${w.generatorCpuPctOfCore}%, load ${w.loadAvg1m})`,
      );
    }
  } finally {
    await gen.close();
    worker.close();
  }

  const good = rows.filter((r) => r.lossPct <= 1);
  const headline = rows.find((r) => r.consumers === HEADLINE_N && r.lossPct <= 1) ?? good.at(-1) ?? rows[0];
  const result = {
    name: 'sfu-forwarding',
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', node: process.version },
    cpuMeasurement:
      'process.cpuUsage() of the engine host process (engine worker thread + near-idle main thread) minus an idle baseline; ' +
      'the load generator runs in a separate child process and is not counted',
    stream: { codec: 'VP8', bitrate: 2_500_000, fps: 30, packetsPerSecond: round(pps, 1) },
    loadAvg1mAtStart,
    setupError: setupError ?? null,
    idleCpuPctOfCore: round(idleUsPerSec / 1e4, 2),
    ingressOnlyCpuPctOfCore: round(ingressUsPerSec / 1e4, 2),
    srtpMicro: { gcm: roundAll(srtpGcm), cm: roundAll(srtpCm), engineGcm: roundAll(engineGcm), engineCm: roundAll(engineCm) },
    /** CPU µs of the engine's forwarding path alone (no SRTP, no socket) per forwarded packet, N = headline. */
    forwardingMicro: { ...forwardingMicro, usPerForwardedPacket: round(forwardingMicro.usPerForwardedPacket, 3) },
    headlineConsumers: headline?.consumers ?? 0,
    usPerForwardedPacket: headline?.usPerForwardedPacket ?? null,
    consumersPerCore: headline?.consumersPerCore ?? null,
    lossPct: headline?.lossPct ?? null,
    forwardedPerCore: headline?.forwardedPerCore ?? null,
    ratioToSrtpDecryptEncrypt: headline?.ratioToSrtpDecryptEncrypt ?? null,
    /** Janus (VideoRoom) µs of CPU per forwarded packet for the same 1 → N load, same run. */
    janusUsPerForwardedPacket: janusRow?.usPerForwardedPacket ?? null,
    /** Our headline µs per forwarded packet over Janus's (below 1: cheaper than Janus). */
    ratioToJanus: janusRow && headline ? round(headline.usPerForwardedPacket / janusRow.usPerForwardedPacket, 2) : null,
    rows,
    simulcast: simulcast ?? null,
    janus: janusRow ?? null,
    twoWorkers: twoWorkers ?? null,
  };
  printTable(rows);
  console.log(
    `headline N=${result.headlineConsumers}: ${result.usPerForwardedPacket} µs per forwarded packet ` +
      `(${result.ratioToSrtpDecryptEncrypt}× raw SRTP decrypt+encrypt), ${result.consumersPerCore} consumers per core, loss ${result.lossPct}%`,
  );
  const out = fileURLToPath(new URL('../../../bench/results/', import.meta.url));
  mkdirSync(out, { recursive: true });
  writeFileSync(`${out}sfu.json`, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`wrote ${out}sfu.json in ${Math.round((Date.now() - started) / 1000)} s`);
}

/** One simulcast publisher (three SSRC layers), consumers spread over the layers by preferredLayers. */
async function measureSimulcast(router: Router, gen: Generator, idleUsPerSec: number): Promise<SimulcastRow> {
  const pubTransport = await addEndpoint(router, gen, 'spub', false);
  await gen.request({ type: 'connect', keys: ['spub'] } as never);
  const producer = await pubTransport.produce({
    kind: 'video',
    rtpParameters: {
      codecs: [
        { mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }] },
      ],
      encodings: SIMULCAST_SSRCS.map((ssrc) => ({ ssrc })),
      rtcp: { cname: 'bench-simulcast' },
    },
  });
  const ingressPps = await gen.request<number>({
    type: 'startSimulcast',
    key: 'spub',
    ssrcs: SIMULCAST_SSRCS,
    bitrates: SIMULCAST_BITRATES,
    payloadType: 96,
  } as never);
  const layerOf = new Map<string, number>();
  const consumers: { c: Consumer; layer: number }[] = [];
  for (let i = 0; i < SIMULCAST_CONSUMERS; i++) {
    const key = `s${i}`;
    const layer = i % SIMULCAST_SSRCS.length;
    const t = await addEndpoint(router, gen, key, false);
    const c = await t.consume({
      producerId: producer.id,
      rtpCapabilities: router.rtpCapabilities,
      paused: true,
      preferredLayers: { spatialLayer: layer },
    });
    consumers.push({ c, layer });
    layerOf.set(key, layer);
  }
  await gen.request({ type: 'connect', keys: [...layerOf.keys()] } as never);
  await Promise.all(consumers.map(({ c }) => c.resume()));
  await sleep(WARMUP_MS + 1000);
  const s0 = await gen.request<GeneratorSnapshot>({ type: 'snapshot' } as never);
  const c0 = cpuUs();
  const t0 = performance.now();
  await sleep(WINDOW_MS);
  const c1 = cpuUs();
  const seconds = (performance.now() - t0) / 1000;
  const s1 = await gen.request<GeneratorSnapshot>({ type: 'snapshot' } as never);
  let delivered = 0;
  let expected = 0;
  for (const [key, layer] of layerOf) {
    delivered += (s1.receivedByKey[key] ?? 0) - (s0.receivedByKey[key] ?? 0);
    expected += (s1.simulcastSent[layer] ?? 0) - (s0.simulcastSent[layer] ?? 0);
  }
  const cpuUsPerSec = (c1 - c0) / seconds;
  const loss = seqLossPct(
    s0,
    s1,
    layerOf.keys(),
    (k) => (s1.simulcastSent[layerOf.get(k)!] ?? 0) - (s0.simulcastSent[layerOf.get(k)!] ?? 0),
  );
  const forwardedPps = (expected * (1 - loss / 100)) / seconds;
  return {
    consumers: SIMULCAST_CONSUMERS,
    layers: SIMULCAST_SSRCS.length,
    ingressPps: Math.round(ingressPps),
    forwardedPps: Math.round(forwardedPps),
    cpuPctOfCore: round(cpuUsPerSec / 1e4, 1),
    usPerForwardedPacket: round(Math.max(0, cpuUsPerSec - idleUsPerSec) / Math.max(1, forwardedPps), 2),
    lossPct: loss,
    deliveredShortfallPct: round(expected > 0 ? Math.max(0, (1 - delivered / expected) * 100) : 100, 2),
    onPreferredLayer: consumers.filter(({ c, layer }) => c.currentLayers?.spatialLayer === layer).length,
  };
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

function roundAll<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, typeof v === 'number' ? round(v, 2) : v])) as T;
}

function printTable(rows: Row[]): void {
  console.table(
    rows.map((r) => ({
      N: r.consumers,
      'fwd pkt/s': r.forwardedPps,
      'cpu %core': r.cpuPctOfCore,
      'µs/pkt': r.usPerForwardedPacket,
      'µs/pkt marginal': r.usPerForwardedPacketMarginal,
      'pkt/s per core': r.forwardedPerCore,
      'consumers/core': r.consumersPerCore,
      'loss %': r.lossPct,
      'RSS MB': r.rssMB,
      'gen %core': r.generatorCpuPctOfCore,
      load: r.loadAvg1m,
      '× SRTP': r.ratioToSrtpDecryptEncrypt,
    })),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});

/**
 * Loss of `keys` over a window from their sequence numbers: 1 − Δreceived / Δspan (packets
 * missing from each receiver's sequence; in-flight packets at the window edges are not loss).
 */
function seqLossPct(s0: GeneratorSnapshot, s1: GeneratorSnapshot, keys: Iterable<string>, sentTo: (key: string) => number): number {
  let received = 0;
  let span = 0;
  for (const k of keys) {
    const a = s0.seqByKey[k] ?? { received: 0, span: 0 };
    const b = s1.seqByKey[k] ?? a;
    const got = b.received - a.received;
    received += got;
    // A receiver that got nothing in the window lost everything sent meanwhile.
    span += got === 0 ? sentTo(k) : b.span - a.span;
  }
  return span > 0 ? round(Math.max(0, (1 - received / span) * 100), 2) : 100;
}

/** Receivers' packets and the publisher's sent packets of `keys` / `pubKey` between two snapshots. */
function deliveredBetween(
  s0: GeneratorSnapshot,
  s1: GeneratorSnapshot,
  keys: string[],
  pubKey: string,
): { delivered: number; expected: number } {
  let delivered = 0;
  for (const k of keys) delivered += (s1.receivedByKey[k] ?? 0) - (s0.receivedByKey[k] ?? 0);
  const sent = (s1.sentByKey[pubKey] ?? 0) - (s0.sentByKey[pubKey] ?? 0);
  return { delivered, expected: sent * keys.length };
}

/** One publisher and `n` consumers on a new router of `worker`; returns the consumer keys. */
async function loadWorker(
  worker: Awaited<ReturnType<typeof createWorker>>,
  gen: Generator,
  prefix: string,
  n: number,
  ssrc: number,
): Promise<string[]> {
  const router = await worker.createRouter({ mediaCodecs: [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }] });
  const pubKey = `${prefix}pub`;
  const sendTransport = await addEndpoint(router, gen, pubKey, false);
  await gen.request({ type: 'connect', keys: [pubKey] } as never);
  const producer = await sendTransport.produce({
    kind: 'video',
    rtpParameters: {
      codecs: [
        { mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }] },
      ],
      encodings: [{ ssrc }],
      rtcp: { cname: pubKey },
    },
  });
  const keys: string[] = [];
  const consumers: Consumer[] = [];
  const transports: WebRtcTransport[] = [sendTransport];
  for (let i = 0; i < n; i++) {
    const key = `${prefix}c${i}`;
    const t = await addEndpoint(router, gen, key, false);
    transports.push(t);
    consumers.push(await t.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities, paused: true }));
    keys.push(key);
  }
  await gen.request({ type: 'connect', keys } as never);
  await waitDtlsConnected(transports, `two-worker row (${prefix})`);
  await Promise.all(consumers.map((c) => c.resume()));
  NOMINAL_PPS = await gen.request<number>({ type: 'publishOn', key: pubKey, ssrc, payloadType: 96 } as never);
  return keys;
}

/**
 * Two-worker row: one worker (own thread) with a publisher and {@link WORKER_CONSUMERS} consumers,
 * measured; then a second worker with the same load beside it, both measured together.
 */
async function measureTwoWorkers(gen: Generator, idleUsPerSec: number): Promise<TwoWorkerRow> {
  const w1 = await createWorker();
  const w2 = await createWorker();
  try {
    const window = async (groups: { keys: string[]; pub: string }[]) => {
      await sleep(WARMUP_MS);
      const s0 = await gen.request<GeneratorSnapshot>({ type: 'snapshot' } as never);
      const c0 = cpuUs();
      const t0 = performance.now();
      await sleep(WINDOW_MS);
      const c1 = cpuUs();
      const seconds = (performance.now() - t0) / 1000;
      const s1 = await gen.request<GeneratorSnapshot>({ type: 'snapshot' } as never);
      let delivered = 0;
      let expected = 0;
      for (const g of groups) {
        const d = deliveredBetween(s0, s1, g.keys, g.pub);
        delivered += d.delivered;
        expected += d.expected;
      }
      if (expected === 0) throw new Error('two-worker row: the publishers sent nothing');
      const loss = seqLossPct(
        s0,
        s1,
        groups.flatMap((g) => g.keys),
        (k) => (s1.sentByKey[k.startsWith('w1') ? 'w1pub' : 'w2pub'] ?? 0) - (s0.sentByKey[k.startsWith('w1') ? 'w1pub' : 'w2pub'] ?? 0),
      );
      if (delivered === 0) throw new Error('two-worker row: no consumer received anything');
      return {
        pps: (expected * (1 - loss / 100)) / seconds,
        cpuPct: Math.max(0, (c1 - c0) / seconds - idleUsPerSec) / 1e4,
        lossPct: loss,
        publisherRatePct:
          (groups.reduce((sum, g) => sum + (s1.sentByKey[g.pub] ?? 0) - (s0.sentByKey[g.pub] ?? 0), 0) /
            seconds /
            (NOMINAL_PPS * groups.length)) *
          100,
        genCpuPct: (s1.cpuUs - s0.cpuUs) / seconds / 1e4,
      };
    };
    const k1 = await loadWorker(w1, gen, 'w1', WORKER_CONSUMERS, 55660001);
    const one = await window([{ keys: k1, pub: 'w1pub' }]);
    const k2 = await loadWorker(w2, gen, 'w2', WORKER_CONSUMERS, 55660002);
    const two = await window([
      { keys: k1, pub: 'w1pub' },
      { keys: k2, pub: 'w2pub' },
    ]);
    await gen.request({ type: 'stopPublishing' } as never);
    return {
      consumersPerWorker: WORKER_CONSUMERS,
      oneWorkerForwardedPps: Math.round(one.pps),
      twoWorkersForwardedPps: Math.round(two.pps),
      ratio: round(two.pps / one.pps, 2),
      oneWorkerCpuPctOfCore: round(one.cpuPct, 1),
      twoWorkersCpuPctOfCore: round(two.cpuPct, 1),
      oneWorkerLossPct: round(one.lossPct, 2),
      twoWorkersLossPct: round(two.lossPct, 2),
      oneWorkerPublisherRatePct: round(one.publisherRatePct, 1),
      twoWorkersPublisherRatePct: round(two.publisherRatePct, 1),
      generatorCpuPctOfCore: round(two.genCpuPct, 1),
      loadAvg1m: round(loadavg()[0] ?? 0, 2),
    };
  } finally {
    w1.close();
    w2.close();
  }
}

/**
 * Janus baseline: the same 1 → N load (one 2.5 Mbit/s VP8 publisher, N subscribers) through
 * Janus's VideoRoom, with the same load generator (ICE, DTLS, SRTP). CPU: the Janus process (all
 * threads) from /proc minus its idle baseline.
 */
async function measureJanus(gen: Generator, n: number): Promise<JanusRow> {
  const janus = await Janus.start();
  try {
    await sleep(500);
    const idle0 = processCpuUs(janus.pid);
    await sleep(IDLE_MS);
    const janusIdleUsPerSec = ((processCpuUs(janus.pid) - idle0) * 1000) / IDLE_MS;
    const room = 4242;
    await janus.createRoom(room);
    const fingerprint = await gen.request<string>({ type: 'fingerprint' } as never);
    const pubUfrag = randomBytes(4).toString('hex');
    const pubPwd = randomBytes(12).toString('hex');
    const pub = await janus.publish(
      room,
      endpointSdp({ ufrag: pubUfrag, pwd: pubPwd, fingerprint, direction: 'sendonly', mid: '0', payloadType: 96, ssrc: JANUS_SSRC }),
    );
    const pubRemote = remoteFromSdp(pub.answer);
    // libnice gathers no loopback candidate: our endpoints bind to the local address Janus uses.
    const bindAddress = pubRemote.iceCandidates[0]!.ip;
    await gen.request({
      type: 'create',
      key: 'jpub',
      params: pubRemote,
      publisher: false,
      iceUfrag: pubUfrag,
      icePassword: pubPwd,
      bindAddress,
    } as never);
    await janus.endOfCandidates(pub.handle);
    await gen.request({ type: 'connect', keys: ['jpub'] } as never);
    const janusPps = await gen.request<number>({ type: 'publishOn', key: 'jpub', ssrc: JANUS_SSRC, payloadType: 96 } as never);
    const keys: string[] = [];
    for (let i = 0; i < n; i++) {
      const sub = await janus.subscribe(room, pub.feed);
      const { mid, payloadType } = offerMedia(sub.offer);
      const key = `j${i}`;
      const ufrag = randomBytes(4).toString('hex');
      const pwd = randomBytes(12).toString('hex');
      await gen.request({
        type: 'create',
        key,
        params: remoteFromSdp(sub.offer),
        publisher: false,
        iceUfrag: ufrag,
        icePassword: pwd,
        bindAddress,
      } as never);
      await janus.start(sub.handle, endpointSdp({ ufrag, pwd, fingerprint, direction: 'recvonly', mid, payloadType }));
      await janus.endOfCandidates(sub.handle);
      keys.push(key);
    }
    await gen.request({ type: 'connect', keys } as never);
    await sleep(WARMUP_MS + 1000);
    const s0 = await gen.request<GeneratorSnapshot>({ type: 'snapshot' } as never);
    const c0 = processCpuUs(janus.pid);
    const t0 = performance.now();
    await sleep(WINDOW_MS);
    const c1 = processCpuUs(janus.pid);
    const seconds = (performance.now() - t0) / 1000;
    const s1 = await gen.request<GeneratorSnapshot>({ type: 'snapshot' } as never);
    const { delivered, expected } = deliveredBetween(s0, s1, keys, 'jpub');
    if (expected === 0) throw new Error('Janus baseline: the publisher sent nothing');
    if (delivered === 0) throw new Error('Janus baseline: no subscriber received anything');
    const loss = seqLossPct(s0, s1, keys, () => (s1.sentByKey.jpub ?? 0) - (s0.sentByKey.jpub ?? 0));
    const forwardedPps = (expected * (1 - loss / 100)) / seconds;
    const busy = Math.max(0, (c1 - c0) / seconds - janusIdleUsPerSec);
    await gen.request({ type: 'stopPublishing' } as never);
    return {
      consumers: n,
      forwardedPps: Math.round(forwardedPps),
      cpuPctOfCore: round((c1 - c0) / seconds / 1e4, 1),
      usPerForwardedPacket: round(busy / forwardedPps, 2),
      lossPct: loss,
      publisherRatePct: round((((s1.sentByKey.jpub ?? 0) - (s0.sentByKey.jpub ?? 0)) / seconds / janusPps) * 100, 1),
      receiving: keys.filter((k) => (s1.receivedByKey[k] ?? 0) > (s0.receivedByKey[k] ?? 0)).length,
      deliveredShortfallPct: round(Math.max(0, (1 - delivered / expected) * 100), 2),
      srtpProfile: await gen.request<string>({ type: 'profile', key: 'jpub' } as never),
      loadAvg1m: round(loadavg()[0] ?? 0, 2),
    };
  } finally {
    janus.close();
  }
}
