import type { IceServer, MediaKind, ProducerInfo, RequestData, RequestMethod, ResponseData, TrackSource } from '@alcove/protocol';
import type { Device, types as ms } from 'mediasoup-client';
import type { Platform } from '../platform/platform.js';
import type { SwallowedErrors } from '../platform/swallowed-errors.js';
import { AlcoveError, ConnectionError, InvalidStateError, MediaDeviceError, UnsupportedError } from '../session/errors.js';
import type { MediaHooks, RemoteTrack, SimulcastLayer } from './types.js';

/** Sends one request on the session's current signalling connection. */
export type Requester = <M extends RequestMethod>(method: M, data: RequestData<M>, signal?: AbortSignal) => Promise<ResponseData<M>>;

/** Transport direction. */
export type TransportDirection = 'send' | 'recv';

/** Callbacks of {@link MediaManager}. */
export interface MediaManagerCallbacks {
  readonly request: Requester;
  readonly selfId: () => string;
  onRemoteTrackAdded(track: RemoteTrack): void;
  onRemoteTrackRemoved(track: RemoteTrack): void;
  onRemoteTrackChanged(track: RemoteTrack): void;
  onTransportStateChanged(direction: TransportDirection, state: ms.ConnectionState): void;
  onError(error: AlcoveError): void;
}

/** Options of {@link MediaManager}. */
export interface MediaManagerOptions {
  readonly platform: Platform;
  readonly callbacks: MediaManagerCallbacks;
  /** Where best-effort failures (closing on the server, preloading) are counted and logged. */
  readonly swallowed: SwallowedErrors;
  /** Value of `e2ee` sent with each producer (false until the E2EE work lands). */
  readonly e2ee: () => boolean;
  readonly hooks?: MediaHooks;
  /** Camera simulcast layers; empty = no simulcast. */
  readonly simulcast?: readonly SimulcastLayer[];
  /**
   * TURN relays for new transports (read when each is created, so a resume's fresh credentials
   * apply to rebuilt transports) and the ICE policy: `'relay'` allows relayed candidates only.
   */
  readonly ice?: () => { readonly iceServers?: readonly IceServer[] | undefined; readonly policy: 'all' | 'relay' };
}

interface LocalEntry {
  readonly source: TrackSource;
  readonly kind: MediaKind;
  track: MediaStreamTrack | null;
  producer: ms.Producer | undefined;
  paused: boolean;
}

interface RemoteEntry {
  consumer: ms.Consumer;
  info: ProducerInfo;
  paused: boolean;
  view: RemoteTrack;
}

/**
 * Server answers to `media.consume` that retrying does not change: this client cannot receive that
 * producer, or may not. Any other failure may work on a later try: a request cut short (abort,
 * timeout, lost socket), `RATE_LIMITED` (a repair sends many requests at once), the transport or the
 * producer gone (`NOT_FOUND`: a server-side drop, or a producer whose `producerClosed` is on its way).
 */
const REFUSED_CONSUME_CODES: ReadonlySet<string> = new Set([
  'CANNOT_CONSUME',
  'UNSUPPORTED_CODEC',
  'NOT_ALLOWED',
  'INVALID_STATE',
  'INVALID_MESSAGE',
  'MEDIA_ERROR',
]);

/**
 * Answers to `media.consume` that pass on their own (the server's request limit after a reconnect's
 * burst, an overloaded server, a request timeout, a repair's consume it joined cut short): outside
 * a repair, {@link MediaManager.addProducer} tries again later.
 */
const TRANSIENT_CONSUME = /^(RATE_LIMITED|(REQUEST_)?TIMEOUT|INTERNAL_ERROR|ABORTED)$/;

const toClientCandidates = (list: readonly { ip: string; address?: string | undefined }[]): ms.IceCandidate[] =>
  list.map((c) => ({ ...c, address: c.address ?? c.ip })) as ms.IceCandidate[];

/** The server's TURN servers as `RTCIceServer`s (copies; absent fields left out). */
const toRtcIceServers = (servers: readonly IceServer[]): RTCIceServer[] =>
  servers.map((s) => ({
    urls: [...s.urls],
    ...(s.username !== undefined ? { username: s.username } : {}),
    ...(s.credential !== undefined ? { credential: s.credential } : {}),
  }));

/**
 * Owns the mediasoup-client `Device`, the send and receive transports, producers and consumers.
 * Survives reconnects: local tracks and the list of remote producers outlive transports, so a
 * rebuild re-produces and re-consumes. Internal: `Session` owns it.
 */
export class MediaManager {
  readonly #o: MediaManagerOptions;
  #device: Device | undefined;
  #send: ms.Transport | undefined;
  #recv: ms.Transport | undefined;
  #generation = 0;
  #closed = false;
  #preloaded: Promise<Device> | undefined;
  readonly #local = new Map<TrackSource, LocalEntry>();
  readonly #producers = new Map<string, ProducerInfo>();
  readonly #remote = new Map<string, RemoteEntry>();
  /** Ids of current transports the server said it closed (`media.transportClosed`). */
  readonly #serverClosed = new Set<string>();
  /** Remote producers whose consume was refused for good on the current transports (reported once). */
  readonly #refused = new Set<string>();
  /** Pending consume retries by remote producer id (see {@link addProducer}). */
  readonly #retries = new Map<string, unknown>();
  /** Consumes on their way on the current receive transport, by remote producer id (see {@link #consume}). */
  readonly #consuming = new Map<string, Promise<void>>();

  constructor(options: MediaManagerOptions) {
    this.#o = options;
  }

  /** Whether transports exist. */
  get started(): boolean {
    return !!this.#recv;
  }

  /** The transports (for stats and tests). */
  get transports(): readonly ms.Transport[] {
    return [this.#send, this.#recv].filter((t): t is ms.Transport => !!t && !t.closed);
  }

  /**
   * Gives the transports that exist the current TURN servers (fresh credentials after a resume),
   * so a later ICE restart allocates relays with credentials that have not expired.
   */
  updateIceServers(): void {
    const servers = this.#o.ice?.().iceServers;
    if (!servers?.length) return;
    const iceServers = toRtcIceServers(servers);
    for (const t of this.transports) t.updateIceServers({ iceServers }).catch(this.#o.swallowed.handler('media.updateIceServers'));
  }

  /** Remote tracks currently received. */
  get remoteTracks(): readonly RemoteTrack[] {
    return [...this.#remote.values()].map((r) => r.view);
  }

  /** Remote producers known (consumed or not). */
  get remoteProducers(): readonly ProducerInfo[] {
    return [...this.#producers.values()];
  }

  /** Consumers of one participant, for quality stats. */
  consumersOf(participantId: string): ms.Consumer[] {
    return [...this.#remote.values()].filter((r) => r.info.participantId === participantId).map((r) => r.consumer);
  }

  /** Producers of this client, for quality stats. */
  get producers(): ms.Producer[] {
    return [...this.#local.values()].flatMap((l) => (l.producer && !l.producer.closed ? [l.producer] : []));
  }

  /** Loads the device and creates both transports, then produces local tracks and consumes producers. */
  async start(signal?: AbortSignal): Promise<void> {
    if (this.#closed) throw new InvalidStateError('media closed');
    const gen = ++this.#generation;
    const preloaded = this.#preloaded;
    this.#preloaded = undefined;
    // A failed preload was counted by preload(); load again.
    const device = (preloaded && (await preloaded.catch(() => undefined))) || (await this.#loadDevice(signal));
    if (gen !== this.#generation) throw new AlcoveError('ABORTED', 'media restarted');
    this.#device = device;
    const canSend = device.canProduce('audio') || device.canProduce('video');
    const [recv, send] = await Promise.all([
      this.#createTransport('recv', gen, signal),
      canSend ? this.#createTransport('send', gen, signal) : Promise.resolve(undefined),
    ]);
    this.#recv = recv;
    this.#send = send;
    for (const entry of this.#local.values()) if (entry.track) await this.#produce(entry, signal);
    for (const info of [...this.#producers.values()]) {
      await this.#consume(info, signal).catch((e: unknown) => {
        // Cut short: the caller's attempt failed, it must not count these transports as working.
        if (signal?.aborted) throw e;
        // Reported as before; a transient failure is also left for complete() to retry.
        if (!this.#noteConsumeFailure(info, recv, e)) this.#report(e);
      });
    }
  }

  /**
   * The server closed transport `transportId` (`media.transportClosed`). When it is a current one,
   * {@link complete} refuses these transports from now on, so a repair running while the server
   * drops them does not declare media working.
   */
  transportClosed(transportId: string): void {
    if (this.transports.some((t) => t.id === transportId)) this.#serverClosed.add(transportId);
  }

  /** Whether the server closed one of the current transports. */
  get transportLost(): boolean {
    return this.transports.some((t) => this.#serverClosed.has(t.id));
  }

  /**
   * Known remote producers that have no consumer on the current transports (those the server
   * refused for good, e.g. `CANNOT_CONSUME`, left out: they were reported).
   */
  get unconsumed(): readonly ProducerInfo[] {
    return [...this.#producers.values()].filter((p) => !this.#refused.has(p.producerId) && !this.#findByProducer(p.producerId));
  }

  /**
   * Finishes media on the current transports, which a repair cut short can leave half done: rebuilds
   * them when a local track has no producer (a failed produce leaves the send transport unusable), and
   * consumes every known remote producer that has no consumer. Resolves only when no remote producer
   * is left without a consumer.
   * @throws {ConnectionError} `CONNECTION_LOST` without transports, when the server closed one of
   * them, or when a producer still could not be consumed (the caller retries with new transports).
   */
  async complete(signal?: AbortSignal): Promise<void> {
    const lost = (why: string, cause?: unknown): ConnectionError =>
      new ConnectionError('CONNECTION_LOST', why, cause === undefined ? undefined : { cause });
    if (!this.#recv || this.#recv.closed) throw lost('media has no transports');
    if (this.transportLost) throw lost('the server closed a media transport');
    // A local track left unpublished: its produce failed on the send transport (mediasoup-client's
    // offer already has its m-line, so producing again there fails on the answer): start over.
    if (this.#send && [...this.#local.values()].some((e) => e.track && !e.producer)) await this.rebuild(signal);
    for (const info of this.unconsumed) {
      const recv: ms.Transport | undefined = this.#recv;
      try {
        await this.#consume(info, signal);
      } catch (e) {
        if (signal?.aborted) throw e;
        if (this.#noteConsumeFailure(info, recv, e)) continue;
        // `NOT_FOUND` on a transport the server still has: the producer is gone (its
        // `producerClosed` was missed or is on its way), so it is forgotten rather than waited for.
        if (e instanceof AlcoveError && e.code === 'NOT_FOUND' && recv && recv === this.#recv && (await this.#serverHas(recv, signal))) {
          this.removeProducer(info.producerId);
          continue;
        }
        throw lost('a remote track could not be received', e);
      }
    }
    if (this.transportLost) throw lost('the server closed a media transport');
    const missing = this.unconsumed.length;
    if (missing > 0) throw lost(`${missing} remote track(s) not received`);
  }

  /** Whether the server still has transport `t` (false when it says `NOT_FOUND`; other failures throw). */
  async #serverHas(t: ms.Transport, signal?: AbortSignal): Promise<boolean> {
    if (this.#serverClosed.has(t.id)) return false;
    try {
      await this.#o.callbacks.request('media.getTransportStats', { transportId: t.id }, signal);
      return true;
    } catch (e) {
      if (e instanceof AlcoveError && (e.code === 'NOT_FOUND' || e.code === 'INVALID_STATE')) return false;
      throw e;
    }
  }

  /**
   * A consume of `info` on transport `on` failed: a refusal for good on the current transport is
   * remembered (see {@link unconsumed}) and reported; a transient failure, or one on a transport
   * since replaced or closed, is left for {@link complete} to retry. Returns whether it was reported.
   */
  #noteConsumeFailure(info: ProducerInfo, on: ms.Transport | undefined, e: unknown): boolean {
    // Not an AlcoveError: mediasoup-client refused the parameters here (unless the transport closed).
    const refused = e instanceof AlcoveError ? REFUSED_CONSUME_CODES.has(e.code) : true;
    if (!refused || !on || on !== this.#recv || on.closed) return false;
    this.#refused.add(info.producerId);
    this.#report(e);
    return true;
  }

  /**
   * Loads the device ahead of admission (the router's capabilities say nothing about the room), so
   * media starts sooner once admitted. Failures are ignored: `start()` loads again.
   */
  preload(): void {
    if (this.#preloaded || this.started || this.#closed) return;
    const p = this.#loadDevice();
    p.catch(this.#o.swallowed.handler('media.preloadDevice'));
    this.#preloaded = p;
  }

  async #loadDevice(signal?: AbortSignal): Promise<Device> {
    const device = await this.#o.platform.createDevice();
    const { rtpCapabilities } = await this.#o.callbacks.request('media.getRouterRtpCapabilities', {}, signal);
    await device.load({ routerRtpCapabilities: rtpCapabilities as ms.RtpCapabilities });
    return device;
  }

  /** ICE restart on both transports (tier 1). */
  async restartIce(signal?: AbortSignal): Promise<void> {
    const { request } = this.#o.callbacks;
    for (const t of this.transports) {
      const { iceParameters } = await request('media.restartIce', { transportId: t.id }, signal);
      await t.restartIce({ iceParameters: iceParameters as ms.IceParameters });
    }
  }

  /** Resolves when both transports are `connected` (or never used), rejects on timeout/abort. */
  waitConnected(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const ok = (): boolean => this.transports.every((t) => t.connectionState === 'connected' || t.connectionState === 'new');
    if (ok()) return Promise.resolve();
    const timers = this.#o.platform.timers;
    return new Promise<void>((resolve, reject) => {
      const ts = this.transports;
      const done = (err?: Error): void => {
        timers.clearTimeout(timer);
        for (const t of ts) t.off('connectionstatechange', check);
        signal?.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve();
      };
      const check = (): void => {
        if (ok()) done();
      };
      const onAbort = (): void => done(new AlcoveError('ABORTED', 'aborted'));
      const timer = timers.setTimeout(() => done(new AlcoveError('CONNECTION_LOST', 'transports did not reconnect')), timeoutMs);
      for (const t of ts) t.on('connectionstatechange', check);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Closes transports, consumers and producers (local tracks stay) and starts over (tier 3 media). */
  async rebuild(signal?: AbortSignal): Promise<void> {
    this.#dropTransports(true);
    await this.start(signal);
  }

  /** Drops transports without telling the server (it forgot them: new connection, restart). */
  reset(): void {
    this.#dropTransports(false);
  }

  /** Publishes (or re-publishes) `track` as `source`. Replaces the previous track of that source. */
  async publish(source: TrackSource, track: MediaStreamTrack, signal?: AbortSignal): Promise<void> {
    const kind: MediaKind = track.kind === 'audio' ? 'audio' : 'video';
    let entry = this.#local.get(source);
    if (entry?.producer && !entry.producer.closed) {
      await this.replaceTrack(source, track);
      return;
    }
    entry ??= { source, kind, track, producer: undefined, paused: false };
    entry.track = track;
    this.#local.set(source, entry);
    if (this.#send) await this.#produce(entry, signal);
  }

  /** Stops publishing `source` and stops its track. */
  async unpublish(source: TrackSource): Promise<void> {
    const entry = this.#local.get(source);
    if (!entry) return;
    this.#local.delete(source);
    entry.track?.stop();
    const p = entry.producer;
    if (p && !p.closed) {
      p.close();
      await this.#o.callbacks.request('media.closeProducer', { producerId: p.id }).catch(this.#o.swallowed.handler('media.closeProducer'));
    }
  }

  /** Swaps the track of `source` without renegotiation; the old track is stopped. `null` releases the device. */
  async replaceTrack(source: TrackSource, track: MediaStreamTrack | null): Promise<void> {
    const entry = this.#local.get(source);
    if (!entry) throw new InvalidStateError(`${source} is not published`);
    const old = entry.track;
    if (entry.producer && !entry.producer.closed) await entry.producer.replaceTrack({ track });
    entry.track = track;
    if (old && old !== track) old.stop();
    if (track && entry.paused) track.enabled = false;
  }

  /** Pauses or resumes `source` locally and on the server (remote side sees it muted). */
  async setPaused(source: TrackSource, paused: boolean): Promise<void> {
    const entry = this.#local.get(source);
    if (!entry) throw new InvalidStateError(`${source} is not published`);
    entry.paused = paused;
    const p = entry.producer;
    if (!p || p.closed) {
      if (entry.track) entry.track.enabled = !paused;
      return;
    }
    if (paused) p.pause();
    else p.resume();
    await this.#o.callbacks.request(paused ? 'media.pauseProducer' : 'media.resumeProducer', { producerId: p.id });
  }

  /** The local entry of `source`. */
  local(source: TrackSource): { track: MediaStreamTrack | null; paused: boolean; producerId: string | undefined } | undefined {
    const e = this.#local.get(source);
    return e ? { track: e.track, paused: e.paused, producerId: e.producer?.id } : undefined;
  }

  /**
   * A producer appeared (notification, join result). Consumes it once transports exist. A consume
   * refused for now (`RATE_LIMITED`…) is tried again after 0.5 s, doubling up to 8 s, until it works,
   * the producer goes away, the transports are replaced (their start consumes it) or media closes.
   */
  async addProducer(info: ProducerInfo, signal?: AbortSignal, attempt = 0): Promise<void> {
    const id = info.producerId;
    if (info.participantId === this.#o.callbacks.selfId()) return;
    this.#producers.set(id, info);
    if (!this.#recv) return;
    const gen = this.#generation;
    try {
      await this.#consume(info, signal);
    } catch (e) {
      if (signal?.aborted || !TRANSIENT_CONSUME.test((e as AlcoveError).code)) throw e;
      this.#o.swallowed.record('media.consume', e);
      const timers = this.#o.platform.timers;
      timers.clearTimeout(this.#retries.get(id));
      this.#retries.set(
        id,
        timers.setTimeout(
          () => {
            const now = this.#producers.get(id);
            if (now && gen === this.#generation) this.addProducer(now, undefined, attempt + 1).catch((x: unknown) => this.#report(x));
          },
          Math.min(500 * 2 ** attempt, 8000),
        ),
      );
    }
  }

  /**
   * The server closed one of our producers (its frames were not end-to-end encrypted): close it
   * here too and stop its track, so nothing more is sent and a reconnect does not publish it again.
   * Returns its source, or undefined when `producerId` is not one of ours.
   */
  closedByServer(producerId: string): TrackSource | undefined {
    for (const [source, entry] of this.#local) {
      if (!entry.producer || entry.producer.id !== producerId) continue;
      this.#local.delete(source);
      if (!entry.producer.closed) entry.producer.close();
      entry.track?.stop();
      return source;
    }
    return undefined;
  }

  /** Our producer `producerId`'s source, if it is one of ours. */
  sourceOf(producerId: string): TrackSource | undefined {
    for (const [source, entry] of this.#local) if (entry.producer?.id === producerId) return source;
    return undefined;
  }

  /** A producer went away. */
  removeProducer(producerId: string): void {
    this.#producers.delete(producerId);
    this.#refused.delete(producerId);
    this.#o.platform.timers.clearTimeout(this.#retries.get(producerId));
    this.#retries.delete(producerId);
    const r = this.#findByProducer(producerId);
    if (r) this.#dropRemote(r);
  }

  /** Drops every producer of a participant (they left). */
  removeParticipant(participantId: string): void {
    for (const p of [...this.#producers.values()]) if (p.participantId === participantId) this.removeProducer(p.producerId);
  }

  /** The sender paused/resumed a producer (mute seen remotely). */
  setProducerPaused(producerId: string, paused: boolean): void {
    const info = this.#producers.get(producerId);
    if (info) this.#producers.set(producerId, { ...info, paused });
    const r = this.#findByProducer(producerId);
    if (r) {
      r.info = { ...r.info, paused };
      this.#refresh(r);
    }
  }

  /** The server closed a consumer. */
  consumerClosed(consumerId: string): void {
    const r = this.#remote.get(consumerId);
    if (r) this.#dropRemote(r);
  }

  /** Makes the known producers match `list` (after resume or rejoin). */
  async reconcile(list: readonly ProducerInfo[], signal?: AbortSignal): Promise<void> {
    const keep = new Set(list.map((p) => p.producerId));
    for (const id of [...this.#producers.keys()]) if (!keep.has(id)) this.removeProducer(id);
    for (const p of list) {
      if (this.#producers.has(p.producerId)) this.setProducerPaused(p.producerId, p.paused);
      await this.addProducer(p, signal).catch((e: unknown) => {
        // Cut short: the caller's attempt failed (not an error of its own to report).
        if (signal?.aborted) throw e;
        this.#report(e);
      });
    }
  }

  /** Pauses or resumes receiving one remote track. */
  async setRemotePaused(consumerId: string, paused: boolean): Promise<void> {
    const r = this.#remote.get(consumerId);
    if (!r) throw new InvalidStateError('no such remote track');
    await this.#o.callbacks.request(paused ? 'media.pauseConsumer' : 'media.resumeConsumer', { consumerId });
    if (paused) r.consumer.pause();
    else r.consumer.resume();
    r.paused = paused;
    this.#refresh(r);
  }

  /** Asks the server for a simulcast layer of one remote video. */
  async setPreferredLayers(consumerId: string, spatialLayer: number, temporalLayer?: number): Promise<void> {
    if (!this.#remote.has(consumerId)) throw new InvalidStateError('no such remote track');
    await this.#o.callbacks.request('media.setPreferredLayers', {
      consumerId,
      spatialLayer,
      ...(temporalLayer !== undefined ? { temporalLayer } : {}),
    });
  }

  /** Bytes received on the receive transport so far (`undefined` without one). */
  async inboundBytes(): Promise<number | undefined> {
    const t = this.#recv;
    if (!t || t.closed) return undefined;
    const report = await t.getStats();
    let total = 0;
    report.forEach((s: { type?: string; bytesReceived?: number }) => {
      if (s.type === 'inbound-rtp' && typeof s.bytesReceived === 'number') total += s.bytesReceived;
    });
    return total;
  }

  /** Whether any remote track should be carrying media now (not muted, not paused). */
  get expectsInbound(): boolean {
    for (const r of this.#remote.values()) if (!r.paused && !r.info.paused) return true;
    return false;
  }

  /** Closes everything, stops local tracks. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#dropTransports(false);
    for (const e of this.#local.values()) e.track?.stop();
    this.#local.clear();
    for (const id of this.#producers.keys()) this.removeProducer(id);
  }

  async #createTransport(direction: TransportDirection, gen: number, signal?: AbortSignal): Promise<ms.Transport> {
    const device = this.#device;
    if (!device) throw new InvalidStateError('device not loaded');
    const { request } = this.#o.callbacks;
    const ice = this.#o.ice?.();
    const relayOnly = ice?.policy === 'relay';
    if (relayOnly && !ice?.iceServers?.length) {
      // Relay-only would gather no candidate at all: say so instead of a transport that never connects.
      throw new UnsupportedError('UNSUPPORTED_FEATURE', 'relay-only media needs a TURN server, and this server offers none');
    }
    const r = await request('media.createTransport', { direction }, signal);
    const options = {
      id: r.transportId,
      iceParameters: r.iceParameters as ms.IceParameters,
      iceCandidates: toClientCandidates(r.iceCandidates),
      dtlsParameters: r.dtlsParameters as ms.DtlsParameters,
      ...(ice?.iceServers?.length ? { iceServers: toRtcIceServers(ice.iceServers) } : {}),
      ...(relayOnly ? { iceTransportPolicy: 'relay' as const } : {}),
      ...(this.#o.hooks?.additionalSettings ? { additionalSettings: this.#o.hooks.additionalSettings } : {}),
    };
    const t = direction === 'send' ? device.createSendTransport(options) : device.createRecvTransport(options);
    if (gen !== this.#generation || this.#closed) {
      t.close();
      throw new AlcoveError('ABORTED', 'media restarted');
    }
    t.on('connect', ({ dtlsParameters }, ok, fail) => {
      request('media.connectTransport', {
        transportId: t.id,
        dtlsParameters: dtlsParameters as RequestData<'media.connectTransport'>['dtlsParameters'],
      })
        .then(() => ok())
        .catch((e: unknown) => fail(e instanceof Error ? e : new Error(String(e))));
    });
    if (direction === 'send') {
      t.on('produce', ({ kind, rtpParameters, appData }, ok, fail) => {
        request('media.produce', {
          transportId: t.id,
          kind,
          rtpParameters: rtpParameters as RequestData<'media.produce'>['rtpParameters'],
          source: appData.source as TrackSource,
          paused: appData.paused === true,
          e2ee: this.#o.e2ee(),
        })
          .then(({ producerId }) => ok({ id: producerId }))
          .catch((e: unknown) => fail(e instanceof Error ? e : new Error(String(e))));
      });
    }
    t.on('connectionstatechange', (state) => {
      if (gen === this.#generation && !this.#closed) this.#o.callbacks.onTransportStateChanged(direction, state);
    });
    return t;
  }

  async #produce(entry: LocalEntry, _signal?: AbortSignal): Promise<void> {
    const t = this.#send;
    if (!t || !entry.track) return;
    const hooks = this.#o.hooks;
    const simulcast = entry.source === 'cam' && this.#o.simulcast && this.#o.simulcast.length > 1 ? this.#o.simulcast : undefined;
    try {
      const producer = await t.produce({
        track: entry.track,
        stopTracks: false,
        ...(simulcast
          ? { encodings: simulcast.map((l) => ({ scaleResolutionDownBy: l.scaleResolutionDownBy, maxBitrate: l.maxBitrate })) }
          : {}),
        appData: { source: entry.source, paused: entry.paused },
        ...(hooks?.onRtpSender
          ? {
              onRtpSender: (s: RTCRtpSender) =>
                hooks.onRtpSender?.(s, { kind: entry.kind, source: entry.source, participantId: this.#o.callbacks.selfId() }),
            }
          : {}),
      });
      if (entry.paused) producer.pause();
      entry.producer = producer;
    } catch (e) {
      throw e instanceof AlcoveError ? e : new MediaDeviceError('MEDIA_FAILED', `could not publish ${entry.source}`, { cause: e });
    }
  }

  /**
   * Consumes `info` on the current receive transport, once: nothing when it has a consumer there, and
   * a second call while its consume is on its way (an announcement, a retry and a recovery meeting)
   * joins that one, so the server never makes two consumers of one producer.
   */
  async #consume(info: ProducerInfo, signal?: AbortSignal): Promise<void> {
    const id = info.producerId;
    let p = this.#consuming.get(id);
    if (!p && !this.#findByProducer(id)) {
      p = this.#consumeNow(info, signal).finally(() => this.#consuming.get(id) === p && this.#consuming.delete(id));
      this.#consuming.set(id, p);
    }
    return p;
  }

  async #consumeNow(info: ProducerInfo, signal?: AbortSignal): Promise<void> {
    const t = this.#recv;
    const device = this.#device;
    if (!t || !device) return;
    const { request } = this.#o.callbacks;
    const r = await request(
      'media.consume',
      {
        transportId: t.id,
        producerId: info.producerId,
        rtpCapabilities: device.rtpCapabilities as RequestData<'media.consume'>['rtpCapabilities'],
      },
      signal,
    );
    if (t.closed || t !== this.#recv || !this.#producers.has(info.producerId)) {
      await request('media.closeConsumer', { consumerId: r.consumerId }).catch(this.#o.swallowed.handler('media.closeConsumer'));
      return;
    }
    const hooks = this.#o.hooks;
    const consumer = await t.consume({
      id: r.consumerId,
      producerId: r.producerId,
      kind: r.kind,
      rtpParameters: r.rtpParameters as ms.RtpParameters,
      streamId: `${r.participantId}-${r.source === 'screen' || r.source === 'screen-audio' ? 'screen' : 'av'}`,
      ...(hooks?.onRtpReceiver
        ? {
            onRtpReceiver: (rc: RTCRtpReceiver) =>
              hooks.onRtpReceiver?.(rc, { kind: r.kind, source: r.source, participantId: r.participantId }),
          }
        : {}),
    });
    const fresh: ProducerInfo = { ...info, paused: r.producerPaused };
    const entry: RemoteEntry = { consumer, info: fresh, paused: false, view: undefined as unknown as RemoteTrack };
    entry.view = this.#view(entry);
    this.#remote.set(consumer.id, entry);
    if (r.paused) {
      try {
        await request('media.resumeConsumer', { consumerId: r.consumerId });
      } catch (e) {
        // A consumer the server keeps paused receives nothing: drop it, so it counts as not consumed.
        if (this.#remote.get(consumer.id) === entry) {
          this.#remote.delete(consumer.id);
          consumer.close();
          request('media.closeConsumer', { consumerId: r.consumerId }).catch(this.#o.swallowed.handler('media.closeConsumer'));
        }
        throw e;
      }
    }
    // Dropped while its resume was on its way (transports replaced, the producer closed): not published.
    if (this.#remote.get(consumer.id) === entry) this.#o.callbacks.onRemoteTrackAdded(entry.view);
  }

  #view(r: RemoteEntry): RemoteTrack {
    return Object.freeze({
      id: r.consumer.id,
      producerId: r.info.producerId,
      participantId: r.info.participantId,
      kind: r.info.kind,
      source: r.info.source,
      track: r.consumer.track,
      muted: r.info.paused,
      paused: r.paused,
    });
  }

  #refresh(r: RemoteEntry): void {
    r.view = this.#view(r);
    this.#o.callbacks.onRemoteTrackChanged(r.view);
  }

  #findByProducer(producerId: string): RemoteEntry | undefined {
    for (const r of this.#remote.values()) if (r.info.producerId === producerId) return r;
    return undefined;
  }

  #dropRemote(r: RemoteEntry): void {
    this.#remote.delete(r.consumer.id);
    r.consumer.close();
    this.#o.callbacks.onRemoteTrackRemoved(r.view);
  }

  #dropTransports(tellServer: boolean): void {
    this.#generation++;
    this.#preloaded = undefined;
    for (const r of [...this.#remote.values()]) this.#dropRemote(r);
    for (const e of this.#local.values()) {
      e.producer?.close();
      e.producer = undefined;
    }
    for (const t of [this.#send, this.#recv]) {
      if (!t) continue;
      if (tellServer && !t.closed)
        this.#o.callbacks.request('media.closeTransport', { transportId: t.id }).catch(this.#o.swallowed.handler('media.closeTransport'));
      t.close();
    }
    this.#send = undefined;
    this.#recv = undefined;
    this.#serverClosed.clear();
    this.#refused.clear();
    // A consume still on its way on the old transport is discarded when answered (see #consumeNow).
    this.#consuming.clear();
  }

  #report(e: unknown): void {
    this.#o.callbacks.onError(e instanceof AlcoveError ? e : new MediaDeviceError('MEDIA_FAILED', 'media operation failed', { cause: e }));
  }
}
