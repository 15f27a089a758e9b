/**
 * Engine-side WebRtcTransport: ICE-lite (binding responder, tuple selection, consent freshness),
 * DTLS 1.2 in either role over werift, SRTP/SRTCP, and the RTP path to and from the remote.
 * @internal
 */
import { createHash, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { RemoteInfo } from 'node:dgram';
import {
  classes,
  DtlsClient,
  DtlsServer,
  keyLength,
  Message,
  methods,
  saltLength,
  SrtcpSession,
  type DtlsSocket,
  type SignatureHash,
  type SrtpProfile,
  type Transport,
} from 'werift';
import { ignoreRepeatedClientFlights, ignoreRepeatedHelloVerify } from './dtls-client-guard.js';
import { describeError, type SfuLogger } from '../common/logger.js';
import type { DtlsParameters, DtlsRole, DtlsState, IceState } from '../types/index.js';
import { NOT_RTP, type DropCounters, type EmitFn } from './context.js';
import { EngineTransport } from './transport.js';
import type { TcpConnection, TcpServer } from './tcp-server.js';
import type { UdpEndpoint, UdpServer } from './udp-server.js';
import { RtpHeaderView, parseRtpHeader } from '../rtp/rtp-header.js';
import { SrtpRtpContext, type SrtpProfileId } from '../rtp/srtp.js';

/** The worker's DTLS certificate. */
export interface EngineCertificate {
  certPem: string;
  keyPem: string;
  signatureHash: SignatureHash;
  /** sha-256 fingerprint, colon-separated upper-case hex. */
  fingerprint256: string;
}

/** Options of an engine WebRtcTransport. */
export interface EngineWebRtcTransportOptions {
  /** Address announced in the UDP candidate (e.g. the public IP of a server behind NAT). */
  announcedAddress?: string;
  /** Address announced in the TCP candidate; defaults to {@link announcedAddress}. */
  tcpAnnouncedAddress?: string;
  /** Offer the UDP candidate and answer checks on UDP. Default true. */
  enableUdp?: boolean;
  /** Offer a passive TCP candidate (the worker's TCP port) and answer checks on it. */
  enableTcp?: boolean;
  /** Give the TCP candidate the higher priority. */
  preferTcp?: boolean;
  /** Consent timeout in ms (mediasoup's `iceConsentTimeout` × 1000). 0 disables. */
  consentTimeoutMs: number;
  srtpProfiles: SrtpProfile[];
}

/** Priorities of the two host candidates: the preferred protocol's, then the other's (RFC 8445 §5.1.2). */
const PRIORITY_PREFERRED = 1076302079;
const PRIORITY_OTHER = 1076301823;

/** The remote end media and DTLS are bound to: a UDP address, or an ICE-TCP connection. */
interface SelectedTuple {
  address: string;
  port: number;
  conn: TcpConnection | undefined;
}

/** Size of a transport's outgoing RTP buffer (an RTP packet and its SRTP tag). */
const TX_BUFFER_BYTES = 2048 + 16;

/** Wait after DTLS connect before sending media (Chrome drops SRTP before it processed Finished). */
export const DTLS_SETTLE_MS = 30;

const ICE_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789';
function randomToken(n: number): string {
  const bytes = randomBytes(n);
  let s = '';
  for (let i = 0; i < n; i++) s += ICE_CHARS[bytes[i]! % ICE_CHARS.length];
  return s;
}

/** The engine-side WebRtcTransport. */
export class EngineWebRtcTransport extends EngineTransport implements UdpEndpoint {
  private readonly udp: UdpServer;
  private readonly tcp: TcpServer | undefined;
  /** ICE-TCP connections bound to this transport (closed with it). */
  private readonly tcpConnections = new Set<TcpConnection>();
  /** Those that authenticated since the last simulated disconnect: they may carry DTLS and media. */
  private readonly tcpValid = new Set<TcpConnection>();
  private readonly cert: EngineCertificate;
  private readonly options: EngineWebRtcTransportOptions;
  ufrag = randomToken(16);
  password = randomToken(32);
  localPassword = Buffer.from(this.password);
  iceState: IceState = 'new';
  dtlsState: DtlsState = 'new';
  dtlsLocalRole: DtlsRole | undefined;
  private remoteDtls: DtlsParameters | undefined;
  private selected: SelectedTuple | undefined;
  private lastConsentAt = 0;
  private dtls: DtlsSocket | undefined;
  private readonly pendingDtls: { data: Buffer; rinfo: RemoteInfo }[] = [];
  private shim: Transport | undefined;
  /** SRTP of RTP: one long-lived context per direction (see `rtp/srtp.ts`); SRTCP stays on werift's. */
  private srtp: { tx: SrtpRtpContext; rx: SrtpRtpContext } | undefined;
  private srtcp: SrtcpSession | undefined;
  private settled = false;
  private consentTimer: NodeJS.Timeout | undefined;
  private settleTimer: NodeJS.Timeout | undefined;
  iceBindingRequests = 0;
  private nominated = false;
  /** Header view of the packet being received (reused). */
  private readonly rxView = new RtpHeaderView();
  /**
   * Where outgoing RTP is written and encrypted: reused while the socket sends synchronously,
   * replaced when it had to keep the last one (see `UdpServer.send`).
   */
  private txBuf = Buffer.allocUnsafeSlow(TX_BUFFER_BYTES);

  constructor(
    id: string,
    routerId: string,
    drops: DropCounters,
    emit: EmitFn,
    log: SfuLogger,
    udp: UdpServer,
    cert: EngineCertificate,
    options: EngineWebRtcTransportOptions,
    tcp?: TcpServer,
  ) {
    super(id, routerId, drops, emit, log);
    this.udp = udp;
    this.tcp = options.enableTcp ? tcp : undefined;
    this.cert = cert;
    this.options = options;
    udp.setUfrag(this.ufrag, this);
    if (options.consentTimeoutMs > 0) {
      this.consentTimer = setInterval(
        () => {
          try {
            this.checkConsent();
          } catch (e) {
            this.drop('internalErrors', 'ice', 'ice.consentCheckFailed', e);
          }
        },
        Math.min(1000, options.consentTimeoutMs / 2),
      );
      this.consentTimer.unref?.();
    }
  }

  /** Local ICE parameters. */
  get iceParameters(): { usernameFragment: string; password: string; iceLite: true } {
    return { usernameFragment: this.ufrag, password: this.password, iceLite: true };
  }

  /** Whether UDP is offered (default) and answered. */
  private get udpEnabled(): boolean {
    return this.options.enableUdp !== false;
  }

  /**
   * The host candidates: the worker's UDP port and, with `enableTcp`, its TCP port as a passive
   * ICE-TCP candidate; the preferred protocol first and with the higher priority.
   */
  get iceCandidates(): {
    foundation: string;
    priority: number;
    ip: string;
    address: string;
    protocol: 'udp' | 'tcp';
    port: number;
    type: 'host';
    tcpType?: 'passive';
  }[] {
    const out: EngineWebRtcTransport['iceCandidates'] = [];
    const preferTcp = !!this.options.preferTcp;
    if (this.udpEnabled) {
      const { ip, port } = this.udp.address;
      const address = this.options.announcedAddress ?? ip;
      const priority = preferTcp && this.tcp ? PRIORITY_OTHER : PRIORITY_PREFERRED;
      out.push({ foundation: 'udpcandidate', priority, ip: address, address, protocol: 'udp', port, type: 'host' });
    }
    if (this.tcp) {
      const { ip, port } = this.tcp.address;
      const address = this.options.tcpAnnouncedAddress ?? this.options.announcedAddress ?? ip;
      const priority = preferTcp || !this.udpEnabled ? PRIORITY_PREFERRED : PRIORITY_OTHER;
      out.push({ foundation: 'tcpcandidate', priority, ip: address, address, protocol: 'tcp', port, type: 'host', tcpType: 'passive' });
    }
    return out.sort((a, b) => b.priority - a.priority);
  }

  /** Local DTLS parameters. */
  get dtlsParameters(): DtlsParameters {
    return { role: 'auto', fingerprints: [{ algorithm: 'sha-256', value: this.cert.fingerprint256 }] };
  }

  /** The selected tuple, mediasoup's `TransportTuple`. */
  get iceSelectedTuple(): Record<string, unknown> | undefined {
    if (!this.selected) return undefined;
    const tcp = !!this.selected.conn;
    const { ip, port } = tcp && this.tcp ? this.tcp.address : this.udp.address;
    return {
      localIp: ip,
      localAddress: ip,
      localPort: port,
      remoteIp: this.selected.address,
      remotePort: this.selected.port,
      protocol: tcp ? 'tcp' : 'udp',
    };
  }

  /** @inheritdoc */
  get mediaReady(): boolean {
    return this.settled && !!this.srtp && !!this.selected && this.iceState !== 'disconnected' && !this.closed;
  }

  // ---- ICE -------------------------------------------------------------------------------

  onBindingRequest(transactionId: Buffer, useCandidate: boolean, rinfo: RemoteInfo, conn?: TcpConnection): Buffer | undefined {
    if (this.closed) return undefined;
    if (conn ? !this.tcp : !this.udpEnabled) {
      // A check on a protocol this transport does not offer (it shares the worker's sockets).
      this.drop('stunUnknownUfrag', 'ice', conn ? 'ice.tcpNotEnabled' : 'ice.udpNotEnabled');
      if (conn) conn.close();
      return undefined;
    }
    this.iceBindingRequests++;
    this.lastConsentAt = performance.now();
    if (conn) {
      this.tcpConnections.add(conn);
      this.tcpValid.add(conn);
    } else this.udp.addTuple(rinfo, this);
    const isSelected = this.isSelected(rinfo, conn);
    if (!this.selected || (useCandidate && !isSelected)) this.select(rinfo, conn);
    if (useCandidate) this.nominated = true;
    const next: IceState = this.nominated ? 'completed' : 'connected';
    if (this.iceState !== next) this.setIceState(next);
    const res = new Message(methods.BINDING, classes.RESPONSE, transactionId);
    res.setAttribute('XOR-MAPPED-ADDRESS', [rinfo.address, rinfo.port]);
    res.addMessageIntegrity(this.localPassword);
    res.addFingerprint();
    return res.bytes;
  }

  /** Makes a validated tuple the one DTLS and media use. */
  private select(rinfo: RemoteInfo, conn: TcpConnection | undefined): void {
    this.selected = { address: rinfo.address, port: rinfo.port, conn };
    this.emit(this.id, 'iceselectedtuplechange', this.iceSelectedTuple);
    if (this.startClientWhenSelected) {
      // DTLS client role: start the handshake once there is a tuple to send to.
      const start = this.startClientWhenSelected;
      this.startClientWhenSelected = undefined;
      queueMicrotask(start);
    }
  }

  /**
   * An ICE-TCP connection closed: forget it. Losing the selected one moves to another
   * authenticated connection of this transport, or disconnects until the remote's next check.
   */
  onTcpClosed(conn: TcpConnection): void {
    this.tcpConnections.delete(conn);
    this.tcpValid.delete(conn);
    if (this.closed || this.selected?.conn !== conn) return;
    const other = [...this.tcpValid].at(-1);
    if (other) {
      this.select(other.rinfo, other);
      return;
    }
    this.selected = undefined;
    this.setIceState('disconnected');
  }

  private isSelected(rinfo: RemoteInfo, conn: TcpConnection | undefined): boolean {
    const sel = this.selected;
    return !!sel && sel.conn === conn && sel.port === rinfo.port && sel.address === rinfo.address;
  }

  /**
   * Sends to the selected tuple over UDP or its TCP connection.
   * @returns whether `buf` may be written again at once (the socket did not keep it).
   */
  private sendSelected(buf: Uint8Array): boolean {
    const sel = this.selected;
    if (!sel) return true;
    if (!sel.conn) return this.udp.send(buf, sel.port, sel.address);
    sel.conn.send(buf); // framed into a copy
    return true;
  }

  private setIceState(state: IceState): void {
    if (this.iceState === state) return;
    const wasReady = this.mediaReady;
    this.iceState = state;
    this.emit(this.id, 'icestatechange', state);
    if (!wasReady && this.mediaReady) this.onMediaReady();
  }

  private checkConsent(): void {
    if (this.closed) return;
    if (this.iceState !== 'connected' && this.iceState !== 'completed') return;
    if (performance.now() - this.lastConsentAt > this.options.consentTimeoutMs) this.setIceState('disconnected');
  }

  /** New ICE credentials (the old ufrag stops being accepted). */
  restartIce(): { usernameFragment: string; password: string; iceLite: true } {
    const previous = this.ufrag;
    this.ufrag = randomToken(16);
    this.password = randomToken(32);
    this.localPassword = Buffer.from(this.password);
    this.udp.setUfrag(this.ufrag, this, previous);
    this.nominated = false;
    return this.iceParameters;
  }

  /** Test hook: forget the selected tuple and report the transport as disconnected. */
  simulateDisconnect(): void {
    this.udp.removeEndpoint(this);
    // TCP connections stay open but must authenticate again (a binding request) to carry media.
    this.tcpValid.clear();
    this.udp.setUfrag(this.ufrag, this);
    this.selected = undefined;
    this.setIceState('disconnected');
  }

  // ---- DTLS ------------------------------------------------------------------------------

  /** Sets the remote DTLS parameters and starts DTLS. Returns the local role. */
  connect(remote: DtlsParameters): DtlsRole {
    this.remoteDtls = remote;
    const role: DtlsRole = remote.role === 'server' ? 'client' : 'server';
    this.dtlsLocalRole = role;
    const shim: Transport = {
      type: 'udp',
      address: { address: this.udp.address.ip, port: this.udp.address.port, family: 'IPv4' } as AddressInfo,
      closed: false,
      onData: () => undefined,
      send: async (buf: Buffer) => {
        if (!this.closed) this.sendSelected(buf);
      },
      close: async () => undefined,
    };
    this.shim = shim;
    const common = {
      transport: shim,
      cert: this.cert.certPem,
      key: this.cert.keyPem,
      signatureHash: this.cert.signatureHash,
      srtpProfiles: this.options.srtpProfiles,
      extendedMasterSecret: true,
    };
    const dtls: DtlsSocket =
      role === 'server'
        ? ignoreRepeatedClientFlights(new DtlsServer({ ...common, certificateRequest: true }))
        : ignoreRepeatedHelloVerify(new DtlsClient(common));
    this.dtls = dtls;
    this.setDtlsState('connecting');
    dtls.onConnect.once(() => {
      try {
        this.onDtlsConnected();
      } catch (e) {
        this.drop('dtlsHandshakeFailed', 'dtls', 'dtls.keySetupFailed', e);
        this.setDtlsState('failed');
      }
    });
    dtls.onError.subscribe((e: unknown) => {
      if (this.dtlsState === 'connected' || this.dtlsState === 'failed' || this.closed) {
        // Already counted, or not a handshake failure: the session goes on (or is gone).
        const log = this.log.tagged('dtls');
        if (log.enabled('debug')) log.debug('dtls.error', { transportId: this.id, dtlsState: this.dtlsState, reason: describeError(e) });
        return;
      }
      this.drop('dtlsHandshakeFailed', 'dtls', 'dtls.handshakeError', e);
      this.setDtlsState('failed');
    });
    dtls.onClose.subscribe(() => {
      if (!this.closed && this.dtlsState === 'connected') this.setDtlsState('closed');
    });
    for (const p of this.pendingDtls.splice(0)) shim.onData(p.data, [p.rinfo.address, p.rinfo.port]);
    if (dtls instanceof DtlsClient) {
      const start = (): void => {
        dtls.connect().catch((e: unknown) => {
          this.drop('dtlsHandshakeFailed', 'dtls', 'dtls.connectFailed', e);
          this.setDtlsState('failed');
        });
      };
      if (this.selected) start();
      else this.startClientWhenSelected = start;
    }
    return role;
  }

  private startClientWhenSelected: (() => void) | undefined;

  private setDtlsState(state: DtlsState): void {
    if (this.dtlsState === state) return;
    this.dtlsState = state;
    this.emit(this.id, 'dtlsstatechange', state);
  }

  private onDtlsConnected(): void {
    const dtls = this.dtls;
    if (!dtls || this.closed) return;
    const cert = dtls.remoteCertificate;
    const remote = this.remoteDtls?.fingerprints ?? [];
    let unusable: unknown;
    const ok =
      !!cert &&
      remote.some((f) => {
        const algo = f.algorithm.replace('-', '');
        try {
          const digest = createHash(algo).update(cert).digest('hex').toUpperCase().match(/.{2}/g)!.join(':');
          return digest === f.value.toUpperCase();
        } catch (e) {
          // An algorithm Node cannot hash: that fingerprint cannot match; the others still may.
          unusable = e;
          return false;
        }
      });
    if (!ok) {
      this.drop('dtlsHandshakeFailed', 'dtls', cert ? 'dtls.fingerprintMismatch' : 'dtls.noRemoteCertificate', unusable);
      this.setDtlsState('failed');
      dtls.close();
      return;
    }
    const profile = dtls.srtp.srtpProfile;
    if (!profile) {
      this.drop('dtlsHandshakeFailed', 'dtls', 'dtls.noSrtpProfile');
      this.setDtlsState('failed');
      return;
    }
    const keys = dtls.extractSessionKeys(keyLength(profile), saltLength(profile));
    const config = {
      keys: {
        localMasterKey: keys.localKey,
        localMasterSalt: keys.localSalt,
        remoteMasterKey: keys.remoteKey,
        remoteMasterSalt: keys.remoteSalt,
      },
      profile,
    };
    this.srtp = {
      tx: new SrtpRtpContext(profile as SrtpProfileId, keys.localKey, keys.localSalt),
      rx: new SrtpRtpContext(profile as SrtpProfileId, keys.remoteKey, keys.remoteSalt),
    };
    this.srtcp = new SrtcpSession(config);
    this.srtpProfile = profile;
    this.setDtlsState('connected');
    this.settleTimer = setTimeout(() => {
      try {
        const wasReady = this.mediaReady;
        this.settled = true;
        if (!wasReady && this.mediaReady) this.onMediaReady();
      } catch (e) {
        this.drop('internalErrors', 'dtls', 'dtls.settleFailed', e);
      }
    }, DTLS_SETTLE_MS);
  }

  /** Negotiated SRTP profile (1 = AES_CM_128_HMAC_SHA1_80, 7 = AEAD_AES_128_GCM). */
  srtpProfile: SrtpProfile | undefined;

  /**
   * Whether DTLS or media may come from this tuple: the selected one, or (as mediasoup's
   * `MayForceSelectedTuple`) another tuple the remote authenticated with a binding request, which
   * then becomes the selected one. Browsers move media between validated pairs without a new
   * nomination (Chromium does it across its ICE-TCP connections). A UDP tuple reaches this
   * transport only once authenticated; a TCP connection only while it is one of this transport's.
   * A transport that lost consent (`disconnected`) waits for a new check on UDP; on TCP, where it
   * only lost its selected connection, another authenticated connection takes over.
   */
  private fromSelected(rinfo: RemoteInfo, conn: TcpConnection | undefined): boolean {
    if (this.isSelected(rinfo, conn)) return true;
    if (conn ? !this.tcpValid.has(conn) : !this.udpEnabled) return false;
    const live = this.iceState === 'connected' || this.iceState === 'completed';
    if (!live && !(conn && this.iceState === 'disconnected')) return false;
    this.select(rinfo, conn);
    if (!live) this.setIceState(this.nominated ? 'completed' : 'connected');
    return true;
  }

  onDtls(data: Buffer, rinfo: RemoteInfo, conn?: TcpConnection): void {
    if (this.closed) return;
    if (!this.fromSelected(rinfo, conn)) {
      this.drop('dtlsUnknownTuple', 'dtls', 'dtls.unknownTuple');
      return;
    }
    if (this.dtlsState === 'connected' && data[0] === 23) {
      // No application data is expected (no SCTP): drop instead of feeding the DTLS session.
      this.drop('dtlsMalformed', 'dtls', 'dtls.unexpectedApplicationData');
      return;
    }
    if (!this.shim) {
      if (this.pendingDtls.length < 16) this.pendingDtls.push({ data: Buffer.from(data), rinfo });
      else this.drop('dtlsMalformed', 'dtls', 'dtls.tooManyEarlyRecords');
      return;
    }
    try {
      this.shim.onData(data, [rinfo.address, rinfo.port]);
    } catch (e) {
      this.drop('dtlsMalformed', 'dtls', 'dtls.recordRejected', e);
    }
  }

  // ---- SRTP ------------------------------------------------------------------------------

  onSrtp(data: Buffer, rinfo: RemoteInfo, conn?: TcpConnection): void {
    if (!this.fromSelected(rinfo, conn)) {
      this.drop('rtpUnknownTuple', 'rtp', 'rtp.unknownTuple');
      return;
    }
    if (!this.srtp || !this.srtcp || this.closed) {
      this.drop('rtpMalformed', 'srtp', 'srtp.beforeKeys');
      return;
    }
    const b1 = data[1] ?? 0;
    if (b1 >= 192 && b1 <= 223) {
      let plain: Buffer;
      try {
        plain = this.srtcp.decrypt(data);
      } catch (e) {
        this.drop('srtpAuthFailed', 'srtp', 'srtcp.decryptFailed', e);
        return;
      }
      try {
        this.receiveRtcp(plain);
      } catch (e) {
        this.drop('internalErrors', 'rtcp', 'rtcp.receiveFailed', e);
      }
      return;
    }
    if (data.length < 12) {
      this.drop('rtpMalformed', 'rtp', 'rtp.tooShort');
      return;
    }
    // Decrypted once, in place (the datagram's own buffer: UDP and ICE-TCP frames are never
    // reused), then parsed into the transport's view: no object per packet from here on.
    const n = this.srtp.rx.unprotect(data, data.length);
    if (n < 0) {
      this.drop('srtpAuthFailed', 'srtp', 'srtp.decryptFailed');
      return;
    }
    const h = this.rxView;
    if (!parseRtpHeader(data, h, n)) {
      this.drop('rtpMalformed', 'rtp', 'rtp.malformed', NOT_RTP);
      return;
    }
    try {
      this.receiveRtp(data, h, data.length, performance.now());
    } catch (e) {
      this.drop('internalErrors', 'rtp', 'rtp.receiveFailed', e);
    }
  }

  rtpBuffer(bytes: number): Buffer {
    if (this.txBuf.length < bytes + 16) this.txBuf = Buffer.allocUnsafeSlow(bytes + 16);
    return this.txBuf;
  }

  protected transmitRtp(buf: Buffer, length: number): void {
    const srtp = this.srtp;
    if (!srtp || !this.selected) return;
    try {
      // Encrypted in place in the transport's buffer, which the next packet reuses unless the socket kept it.
      const n = srtp.tx.protect(buf, length);
      if (n < 0) {
        this.drop('sendFailed', 'srtp', 'srtp.protectFailed');
        return;
      }
      if (!this.sendSelected(buf.subarray(0, n)) && buf === this.txBuf) this.txBuf = Buffer.allocUnsafeSlow(buf.length);
    } catch (e) {
      this.drop('sendFailed', 'srtp', 'srtp.sendFailed', e);
    }
  }

  sendRtcp(buf: Buffer): void {
    const srtcp = this.srtcp;
    if (!srtcp || !this.selected || !this.mediaReady) return;
    try {
      this.sendSelected(srtcp.encrypt(buf));
      this.rtcpPacketsSent++;
      this.rtcpBytesSent += buf.length;
    } catch (e) {
      this.drop('sendFailed', 'srtp', 'srtcp.sendFailed', e);
    }
  }

  /** mediasoup-like `webrtc-transport` stats. */
  getStats(): Record<string, unknown>[] {
    return [
      {
        type: 'webrtc-transport',
        ...this.baseStats(),
        iceRole: 'controlled',
        iceState: this.iceState,
        iceSelectedTuple: this.iceSelectedTuple,
        dtlsState: this.dtlsState,
        dtlsLocalRole: this.dtlsLocalRole,
        srtpProfile: this.srtpProfile === 7 ? 'AEAD_AES_128_GCM' : this.srtpProfile === 1 ? 'AES_CM_128_HMAC_SHA1_80' : undefined,
        iceBindingRequests: this.iceBindingRequests,
      },
    ];
  }

  override close(): void {
    if (this.closed) return;
    super.close();
    if (this.consentTimer) clearInterval(this.consentTimer);
    if (this.settleTimer) clearTimeout(this.settleTimer);
    this.udp.removeEndpoint(this);
    for (const c of this.tcpConnections) c.close();
    this.tcpConnections.clear();
    this.tcpValid.clear();
    try {
      this.dtls?.close();
    } catch (e) {
      // Closing anyway: note why the DTLS session could not say goodbye.
      this.drop('internalErrors', 'dtls', 'dtls.closeFailed', e);
    }
    this.iceState = 'closed';
    this.dtlsState = 'closed';
  }
}
