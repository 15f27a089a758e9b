/**
 * The worker's single UDP socket: classifies datagrams (RFC 7983), answers ICE binding requests
 * for the transport named by the STUN USERNAME, then demultiplexes DTLS and SRTP by remote
 * tuple. Anything unknown or malformed is dropped and counted. Never throws.
 * @internal
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { describeError, type SfuLogger, type WorkerLogTag } from '../common/logger.js';
import type { DropCounters, DropReason } from './context.js';
import { checkBindingRequest } from './ice-binding.js';
import type { TcpConnection } from './tcp-server.js';

/** A transport as the UDP server sees it. */
export interface UdpEndpoint {
  readonly localPassword: Buffer;
  /**
   * Handles an authenticated binding request; returns the response to send. `conn` is the
   * ICE-TCP connection it came on (undefined on UDP).
   */
  onBindingRequest(transactionId: Buffer, useCandidate: boolean, rinfo: RemoteInfo, conn?: TcpConnection): Buffer | undefined;
  onDtls(data: Buffer, rinfo: RemoteInfo, conn?: TcpConnection): void;
  onSrtp(data: Buffer, rinfo: RemoteInfo, conn?: TcpConnection): void;
  /** An ICE-TCP connection this endpoint was bound to closed. */
  onTcpClosed?(conn: TcpConnection): void;
}

interface TupleEntry {
  address: string;
  endpoint: UdpEndpoint;
}

/** The worker's UDP socket and demux tables. */
export class UdpServer {
  readonly socket: Socket;
  private readonly byUfrag = new Map<string, UdpEndpoint>();
  private readonly byPort = new Map<number, TupleEntry[]>();
  private readonly drops: DropCounters;
  private readonly log: SfuLogger;
  datagramsReceived = 0;
  datagramsSent = 0;

  private constructor(socket: Socket, drops: DropCounters, log: SfuLogger) {
    this.socket = socket;
    this.drops = drops;
    this.log = log;
    socket.on('message', (data, rinfo) => {
      try {
        this.onMessage(data, rinfo);
      } catch (e) {
        this.drop('internalErrors', 'message', 'udp.datagramFailed', e);
      }
    });
    socket.on('error', (e) => {
      this.drops.internalErrors++;
      this.log.warn('udp.socketError', { reason: describeError(e) });
    });
  }

  /**
   * Counts a datagram dropped before it reached a transport (worker-wide) and logs it at debug
   * under `tag`. Never throws.
   */
  private drop(reason: DropReason, tag: WorkerLogTag, event: string, error?: unknown): void {
    this.drops[reason]++;
    const log = this.log.tagged(tag);
    if (!log.enabled('debug')) return;
    log.debug(event, { drop: reason, count: this.drops[reason], ...(error !== undefined ? { reason: describeError(error) } : {}) });
  }

  /** Binds a socket on `ip` (a port in [min, max], or ephemeral when both are 0). */
  static async bind(ip: string, minPort: number, maxPort: number, drops: DropCounters, log: SfuLogger): Promise<UdpServer> {
    const family = ip.includes(':') ? 'udp6' : 'udp4';
    const tryPort = (port: number): Promise<Socket> =>
      new Promise((resolve, reject) => {
        const s = createSocket({ type: family, recvBufferSize: 4 * 1024 * 1024, sendBufferSize: 4 * 1024 * 1024 });
        s.once('error', (e) => {
          s.close();
          reject(e);
        });
        s.bind(port, ip, () => {
          s.removeAllListeners('error');
          resolve(s);
        });
      });
    if (!minPort && !maxPort) return new UdpServer(await tryPort(0), drops, log);
    let lastError: unknown;
    const span = maxPort - minPort + 1;
    const start = Math.floor(Math.random() * span);
    for (let i = 0; i < span; i++) {
      try {
        return new UdpServer(await tryPort(minPort + ((start + i) % span)), drops, log);
      } catch (e) {
        // Port taken: try the next one; the last reason is in the error if none is free.
        lastError = e;
        if (log.enabled('debug')) log.debug('udp.portBusy', { reason: describeError(e) });
      }
    }
    throw new Error(`no free UDP port in [${minPort}, ${maxPort}]: ${String(lastError)}`);
  }

  /** The bound local address and port. */
  get address(): { ip: string; port: number } {
    const a = this.socket.address();
    return { ip: a.address, port: a.port };
  }

  /** Registers (or replaces) the ICE ufrag of an endpoint. */
  setUfrag(ufrag: string, ep: UdpEndpoint, previous?: string): void {
    if (previous !== undefined && this.byUfrag.get(previous) === ep) this.byUfrag.delete(previous);
    this.byUfrag.set(ufrag, ep);
  }

  /** Adds a validated remote tuple for an endpoint. */
  addTuple(rinfo: RemoteInfo, ep: UdpEndpoint): void {
    let list = this.byPort.get(rinfo.port);
    if (!list) {
      list = [];
      this.byPort.set(rinfo.port, list);
    }
    const existing = list.find((e) => e.address === rinfo.address);
    if (existing) existing.endpoint = ep;
    else list.push({ address: rinfo.address, endpoint: ep });
  }

  /** Removes everything registered for an endpoint. */
  removeEndpoint(ep: UdpEndpoint): void {
    for (const [k, v] of this.byUfrag) if (v === ep) this.byUfrag.delete(k);
    for (const [port, list] of this.byPort) {
      const kept = list.filter((e) => e.endpoint !== ep);
      if (kept.length === 0) this.byPort.delete(port);
      else this.byPort.set(port, kept);
    }
  }

  /** Send completion, one function for every datagram (no closure per packet). */
  private readonly onSent = (err: Error | null): void => {
    if (err) this.drop('sendFailed', 'message', 'udp.sendFailed', err);
  };

  /** Sends a datagram; errors are counted, never thrown. */
  send(buf: Uint8Array, port: number, address: string): void {
    this.datagramsSent++;
    this.socket.send(buf, port, address, this.onSent);
  }

  private endpointFor(rinfo: RemoteInfo): UdpEndpoint | undefined {
    const list = this.byPort.get(rinfo.port);
    if (!list) return undefined;
    for (let i = 0; i < list.length; i++) if (list[i]!.address === rinfo.address) return list[i]!.endpoint;
    return undefined;
  }

  private onMessage(data: Buffer, rinfo: RemoteInfo): void {
    this.datagramsReceived++;
    if (data.length === 0) {
      this.drop('unknownType', 'message', 'udp.empty');
      return;
    }
    const b0 = data[0]!;
    if (b0 < 4) {
      this.onStun(data, rinfo);
    } else if (b0 >= 20 && b0 <= 63) {
      const ep = this.endpointFor(rinfo);
      if (!ep) this.drop('dtlsUnknownTuple', 'dtls', 'dtls.unknownTuple');
      else ep.onDtls(data, rinfo);
    } else if (b0 >= 128 && b0 <= 191) {
      const ep = this.endpointFor(rinfo);
      if (!ep) this.drop('rtpUnknownTuple', 'rtp', 'rtp.unknownTuple');
      else ep.onSrtp(data, rinfo);
    } else {
      this.drop('unknownType', 'message', 'udp.unknownType');
    }
  }

  private onStun(data: Buffer, rinfo: RemoteInfo): void {
    const check = checkBindingRequest(data, (ufrag) => this.byUfrag.get(ufrag));
    if (!check.ok) {
      this.drop(check.reason, 'ice', check.event);
      return;
    }
    const response = check.endpoint.onBindingRequest(check.transactionId, check.useCandidate, rinfo);
    if (response) this.send(response, rinfo.port, rinfo.address);
  }

  /** The endpoint registered under a local ufrag (shared with the TCP server). */
  endpointForUfrag(ufrag: string): UdpEndpoint | undefined {
    return this.byUfrag.get(ufrag);
  }

  /** Closes the socket. */
  close(): void {
    try {
      this.socket.close();
    } catch (e) {
      // Already closed (ERR_SOCKET_DGRAM_NOT_RUNNING): nothing left to release.
      if (this.log.enabled('debug')) this.log.debug('udp.closeFailed', { reason: describeError(e) });
    }
  }
}
