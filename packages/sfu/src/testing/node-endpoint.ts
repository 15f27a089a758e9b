/**
 * A Node-side WebRTC endpoint for load and fuzz tests of the engine: ICE
 * (controlling, talking to the engine's ICE-lite), DTLS 1.2 with its own
 * self-signed certificate, and SRTP/SRTCP over one UDP socket on 127.0.0.1.
 * Internal: not exported from the package index; tests import it by path.
 *
 * @example
 * ```ts
 * const ep = await NodeEndpoint.create(transport); // iceParameters, iceCandidates, dtlsParameters
 * await transport.connect({ dtlsParameters: ep.dtlsParameters });
 * await ep.connect();
 * ep.onRtp = (packet) => { … };
 * ep.sendRtp(rtpPacket);
 * ```
 *
 * @packageDocumentation
 */
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { type Socket, createSocket } from 'node:dgram';
import {
  DtlsClient,
  DtlsServer,
  ProtectionProfileAeadAes128Gcm,
  ProtectionProfileAes128CmHmacSha1_80,
  RtpPacket,
  SrtcpSession,
  SrtpSession,
  keyLength,
  saltLength,
} from 'werift';
import { ignoreRepeatedClientFlights, ignoreRepeatedHelloVerify } from '../engine/dtls-client-guard.js';
import type { DtlsParameters, IceCandidate, IceParameters } from '../types/index.js';
import { getEndpointCertificate } from './certificate.js';
import { buildBindingRequest, buildBindingResponse, parseStunReply } from './stun.js';

/** What the engine's `createWebRtcTransport()` returns and the endpoint needs. */
export type RemoteTransportParameters = {
  iceParameters: IceParameters;
  iceCandidates: IceCandidate[];
  dtlsParameters: DtlsParameters;
};

/** Options of {@link NodeEndpoint.create}. */
export type NodeEndpointOptions = {
  /** SRTP profiles offered, preferred first. Default AEAD_AES_128_GCM, AES_CM_128_HMAC_SHA1_80. */
  srtpProfiles?: (1 | 7)[];
  /**
   * Which received RTP packets to decrypt (the RTP header is readable without):
   * `'all'` (default), `'none'` (count only; `onRtp` gets the still-encrypted
   * packet), or a number N (every Nth packet is decrypted and its
   * authentication checked).
   */
  decrypt?: 'all' | 'none' | number;
  /** Interval of STUN consent/keepalive requests after connecting. Default 2000 ms; 0 disables. */
  keepaliveMs?: number;
  /** Local ICE username fragment (a full ICE peer checks it; the engine does not). Default: random. */
  iceUfrag?: string;
  /** Local address to bind (a peer that does not use the loopback interface needs another). Default 127.0.0.1. */
  bindAddress?: string;
  /**
   * Local ICE password: when set, binding requests from the peer signed with it are answered (a full
   * ICE peer such as Janus checks the pair too). Default: none (an ICE-lite peer sends none).
   */
  icePassword?: string;
};

/** Counters of an endpoint. */
export type NodeEndpointStats = {
  rtpSent: number;
  rtpBytesSent: number;
  rtcpSent: number;
  rtpReceived: number;
  rtpBytesReceived: number;
  rtcpReceived: number;
  /** SRTP/SRTCP packets that failed to decrypt or authenticate. */
  decryptErrors: number;
  stunResponses: number;
};

type DtlsTransportShim = {
  type: string;
  address: { address: string; port: number; family: string };
  closed: boolean;
  onData: (data: Buffer, addr?: unknown) => void;
  send: (data: Buffer) => Promise<void>;
  close: () => Promise<void>;
};

function normaliseFingerprint(value: string): string {
  return value.replace(/:/g, '').toLowerCase();
}

/** A Node-side WebRTC endpoint (one transport). */
export class NodeEndpoint {
  /** DTLS parameters to pass to the engine's `transport.connect()`. */
  readonly dtlsParameters: DtlsParameters;
  /** Called with each decrypted RTP packet (or the raw one with `decrypt: 'none'`). */
  onRtp: ((packet: Buffer) => void) | undefined;
  /** Called with each decrypted RTCP compound packet. */
  onRtcp: ((packet: Buffer) => void) | undefined;
  /** Counters. */
  readonly stats: NodeEndpointStats = {
    rtpSent: 0,
    rtpBytesSent: 0,
    rtcpSent: 0,
    rtpReceived: 0,
    rtpBytesReceived: 0,
    rtcpReceived: 0,
    decryptErrors: 0,
    stunResponses: 0,
  };

  readonly #remote: RemoteTransportParameters;
  readonly #socket: Socket;
  readonly #host: string;
  readonly #port: number;
  readonly #cert: Awaited<ReturnType<typeof getEndpointCertificate>>;
  readonly #options: Required<NodeEndpointOptions>;
  readonly #ufrag: string;
  readonly #tieBreaker = BigInt(randomInt(1, 2 ** 47)) * 65536n;
  readonly #pending = new Map<string, (ok: boolean) => void>();
  #shim: DtlsTransportShim | undefined;
  #dtls: DtlsClient | DtlsServer | undefined;
  #srtp: SrtpSession | undefined;
  #srtcp: SrtcpSession | undefined;
  #keepalive: NodeJS.Timeout | undefined;
  #closed = false;
  #rtpCounter = 0;

  private constructor(
    remote: RemoteTransportParameters,
    socket: Socket,
    cert: Awaited<ReturnType<typeof getEndpointCertificate>>,
    options: NodeEndpointOptions,
  ) {
    const candidate = remote.iceCandidates.find((c) => c.protocol === 'udp');
    if (!candidate) throw new TypeError('no UDP ICE candidate');
    this.#remote = remote;
    this.#socket = socket;
    this.#host = candidate.address ?? candidate.ip;
    this.#port = candidate.port;
    this.#cert = cert;
    this.#ufrag = options.iceUfrag ?? randomBytes(6).toString('hex');
    this.#options = {
      srtpProfiles: options.srtpProfiles ?? [ProtectionProfileAeadAes128Gcm, ProtectionProfileAes128CmHmacSha1_80],
      decrypt: options.decrypt ?? 'all',
      keepaliveMs: options.keepaliveMs ?? 2000,
      iceUfrag: this.#ufrag,
      bindAddress: options.bindAddress ?? '127.0.0.1',
      icePassword: options.icePassword ?? '',
    };
    const role = remote.dtlsParameters.role === 'client' ? 'server' : 'client';
    this.dtlsParameters = { role, fingerprints: [{ algorithm: 'sha-256', value: cert.fingerprint }] };
    socket.on('message', (data, rinfo) => this.#onMessage(data, rinfo));
  }

  /**
   * Creates an endpoint bound to an ephemeral UDP port on 127.0.0.1.
   *
   * @throws TypeError if the remote has no UDP candidate.
   */
  static async create(remote: RemoteTransportParameters, options: NodeEndpointOptions = {}): Promise<NodeEndpoint> {
    const cert = await getEndpointCertificate();
    const socket = createSocket({ type: 'udp4', recvBufferSize: 4 * 1024 * 1024, sendBufferSize: 4 * 1024 * 1024 });
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, options.bindAddress ?? '127.0.0.1', () => {
        socket.off('error', reject);
        resolve();
      });
    });
    socket.on('error', () => {});
    return new NodeEndpoint(remote, socket, cert, options);
  }

  /** The local UDP port. */
  get localPort(): number {
    return this.#socket.address().port;
  }

  /** Whether SRTP is up. */
  get connected(): boolean {
    return this.#srtp !== undefined && !this.#closed;
  }

  /** The negotiated SRTP profile (1 = AES_CM_128_HMAC_SHA1_80, 7 = AEAD_AES_128_GCM). */
  get srtpProfile(): number | undefined {
    return this.#dtls?.srtp.srtpProfile;
  }

  /**
   * Runs ICE (binding requests with USE-CANDIDATE until a success response),
   * then the DTLS handshake, checks the engine's certificate fingerprint and
   * starts SRTP. Call after the engine's `transport.connect()`.
   *
   * @throws Error on timeout, DTLS failure or fingerprint mismatch.
   */
  async connect({ timeoutMs = 10_000 }: { timeoutMs?: number } = {}): Promise<void> {
    if (this.#closed) throw new Error('endpoint closed');
    const deadline = Date.now() + timeoutMs;
    await this.#iceCheck(deadline, true);
    await this.#runDtls(deadline);
    this.#verifyRemoteFingerprint();
    const profile = this.#dtls!.srtp.srtpProfile;
    if (profile === undefined) throw new Error('no SRTP profile negotiated');
    const k = this.#dtls!.extractSessionKeys(keyLength(profile), saltLength(profile));
    const config = {
      keys: {
        localMasterKey: k.localKey,
        localMasterSalt: k.localSalt,
        remoteMasterKey: k.remoteKey,
        remoteMasterSalt: k.remoteSalt,
      },
      profile,
    };
    this.#srtp = new SrtpSession(config);
    this.#srtcp = new SrtcpSession(config);
    if (this.#options.keepaliveMs > 0) {
      this.#keepalive = setInterval(() => this.#sendBinding(false), this.#options.keepaliveMs);
      this.#keepalive.unref();
    }
  }

  /**
   * Encrypts and sends one plaintext RTP packet.
   *
   * @throws Error if not connected.
   */
  sendRtp(packet: Buffer): void {
    if (!this.#srtp) throw new Error('not connected');
    const rtp = RtpPacket.deSerialize(packet);
    // werift's encrypt does not append padding; pass it as part of the payload.
    const payload = rtp.header.padding ? packet.subarray(rtp.header.payloadOffset) : rtp.payload;
    const enc = this.#srtp.encrypt(payload, rtp.header);
    this.stats.rtpSent++;
    this.stats.rtpBytesSent += enc.length;
    this.#socket.send(enc, this.#port, this.#host);
  }

  /**
   * Encrypts and sends one plaintext RTCP (compound) packet.
   *
   * @throws Error if not connected.
   */
  sendRtcp(packet: Buffer): void {
    if (!this.#srtcp) throw new Error('not connected');
    const enc = this.#srtcp.encrypt(packet);
    this.stats.rtcpSent++;
    this.#socket.send(enc, this.#port, this.#host);
  }

  /** Sends a raw datagram to the engine's candidate (fuzzing). */
  sendRaw(datagram: Buffer): void {
    this.#socket.send(datagram, this.#port, this.#host);
  }

  /** Closes the DTLS session and the socket. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#keepalive);
    try {
      this.#dtls?.close();
    } catch {
      // already closed
    }
    this.#socket.close();
    for (const resolve of this.#pending.values()) resolve(false);
    this.#pending.clear();
  }

  #sendBinding(useCandidate: boolean): string {
    const { bytes, transactionId } = buildBindingRequest({
      serverUfrag: this.#remote.iceParameters.usernameFragment,
      clientUfrag: this.#ufrag,
      serverPassword: this.#remote.iceParameters.password,
      tieBreaker: this.#tieBreaker,
      useCandidate,
    });
    if (!this.#closed) this.#socket.send(bytes, this.#port, this.#host);
    return transactionId.toString('hex');
  }

  async #iceCheck(deadline: number, useCandidate: boolean): Promise<void> {
    // A success for any request sent so far counts: under load, replies can arrive late.
    let interval = 50;
    let succeeded = false;
    let wake: (() => void) | undefined;
    const ids: string[] = [];
    try {
      while (!succeeded && Date.now() < deadline && !this.#closed) {
        const id = this.#sendBinding(useCandidate);
        ids.push(id);
        this.#pending.set(id, (ok) => {
          if (ok) succeeded = true;
          wake?.();
        });
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, Math.min(interval, Math.max(0, deadline - Date.now())));
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        interval = Math.min(interval * 2, 500);
      }
    } finally {
      for (const id of ids) this.#pending.delete(id);
    }
    if (!succeeded) throw new Error('ICE connectivity check timed out');
  }

  async #runDtls(deadline: number): Promise<void> {
    const shim: DtlsTransportShim = {
      type: 'udp',
      address: { address: this.#options.bindAddress, port: this.localPort, family: 'IPv4' },
      closed: false,
      onData: () => {},
      send: async (data) => {
        if (!this.#closed) this.#socket.send(data, this.#port, this.#host);
      },
      close: async () => {},
    };
    this.#shim = shim;
    const options = {
      transport: shim as never,
      cert: this.#cert.certPem,
      key: this.#cert.keyPem,
      signatureHash: this.#cert.signatureHash,
      srtpProfiles: this.#options.srtpProfiles,
      extendedMasterSecret: true,
    };
    const dtls =
      this.dtlsParameters.role === 'client'
        ? ignoreRepeatedHelloVerify(new DtlsClient(options))
        : ignoreRepeatedClientFlights(new DtlsServer({ ...options, certificateRequest: true }));
    this.#dtls = dtls;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('DTLS handshake timed out')), Math.max(0, deadline - Date.now()));
      dtls.onConnect.once(() => {
        clearTimeout(timer);
        resolve();
      });
      dtls.onError.once((error: Error) => {
        clearTimeout(timer);
        reject(error);
      });
      if (dtls instanceof DtlsClient) {
        dtls.connect().catch((error: unknown) => {
          clearTimeout(timer);
          reject(error instanceof Error ? error : new Error(String(error)));
        });
      }
    });
  }

  #verifyRemoteFingerprint(): void {
    const cert = this.#dtls?.remoteCertificate;
    if (!cert) throw new Error('no remote certificate');
    const actual = createHash('sha256').update(cert).digest('hex');
    const expected = this.#remote.dtlsParameters.fingerprints.filter((f) => f.algorithm === 'sha-256');
    if (!expected.some((f) => normaliseFingerprint(f.value) === actual)) {
      throw new Error('remote certificate fingerprint mismatch');
    }
  }

  #onMessage(data: Buffer, rinfo: { address: string; port: number }): void {
    if (this.#closed || data.length === 0) return;
    const b0 = data[0]!;
    if (b0 < 4) {
      if (this.#options.icePassword && b0 === 0 && data[1] === 1) {
        const response = buildBindingResponse(data, this.#options.icePassword, rinfo.address, rinfo.port);
        if (response) this.#socket.send(response, rinfo.port, rinfo.address);
        return;
      }
      const reply = parseStunReply(data);
      if (!reply) return;
      const id = reply.transactionId.toString('hex');
      const pending = this.#pending.get(id);
      if (reply.kind === 'success') this.stats.stunResponses++;
      if (pending) {
        this.#pending.delete(id);
        pending(reply.kind === 'success');
      }
      return;
    }
    if (b0 >= 20 && b0 <= 63) {
      this.#shim?.onData(data);
      return;
    }
    if (b0 < 128 || b0 > 191 || data.length < 12) return;
    const pt = data[1]!;
    if (pt >= 192 && pt <= 223) {
      if (!this.#srtcp) return;
      this.stats.rtcpReceived++;
      let plain: Buffer;
      try {
        plain = this.#srtcp.decrypt(data);
      } catch {
        this.stats.decryptErrors++;
        return;
      }
      this.onRtcp?.(plain);
      return;
    }
    if (!this.#srtp) return;
    this.stats.rtpReceived++;
    this.stats.rtpBytesReceived += data.length;
    const mode = this.#options.decrypt;
    const decrypt = mode === 'all' || (typeof mode === 'number' && ++this.#rtpCounter % mode === 0);
    if (!decrypt) {
      this.onRtp?.(data);
      return;
    }
    let plain: Buffer;
    try {
      plain = this.#srtp.decrypt(data);
    } catch {
      this.stats.decryptErrors++;
      return;
    }
    this.onRtp?.(plain);
  }
}
