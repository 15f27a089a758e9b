import { randomUUID } from 'node:crypto';
import { isIP } from 'node:net';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker as NodeWorker } from 'node:worker_threads';
import type { AppData } from '../common/app-data.js';
import { EnhancedEventEmitter } from '../common/enhanced-event-emitter.js';
import {
  describeError,
  jsonLineSink,
  SfuLogger,
  SfuLogSettings,
  sinkToRecords,
  validateLogSettings,
  type SfuLogSink,
  type WorkerLogLevel,
  type WorkerLogTag,
} from '../common/logger.js';
import { InvalidStateError, SfuError } from '../errors.js';
import { generateRouterRtpCapabilities } from '../ortc/index.js';
import { Router } from '../router/router.js';
import { checkListenInfos, type WorkerSockets } from '../transport/listen-info.js';
import { WebRtcServer, type WebRtcServerOptions } from '../webrtc-server/webrtc-server.js';
import type { RtpCodecCapability } from '../types/index.js';
import { Channel } from './channel.js';
import type { EngineSettings } from './channel-messages.js';
import type { DropCounters } from '../engine/context.js';

export type { DropCounters };

/** Options of {@link createWorker} (mediasoup's `WorkerSettings`, plus `rtcListenIp` and `logger`). */
export interface WorkerSettings<WorkerAppData extends AppData = AppData> {
  /**
   * Least severe records written, as mediasoup's: `'debug'` (with `logTags`), `'warn'`,
   * `'error'` (default) or `'none'`.
   */
  logLevel?: WorkerLogLevel;
  /**
   * Media-path areas whose records are written (`'ice'`, `'dtls'`, `'srtp'`, `'rtp'`, `'rtcp'`,
   * `'message'`…), as mediasoup's: every packet dropped or error swallowed on the media path is a
   * debug record under its area's tag. Default none.
   */
  logTags?: WorkerLogTag[];
  /**
   * Where records go (Alcove addition); `@alcove/server`'s logger fits. Records are redacted
   * first: no keys, ICE credentials, certificates, names or IP addresses. Default: JSON lines on
   * stderr.
   */
  logger?: SfuLogSink;
  /** Lowest UDP port the worker's socket may use. Default 0 (ephemeral). */
  rtcMinPort?: number;
  /** Highest UDP port the worker's socket may use. Default 0 (ephemeral). */
  rtcMaxPort?: number;
  /** IP the worker's single UDP socket binds to. Default `'127.0.0.1'` (Alcove addition). */
  rtcListenIp?: string;
  appData?: WorkerAppData;
}

/** Options of `worker.createRouter()`. */
export interface RouterOptions<RouterAppData extends AppData = AppData> {
  /** Codecs the router offers (Opus, VP8, VP9, H.264; RTX is added for video). */
  mediaCodecs?: RtpCodecCapability[];
  appData?: RouterAppData;
}

/** Resource usage of a worker (mediasoup's `WorkerResourceUsage` subset, in ms / KB). */
export interface WorkerResourceUsage {
  ru_utime: number;
  ru_stime: number;
  ru_maxrss: number;
  /** Event-loop utilisation of the engine thread (0..1) since the worker started. */
  eventLoopUtilization: number;
}

/** Events of a {@link Worker}. */
export type WorkerEvents = {
  died: [error: Error];
  subprocessclose: [];
  '@success': [];
  '@failure': [error: Error];
};

/** Observer events of a {@link Worker}. */
export type WorkerObserverEvents = {
  close: [];
  newrouter: [router: Router];
  newwebrtcserver: [webRtcServer: WebRtcServer];
};

function threadEntry(): { url: URL; execArgv: string[] } {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    // Running from source (tests): load the TypeScript entry through tsx's loader.
    const tsx = createRequire(here).resolve('tsx');
    return { url: new URL('../engine/thread.ts', here), execArgv: ['--import', pathToFileURL(tsx).href] };
  }
  return { url: new URL('./engine-thread.js', here), execArgv: [] };
}

/**
 * A media worker (mediasoup's `Worker`): one engine in its own `worker_threads` thread with one
 * UDP port. Created by {@link createWorker}.
 */
export class Worker<WorkerAppData extends AppData = AppData> extends EnhancedEventEmitter<WorkerEvents> {
  readonly #thread: NodeWorker;
  readonly #channel: Channel;
  #closed = false;
  #died = false;
  #appData: WorkerAppData;
  readonly #routers = new Set<Router>();
  readonly #webRtcServers = new Set<WebRtcServer>();
  readonly #observer = new EnhancedEventEmitter<WorkerObserverEvents>();
  readonly #logSettings: SfuLogSettings;
  readonly #log: SfuLogger;
  #listenAddress: WorkerSockets | undefined;

  /** @internal Use {@link createWorker}. */
  constructor(settings: WorkerSettings<WorkerAppData>) {
    super();
    this.#appData = settings.appData ?? ({} as WorkerAppData);
    this.#logSettings = new SfuLogSettings({
      level: settings.logLevel ?? 'error',
      tags: settings.logTags ?? [],
      write: settings.logger ? sinkToRecords(settings.logger) : jsonLineSink(),
    });
    this.#log = new SfuLogger('alcove-sfu:worker', this.#logSettings);
    const engineSettings: EngineSettings = {
      listenIp: settings.rtcListenIp ?? '127.0.0.1',
      rtcMinPort: settings.rtcMinPort ?? 0,
      rtcMaxPort: settings.rtcMaxPort ?? 0,
      logLevel: this.#logSettings.level,
      logTags: this.#logSettings.tags,
    };
    const { url, execArgv } = threadEntry();
    this.#thread = new NodeWorker(url, { workerData: engineSettings, execArgv, stdout: false, stderr: false });
    this.#channel = new Channel(this.#thread, new SfuLogger('alcove-sfu:channel', this.#logSettings));
    this.#channel.onLog = (record) => this.#logSettings.write(record);
    let started = false;
    this.#channel.onReady = () => {
      started = true;
      this.emit('@success');
    };
    this.#thread.on('error', (error) => {
      if (!started) this.emit('@failure', error);
      else this.#onDied(error);
    });
    this.#thread.on('exit', (code) => {
      if (this.#closed) {
        this.safeEmit('subprocessclose');
        return;
      }
      const error = new SfuError('SFU_WORKER_DIED', `worker thread exited unexpectedly [code:${code}]`);
      if (!started) this.emit('@failure', error);
      else this.#onDied(error);
    });
  }

  /**
   * Always `NaN`: the engine is a thread of this process, not a child process, so there is no
   * process id of its own. (mediasoup's `pid` is the worker process's; a thread id or this
   * process's id in its place could be passed to `process.kill()` by mistake, and `NaN` makes
   * `process.kill()` throw instead.) See {@link Worker.threadId}.
   */
  get pid(): number {
    return Number.NaN;
  }
  /** The engine thread's `worker_threads` id (Alcove addition). */
  get threadId(): number {
    return this.#thread.threadId;
  }
  /** @internal The engine sockets' address and ports (set by {@link createWorker} once they are bound). */
  get listenAddress(): WorkerSockets | undefined {
    return this.#listenAddress;
  }
  set listenAddress(a: WorkerSockets | undefined) {
    this.#listenAddress = a;
  }
  /** Whether the worker is closed. */
  get closed(): boolean {
    return this.#closed;
  }
  /** Whether the worker died unexpectedly. */
  get died(): boolean {
    return this.#died;
  }
  /** Whether the engine thread has ended. */
  get subprocessClosed(): boolean {
    return this.#closed || this.#died;
  }
  /** Application data. */
  get appData(): WorkerAppData {
    return this.#appData;
  }
  set appData(v: WorkerAppData) {
    this.#appData = v;
  }
  /** Observer (`close`, `newrouter`). */
  get observer(): EnhancedEventEmitter<WorkerObserverEvents> {
    return this.#observer;
  }

  /** @internal Test-only controls. */
  get __testing(): { crash(): void; channel: Channel } {
    return {
      crash: () => {
        this.#channel.requestQuietly('worker.__crash');
      },
      channel: this.#channel,
    };
  }

  /** Closes the worker, its routers and the engine thread. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#channel.requestQuietly('worker.close');
    setTimeout(() => void this.#thread.terminate(), 200).unref();
    this.#channel.close();
    for (const r of this.#routers) r.workerClosed();
    this.#routers.clear();
    for (const s of this.#webRtcServers) s.workerClosed();
    this.#webRtcServers.clear();
    this.#observer.safeEmit('close');
  }

  #onDied(error: Error): void {
    if (this.#closed) return;
    this.#log.error('worker.died', { reason: describeError(error) });
    this.#closed = true;
    this.#died = true;
    this.#channel.close();
    for (const r of this.#routers) r.workerClosed();
    this.#routers.clear();
    for (const s of this.#webRtcServers) s.workerClosed();
    this.#webRtcServers.clear();
    void this.#thread.terminate();
    this.safeEmit('died', error);
    this.#observer.safeEmit('close');
  }

  /** Engine state: routers, UDP and TCP ports, and drop counters of malformed/unknown packets. */
  async dump(): Promise<{
    routerIds: string[];
    transportIds: string[];
    udp: { ip: string; port: number; datagramsReceived: number; datagramsSent: number };
    /** The ICE-TCP listening port (absent when it could not be bound). */
    tcp?: { ip: string; port: number; connections: number; connectionsAccepted: number; framesReceived: number };
    drops: DropCounters;
    droppedTotal: number;
  }> {
    this.#assertOpen();
    return await this.#channel.request('worker.dump');
  }

  /** CPU and memory use of the process, and the engine thread's event-loop utilisation. */
  async getResourceUsage(): Promise<WorkerResourceUsage> {
    this.#assertOpen();
    const r = await this.#channel.request('worker.getResourceUsage');
    return { ...r, eventLoopUtilization: this.#thread.performance.eventLoopUtilization().utilization };
  }

  /**
   * Changes the log level and/or tags of this worker, in both threads (mediasoup's `updateSettings`).
   * @throws `TypeError` for an unknown level or tag; {@link InvalidStateError} if closed.
   * @example
   * await worker.updateSettings({ logLevel: 'debug', logTags: ['srtp', 'dtls'] });
   */
  async updateSettings(settings: { logLevel?: WorkerLogLevel; logTags?: WorkerLogTag[] } = {}): Promise<void> {
    this.#assertOpen();
    validateLogSettings(settings);
    const update = {
      ...(settings.logLevel !== undefined ? { logLevel: settings.logLevel } : {}),
      ...(settings.logTags !== undefined ? { logTags: [...settings.logTags] } : {}),
    };
    this.#logSettings.update(update);
    await this.#channel.request('worker.updateSettings', undefined, update);
  }

  /**
   * Creates a {@link WebRtcServer}: the worker's UDP (and ICE-TCP) port named once for many
   * WebRtcTransports (`router.createWebRtcTransport({ webRtcServer })`).
   * @throws `TypeError` without listen infos, on malformed ones or two of one protocol;
   *   {@link UnsupportedError} for a listen info the worker's sockets do not match;
   *   {@link InvalidStateError} if closed.
   */
  async createWebRtcServer<T extends AppData = AppData>(options: WebRtcServerOptions<T>): Promise<WebRtcServer<T>> {
    this.#assertOpen();
    const { listenInfos, appData } = options ?? ({} as WebRtcServerOptions<T>);
    if (!Array.isArray(listenInfos) || listenInfos.length === 0) throw new TypeError('missing listenInfos');
    if (appData !== undefined && (typeof appData !== 'object' || appData === null))
      throw new TypeError('if given, appData must be an object');
    checkListenInfos(listenInfos, undefined, this.#listenAddress);
    for (const protocol of ['udp', 'tcp'] as const) {
      if (listenInfos.filter((l) => l.protocol === protocol).length > 1)
        throw new TypeError(`more than one ${protocol} listen info (the worker has one ${protocol} port)`);
    }
    const server = new WebRtcServer<T>({ listenInfos, channel: this.#channel, ...(appData ? { appData } : {}) });
    this.#webRtcServers.add(server as unknown as WebRtcServer);
    server.on('@close', () => this.#webRtcServers.delete(server as unknown as WebRtcServer));
    this.#observer.safeEmit('newwebrtcserver', server as unknown as WebRtcServer);
    return server;
  }

  /**
   * Creates a router.
   * @throws {UnsupportedError} for an unsupported codec; `TypeError` on malformed codecs.
   */
  async createRouter<RouterAppData extends AppData = AppData>(options: RouterOptions<RouterAppData> = {}): Promise<Router<RouterAppData>> {
    this.#assertOpen();
    const { mediaCodecs, appData } = options;
    if (appData !== undefined && (typeof appData !== 'object' || appData === null))
      throw new TypeError('if given, appData must be an object');
    // transport-wide-cc: every WebRtcTransport sends feedback, so browsers run send-side BWE
    // (REMB is still sent as the `setMaxIncomingBitrate` cap).
    const rtpCapabilities = generateRouterRtpCapabilities(structuredClone(mediaCodecs ?? []));
    const id = randomUUID();
    await this.#channel.request('worker.createRouter', undefined, { routerId: id });
    const router = new Router<RouterAppData>({
      id,
      rtpCapabilities,
      channel: this.#channel,
      ...(this.#listenAddress ? { listenAddress: this.#listenAddress } : {}),
      ...(appData ? { appData } : {}),
    });
    this.#routers.add(router as unknown as Router);
    router.on('@close', () => this.#routers.delete(router as unknown as Router));
    this.#observer.safeEmit('newrouter', router as unknown as Router);
    return router;
  }

  #assertOpen(): void {
    if (this.#closed) throw new InvalidStateError('Worker closed');
  }
}

/**
 * Starts a worker: an engine thread with one UDP port for all its WebRtcTransports.
 * @example
 * const worker = await createWorker({ rtcListenIp: '127.0.0.1' });
 * worker.on('died', (e) => { console.error(e); process.exit(1); });
 * @throws when the thread cannot start or no UDP port is free.
 */
export async function createWorker<WorkerAppData extends AppData = AppData>(
  settings: WorkerSettings<WorkerAppData> = {},
): Promise<Worker<WorkerAppData>> {
  if (settings.appData !== undefined && (typeof settings.appData !== 'object' || settings.appData === null)) {
    throw new TypeError('if given, appData must be an object');
  }
  validateLogSettings(settings);
  validatePortSettings(settings);
  if (
    settings.logger !== undefined &&
    !['debug', 'warn', 'error'].every((m) => typeof (settings.logger as unknown as Record<string, unknown>)[m] === 'function')
  ) {
    throw new TypeError('if given, logger must have debug(), warn() and error() methods');
  }
  const worker = new Worker<WorkerAppData>(settings);
  await new Promise<void>((resolve, reject) => {
    worker.once('@success', resolve);
    worker.once('@failure', reject);
  });
  const { udp, tcp } = await worker.dump();
  worker.listenAddress = { ip: udp.ip, port: udp.port, ...(tcp ? { tcpPort: tcp.port } : {}) };
  return worker;
}

/**
 * `rtcListenIp` must be an IP address; `rtcMinPort`/`rtcMaxPort` integers in 1..65535 with
 * min ≤ max, given together (or both 0/omitted for an ephemeral port), so a range is either
 * honoured or refused, never ignored.
 */
function validatePortSettings(settings: WorkerSettings): void {
  const { rtcListenIp, rtcMinPort, rtcMaxPort } = settings;
  if (rtcListenIp !== undefined && (typeof rtcListenIp !== 'string' || isIP(rtcListenIp) === 0)) {
    throw new TypeError(`invalid rtcListenIp "${String(rtcListenIp)}" (an IPv4 or IPv6 address)`);
  }
  const port = (name: string, v: unknown): number => {
    if (v === undefined) return 0;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 65535) {
      throw new TypeError(`invalid ${name} ${String(v)} (an integer port, 1..65535)`);
    }
    return v;
  };
  const min = port('rtcMinPort', rtcMinPort);
  const max = port('rtcMaxPort', rtcMaxPort);
  if (min === 0 && max === 0) return;
  if (min === 0 || max === 0) throw new TypeError('rtcMinPort and rtcMaxPort must be given together');
  if (min > max) throw new TypeError(`rtcMinPort ${min} is greater than rtcMaxPort ${max}`);
}
