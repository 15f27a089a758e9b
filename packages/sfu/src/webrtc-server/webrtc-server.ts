import { randomUUID } from 'node:crypto';
import type { AppData } from '../common/app-data.js';
import { EnhancedEventEmitter } from '../common/enhanced-event-emitter.js';
import { InvalidStateError } from '../errors.js';
import type { TransportListenInfo, WebRtcTransport } from '../transport/webrtc-transport.js';
import type { Channel } from '../worker/channel.js';

/** Options of `worker.createWebRtcServer()` (mediasoup's `WebRtcServerOptions`). */
export interface WebRtcServerOptions<WebRtcServerAppData extends AppData = AppData> {
  /**
   * Where the server listens: at most one `udp` and one `tcp` entry. They must match the worker's
   * own sockets (its `rtcListenIp`, and its port if a `port` or `portRange` is given), which every
   * transport of the worker shares; `announcedAddress` is what the transports' candidates announce.
   */
  listenInfos: TransportListenInfo[];
  appData?: WebRtcServerAppData;
}

/** Events of a {@link WebRtcServer}. */
export type WebRtcServerEvents = {
  workerclose: [];
  '@close': [];
};

/** Observer events of a {@link WebRtcServer}. */
export type WebRtcServerObserverEvents = {
  close: [];
  webrtctransporthandled: [webRtcTransport: WebRtcTransport];
  webrtctransportunhandled: [webRtcTransport: WebRtcTransport];
};

/** @internal */
export interface WebRtcServerConstructorOptions<WebRtcServerAppData extends AppData> {
  listenInfos: TransportListenInfo[];
  channel: Channel;
  appData?: WebRtcServerAppData;
}

/**
 * One UDP port (and one ICE-TCP port) for many WebRtcTransports of a worker (mediasoup's
 * `WebRtcServer`): `router.createWebRtcTransport({ webRtcServer })` uses its listen infos, and
 * closing it closes those transports (`listenserverclose`). Here every transport of a worker
 * shares the worker's sockets anyway, so the server names those sockets, and the transports'
 * announced addresses, once for all of them.
 * @example
 * const server = await worker.createWebRtcServer({
 *   listenInfos: [{ protocol: 'udp', ip: '0.0.0.0', announcedAddress: '203.0.113.10' }],
 * });
 * const transport = await router.createWebRtcTransport({ webRtcServer: server });
 */
export class WebRtcServer<WebRtcServerAppData extends AppData = AppData> extends EnhancedEventEmitter<WebRtcServerEvents> {
  readonly #id = randomUUID();
  readonly #listenInfos: TransportListenInfo[];
  readonly #channel: Channel;
  readonly #transports = new Map<string, WebRtcTransport>();
  #closed = false;
  #appData: WebRtcServerAppData;
  readonly #observer = new EnhancedEventEmitter<WebRtcServerObserverEvents>();

  /** @internal Use `worker.createWebRtcServer()`. */
  constructor(o: WebRtcServerConstructorOptions<WebRtcServerAppData>) {
    super();
    this.#listenInfos = structuredClone(o.listenInfos);
    this.#channel = o.channel;
    this.#appData = o.appData ?? ({} as WebRtcServerAppData);
  }

  /** Server id. */
  get id(): string {
    return this.#id;
  }
  /** Whether it is closed. */
  get closed(): boolean {
    return this.#closed;
  }
  /** Application data. */
  get appData(): WebRtcServerAppData {
    return this.#appData;
  }
  set appData(v: WebRtcServerAppData) {
    this.#appData = v;
  }
  /** Observer (`close`, `webrtctransporthandled`, `webrtctransportunhandled`). */
  get observer(): EnhancedEventEmitter<WebRtcServerObserverEvents> {
    return this.#observer;
  }
  /** @internal The listen infos transports created with this server use. */
  get listenInfos(): TransportListenInfo[] {
    return structuredClone(this.#listenInfos);
  }
  /** @internal Whether this server belongs to the worker of `channel`. */
  belongsTo(channel: Channel): boolean {
    return channel === this.#channel;
  }

  /** Closes the server and the transports created with it (they emit `listenserverclose`). Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of [...this.#transports.values()]) t.listenServerClosed();
    this.#transports.clear();
    this.emit('@close');
    this.#observer.safeEmit('close');
  }

  /** @internal The worker closed. */
  workerClosed(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#transports.clear();
    this.safeEmit('workerclose');
    this.#observer.safeEmit('close');
  }

  /** The listen infos and the ids of the transports using the server. */
  async dump(): Promise<{ id: string; listenInfos: TransportListenInfo[]; webRtcTransportIds: string[] }> {
    if (this.#closed) throw new InvalidStateError('WebRtcServer closed');
    return { id: this.#id, listenInfos: this.listenInfos, webRtcTransportIds: [...this.#transports.keys()] };
  }

  /** @internal A transport was created with this server. */
  handleTransport(transport: WebRtcTransport): void {
    this.#transports.set(transport.id, transport);
    this.#observer.safeEmit('webrtctransporthandled', transport);
    transport.observer.once('close', () => {
      if (!this.#transports.delete(transport.id)) return;
      this.#observer.safeEmit('webrtctransportunhandled', transport);
    });
  }
}
