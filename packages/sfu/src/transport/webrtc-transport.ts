import type { AppData } from '../common/app-data.js';
import type { EnhancedEventEmitter } from '../common/enhanced-event-emitter.js';
import { InvalidStateError } from '../errors.js';
import type {
  DtlsParameters,
  DtlsState,
  IceCandidate,
  IceParameters,
  IceRole,
  IceState,
  SrtpCryptoSuite,
  TransportTuple,
} from '../types/index.js';
import type { WebRtcServer } from '../webrtc-server/webrtc-server.js';
import { Transport, type TransportConstructorOptions, type TransportFaultOptions, type TransportObserverEvents } from './transport.js';

/** Where a WebRtcTransport is reachable (mediasoup's `TransportListenInfo`): the worker's UDP or TCP port. */
export interface TransportListenInfo {
  protocol: 'udp' | 'tcp';
  /**
   * Listening IP: must be the worker's `rtcListenIp` (every transport of a worker shares its
   * sockets), else `UnsupportedError`.
   */
  ip: string;
  /** Address announced in the ICE candidate (e.g. a public IP). */
  announcedAddress?: string;
  /** @deprecated use announcedAddress. */
  announcedIp?: string;
  /** If given (and not 0), must be the worker's port for the protocol, else `UnsupportedError`. */
  port?: number;
  /** If given, must contain the worker's port for the protocol, else `UnsupportedError`. */
  portRange?: { min: number; max: number };
}

/** Options of `router.createWebRtcTransport()`. */
export interface WebRtcTransportOptions<WebRtcTransportAppData extends AppData = AppData> {
  /**
   * Listen infos: a `udp` entry offers the worker's UDP port, a `tcp` entry its ICE-TCP port
   * (passive candidate); the first entry is preferred. All transports share the worker's ports.
   */
  listenInfos?: TransportListenInfo[];
  /**
   * The worker's {@link WebRtcServer} whose listen infos the transport uses (instead of
   * `listenInfos`); the transport closes with it (`listenserverclose`).
   */
  webRtcServer?: WebRtcServer;
  /** @deprecated mediasoup's older form of listenInfos. */
  listenIps?: (string | { ip: string; announcedIp?: string; announcedAddress?: string })[];
  /** Default true. */
  enableUdp?: boolean;
  /** Offer a passive ICE-TCP candidate on the worker's TCP port (without listenInfos). Default false. */
  enableTcp?: boolean;
  preferUdp?: boolean;
  preferTcp?: boolean;
  /** Accepted for compatibility (no send-side BWE in this version). */
  initialAvailableOutgoingBitrate?: number;
  /** Seconds without ICE consent before `iceState` becomes `disconnected`. Default 30. */
  iceConsentTimeout?: number;
  /** SRTP crypto suites offered, preferred first (Alcove addition). Default GCM then CM. */
  srtpCryptoSuites?: SrtpCryptoSuite[];
  /** SCTP is not supported in this version. */
  enableSctp?: boolean;
  appData?: WebRtcTransportAppData;
}

/** Events of a {@link WebRtcTransport}. */
export type WebRtcTransportEvents = {
  icestatechange: [iceState: IceState];
  iceselectedtuplechange: [iceSelectedTuple: TransportTuple];
  dtlsstatechange: [dtlsState: DtlsState];
  sctpstatechange: [sctpState: string];
};

/** Observer events of a {@link WebRtcTransport}. */
export type WebRtcTransportObserverEvents = TransportObserverEvents & WebRtcTransportEvents;

/** Test-only controls of a WebRtcTransport. */
export interface WebRtcTransportTesting {
  /** Randomly drops RTP packets on this transport's send and/or receive path. */
  setFaults(faults: TransportFaultOptions): Promise<TransportFaultOptions>;
  /** Forgets the remote tuple (no media until the remote's next ICE check) and reports `disconnected`. */
  simulateDisconnect(): Promise<void>;
}

/** @internal */
export interface WebRtcTransportData {
  iceRole: IceRole;
  iceParameters: IceParameters;
  iceCandidates: IceCandidate[];
  iceState: IceState;
  dtlsParameters: DtlsParameters;
  dtlsState: DtlsState;
}

/**
 * A transport towards a WebRTC endpoint (mediasoup's `WebRtcTransport`): ICE-lite on the worker's
 * UDP port, DTLS 1.2, SRTP. Give `iceParameters`, `iceCandidates` and `dtlsParameters` to the
 * client; call {@link WebRtcTransport.connect} with the client's DTLS parameters.
 * @example
 * const t = await router.createWebRtcTransport({ listenInfos: [{ protocol: 'udp', ip: '127.0.0.1' }] });
 * t.on('dtlsstatechange', (s) => { if (s === 'failed' || s === 'closed') t.close(); });
 */
export class WebRtcTransport<WebRtcTransportAppData extends AppData = AppData> extends Transport<
  WebRtcTransportAppData,
  WebRtcTransportEvents,
  WebRtcTransportObserverEvents
> {
  #data: WebRtcTransportData;
  #tuple: TransportTuple | undefined;
  #dtlsRemoteParameters: DtlsParameters | undefined;

  /** @internal */
  constructor(o: TransportConstructorOptions<WebRtcTransportAppData>, data: WebRtcTransportData) {
    super(o);
    this.#data = { ...data };
    this.channel.on(this.id, (event, payload) => this.#onEvent(event, payload));
  }

  /** Always `'controlled'` (ICE-lite). */
  get iceRole(): IceRole {
    return 'controlled';
  }
  /** Local ICE parameters (ICE-lite). */
  get iceParameters(): IceParameters {
    return this.#data.iceParameters;
  }
  /** Local ICE candidates (host candidates: the worker's UDP port and/or its passive TCP port). */
  get iceCandidates(): IceCandidate[] {
    return this.#data.iceCandidates;
  }
  /** ICE state. */
  get iceState(): IceState {
    return this.#data.iceState;
  }
  /** The selected remote tuple, once ICE connected. */
  get iceSelectedTuple(): TransportTuple | undefined {
    return this.#tuple;
  }
  /** Alias of {@link WebRtcTransport.iceSelectedTuple}. */
  get tuple(): TransportTuple | undefined {
    return this.#tuple;
  }
  /** Local DTLS parameters: sha-256 fingerprint; role `auto` until `connect()`, then the negotiated local role (`client` or `server`). */
  get dtlsParameters(): DtlsParameters {
    return this.#data.dtlsParameters;
  }
  /** DTLS state. */
  get dtlsState(): DtlsState {
    return this.#data.dtlsState;
  }
  /** Remote DTLS parameters given to `connect()`. */
  get dtlsRemoteParameters(): DtlsParameters | undefined {
    return this.#dtlsRemoteParameters;
  }
  /** SCTP is not supported: always undefined. */
  get sctpState(): undefined {
    return undefined;
  }

  /** Test-only controls (ARCHITECTURE §10): packet loss and forced disconnects. */
  get __testing(): WebRtcTransportTesting {
    return {
      setFaults: (f) => this.setFaults(f),
      simulateDisconnect: async () => {
        this.assertOpen();
        await this.channel.request('transport.simulateDisconnect', this.id);
      },
    };
  }

  override close(): void {
    if (this.closed) return;
    this.#setStatesClosed();
    super.close();
  }

  override routerClosed(): void {
    if (this.closed) return;
    this.#setStatesClosed();
    super.routerClosed();
  }

  override listenServerClosed(): void {
    if (this.closed) return;
    this.#setStatesClosed();
    super.listenServerClosed();
  }

  #setStatesClosed(): void {
    this.#data.iceState = 'closed';
    this.#tuple = undefined;
    this.#data.dtlsState = 'closed';
  }

  /**
   * Gives the remote DTLS parameters and starts DTLS. Remote role `client` or `auto` makes the
   * engine the DTLS server; remote role `server` makes it the client.
   * @throws {InvalidStateError} if closed or already connected; `TypeError` on bad parameters.
   */
  async connect({ dtlsParameters }: { dtlsParameters: DtlsParameters }): Promise<void> {
    this.assertOpen();
    if (!dtlsParameters || !Array.isArray(dtlsParameters.fingerprints) || dtlsParameters.fingerprints.length === 0) {
      throw new TypeError('missing dtlsParameters.fingerprints');
    }
    if (this.#dtlsRemoteParameters) throw new InvalidStateError('connect() already called');
    // As mediasoup: every fingerprint and the role are checked (TypeError), not just one usable entry.
    const known: readonly unknown[] = ['sha-1', 'sha-224', 'sha-256', 'sha-384', 'sha-512'];
    for (const f of dtlsParameters.fingerprints) {
      if (typeof f !== 'object' || f === null || !known.includes(f.algorithm)) {
        throw new TypeError(`invalid FingerprintAlgorithm: ${String((f as { algorithm?: unknown } | null)?.algorithm)}`);
      }
      if (typeof f.value !== 'string' || !/^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2})+$/.test(f.value))
        throw new TypeError('invalid fingerprint value');
    }
    const role: unknown = dtlsParameters.role;
    if (role !== undefined && role !== 'auto' && role !== 'client' && role !== 'server')
      throw new TypeError(`invalid DtlsRole: ${String(role)}`);
    this.#dtlsRemoteParameters = structuredClone(dtlsParameters);
    const res = await this.channel.request('transport.connect', this.id, { dtlsParameters });
    // As mediasoup: once connected, the local DTLS parameters carry the negotiated role.
    if (res?.dtlsLocalRole) this.#data.dtlsParameters = { ...this.#data.dtlsParameters, role: res.dtlsLocalRole };
  }

  /** New local ICE credentials; give them to the client (`transport.restartIce`). */
  async restartIce(): Promise<IceParameters> {
    this.assertOpen();
    const res = await this.channel.request('transport.restartIce', this.id);
    this.#data.iceParameters = res.iceParameters;
    return res.iceParameters;
  }

  #onEvent(event: string, payload: unknown): void {
    const self = this as unknown as EnhancedEventEmitter<WebRtcTransportEvents>;
    const obs = this.observer as unknown as EnhancedEventEmitter<WebRtcTransportEvents>;
    switch (event) {
      case 'icestatechange': {
        const s = payload as IceState;
        this.#data.iceState = s;
        self.safeEmit('icestatechange', s);
        obs.safeEmit('icestatechange', s);
        break;
      }
      case 'iceselectedtuplechange': {
        const t = payload as TransportTuple;
        this.#tuple = t;
        self.safeEmit('iceselectedtuplechange', t);
        obs.safeEmit('iceselectedtuplechange', t);
        break;
      }
      case 'dtlsstatechange': {
        const s = payload as DtlsState;
        this.#data.dtlsState = s;
        self.safeEmit('dtlsstatechange', s);
        obs.safeEmit('dtlsstatechange', s);
        break;
      }
      default:
        break;
    }
  }
}
