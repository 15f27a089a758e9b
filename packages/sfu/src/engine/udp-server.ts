/**
 * The worker's single UDP socket: classifies datagrams (RFC 7983), answers ICE binding requests
 * for the transport named by the STUN USERNAME, then demultiplexes DTLS and SRTP by remote
 * tuple. Anything unknown or malformed is dropped and counted. Never throws.
 * @internal
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { lookup as dnsLookup, type LookupOneOptions } from 'node:dns';
import { isIP } from 'node:net';
import { describeError, type SfuLogger, type WorkerLogTag } from '../common/logger.js';
import { countDrop, type DropCounters, type DropReason } from './context.js';
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

/**
 * The socket's address lookup: an IP address (every address the engine sends to is one) is
 * answered at once, so `socket.send()` hands the datagram to the kernel before it returns (with
 * dgram's default lookup it would happen on the next tick, the socket keeping the buffer until then).
 */
class SendLookup {
  /** Set when a lookup went to DNS (the send it belongs to finishes later). */
  async = false;
  readonly fn = (
    hostname: string,
    options: LookupOneOptions | number,
    callback: (err: NodeJS.ErrnoException | null, address: string, family: number) => void,
  ): void => {
    const family = isIP(hostname);
    if (family !== 0) {
      callback(null, hostname, family);
      return;
    }
    this.async = true;
    dnsLookup(hostname, typeof options === 'number' ? { family: options } : options, callback);
  };
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
  private readonly lookup: SendLookup;

  private constructor(socket: Socket, lookup: SendLookup, drops: DropCounters, log: SfuLogger) {
    this.socket = socket;
    this.lookup = lookup;
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
    countDrop(this.log, this.drops, reason, tag, event, error);
  }

  /** Binds a socket on `ip` (a port in [min, max], or ephemeral when both are 0). */
  static async bind(ip: string, minPort: number, maxPort: number, drops: DropCounters, log: SfuLogger): Promise<UdpServer> {
    const family = ip.includes(':') ? 'udp6' : 'udp4';
    const lookup = new SendLookup();
    const tryPort = (port: number): Promise<Socket> =>
      new Promise((resolve, reject) => {
        const s = createSocket({ type: family, recvBufferSize: 4 * 1024 * 1024, sendBufferSize: 4 * 1024 * 1024, lookup: lookup.fn });
        s.once('error', (e) => {
          s.close();
          reject(e);
        });
        s.bind(port, ip, () => {
          s.removeAllListeners('error');
          resolve(s);
        });
      });
    if (!minPort && !maxPort) return new UdpServer(await tryPort(0), lookup, drops, log);
    let lastError: unknown;
    const span = maxPort - minPort + 1;
    const start = Math.floor(Math.random() * span);
    for (let i = 0; i < span; i++) {
      try {
        return new UdpServer(await tryPort(minPort + ((start + i) % span)), lookup, drops, log);
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

  /**
   * Sends a datagram; errors are counted, never thrown.
   * @returns whether `buf` may be written again at once: the datagram reached the kernel before
   *   this returned (false when the socket queued it, waiting to be writable, or when the address
   *   needed a DNS lookup; then the socket holds `buf` until it is sent).
   */
  send(buf: Uint8Array, port: number, address: string): boolean {
    this.datagramsSent++;
    const lookup = this.lookup;
    lookup.async = false;
    this.socket.send(buf, port, address, this.onSent);
    return !lookup.async && this.socket.getSendQueueCount() === 0;
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
