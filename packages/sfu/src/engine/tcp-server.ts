/**
 * The worker's ICE-TCP listening socket (RFC 6544 passive candidates, RFC 4571 framing), beside
 * its UDP socket. A connection belongs to the transport whose ufrag its first authenticated
 * binding request names; until then anything but a binding request closes it, and a connection
 * that never authenticates is closed after {@link TCP_BIND_TIMEOUT_MS}. Frames are then
 * demultiplexed like UDP datagrams (RFC 7983). Never throws.
 * @internal
 */
import type { RemoteInfo } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import { describeError, type SfuLogger, type WorkerLogTag } from '../common/logger.js';
import { countDrop, type DropCounters, type DropReason } from './context.js';
import { checkBindingRequest } from './ice-binding.js';
import { encodeFrame, FrameReader } from './tcp-framing.js';
import type { UdpEndpoint } from './udp-server.js';

/** A connection that has not authenticated by then is closed. */
export const TCP_BIND_TIMEOUT_MS = 10_000;
/** Connections beyond this many are refused (each one holds a socket and a frame buffer). */
export const MAX_TCP_CONNECTIONS = 2000;
/** Bytes queued for a slow peer beyond which packets are dropped rather than buffered. */
export const MAX_TCP_BACKLOG = 512 * 1024;

/** One ICE-TCP connection. */
export class TcpConnection {
  /** The remote address and port, in the shape UDP handlers take. */
  readonly rinfo: RemoteInfo;
  /** The transport this connection is bound to (after its first authenticated binding request). */
  endpoint: UdpEndpoint | undefined;
  readonly reader = new FrameReader();
  framesReceived = 0;
  framesSent = 0;
  closed = false;
  private readonly socket: Socket;
  private readonly onSendDrop: (error?: unknown) => void;

  /** @internal */
  constructor(socket: Socket, onSendDrop: (error?: unknown) => void) {
    this.socket = socket;
    this.onSendDrop = onSendDrop;
    const address = socket.remoteAddress ?? '';
    this.rinfo = { address, port: socket.remotePort ?? 0, family: socket.remoteFamily === 'IPv6' ? 'IPv6' : 'IPv4', size: 0 };
  }

  /** Sends one packet as a frame; drops it (counted) when closed, too large or the peer is too slow. */
  send(packet: Uint8Array): void {
    if (this.closed || this.socket.destroyed) return;
    if (this.socket.writableLength > MAX_TCP_BACKLOG) {
      this.onSendDrop();
      return;
    }
    let frame: Buffer;
    try {
      frame = encodeFrame(packet);
    } catch (e) {
      this.onSendDrop(e);
      return;
    }
    this.framesSent++;
    this.socket.write(frame);
  }

  /** Closes the connection (the endpoint is not told: it asked, or is going away). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.endpoint = undefined;
    this.socket.destroy();
  }
}

/** The worker's ICE-TCP server. */
export class TcpServer {
  private readonly server: Server;
  private readonly connections = new Set<TcpConnection>();
  private readonly drops: DropCounters;
  private readonly log: SfuLogger;
  private readonly endpointForUfrag: (ufrag: string) => UdpEndpoint | undefined;
  framesReceived = 0;
  connectionsAccepted = 0;

  private constructor(server: Server, drops: DropCounters, log: SfuLogger, endpointForUfrag: (ufrag: string) => UdpEndpoint | undefined) {
    this.server = server;
    this.drops = drops;
    this.log = log;
    this.endpointForUfrag = endpointForUfrag;
    server.on('connection', (socket) => {
      try {
        this.onConnection(socket);
      } catch (e) {
        this.drop('internalErrors', 'message', 'tcp.connectionFailed', e);
        socket.destroy();
      }
    });
    server.on('error', (e) => {
      this.drops.internalErrors++;
      this.log.warn('tcp.serverError', { reason: describeError(e) });
    });
  }

  /**
   * Listens on `ip`: `preferredPort` first when given (the UDP socket's port, so both share a
   * number), then a port in [min, max], or an ephemeral one when both are 0.
   */
  static async bind(
    ip: string,
    minPort: number,
    maxPort: number,
    preferredPort: number | undefined,
    drops: DropCounters,
    log: SfuLogger,
    endpointForUfrag: (ufrag: string) => UdpEndpoint | undefined,
  ): Promise<TcpServer> {
    const tryPort = (port: number): Promise<Server> =>
      new Promise((resolve, reject) => {
        const s = createServer({ noDelay: true, allowHalfOpen: false });
        s.once('error', (e) => {
          s.close();
          reject(e);
        });
        s.listen({ port, host: ip, exclusive: true, backlog: 256 }, () => {
          s.removeAllListeners('error');
          resolve(s);
        });
      });
    const candidates: number[] = [];
    if (
      preferredPort !== undefined &&
      (preferredPort === 0 || (!minPort && !maxPort) || (preferredPort >= minPort && preferredPort <= maxPort))
    )
      candidates.push(preferredPort);
    if (!minPort && !maxPort) candidates.push(0);
    else {
      const span = maxPort - minPort + 1;
      const start = Math.floor(Math.random() * span);
      for (let i = 0; i < span; i++) candidates.push(minPort + ((start + i) % span));
    }
    let lastError: unknown;
    for (const port of candidates) {
      try {
        return new TcpServer(await tryPort(port), drops, log, endpointForUfrag);
      } catch (e) {
        // Port taken: try the next one; the last reason is in the error if none is free.
        lastError = e;
        if (log.enabled('debug')) log.debug('tcp.portBusy', { reason: describeError(e) });
      }
    }
    throw new Error(`no free TCP port in [${minPort}, ${maxPort}]: ${String(lastError)}`);
  }

  /** The listening address and port. */
  get address(): { ip: string; port: number } {
    const a = this.server.address();
    return typeof a === 'object' && a ? { ip: a.address, port: a.port } : { ip: '', port: 0 };
  }

  /** Open connections (bound or not). */
  get connectionCount(): number {
    return this.connections.size;
  }

  private drop(reason: DropReason, tag: WorkerLogTag, event: string, error?: unknown): void {
    countDrop(this.log, this.drops, reason, tag, event, error);
  }

  private onConnection(socket: Socket): void {
    if (this.connections.size >= MAX_TCP_CONNECTIONS) {
      this.drop('tcpRejected', 'ice', 'tcp.tooManyConnections');
      socket.destroy();
      return;
    }
    this.connectionsAccepted++;
    socket.setNoDelay(true);
    const conn = new TcpConnection(socket, (e) => this.drop('sendFailed', 'ice', 'tcp.sendDropped', e));
    this.connections.add(conn);
    const bindTimer = setTimeout(() => {
      if (!conn.endpoint && !conn.closed) {
        this.drop('tcpRejected', 'ice', 'tcp.bindTimeout');
        conn.close();
      }
    }, TCP_BIND_TIMEOUT_MS);
    bindTimer.unref?.();
    socket.on('data', (chunk: Buffer) => {
      try {
        this.onData(conn, chunk);
      } catch (e) {
        this.drop('internalErrors', 'message', 'tcp.dataFailed', e);
      }
    });
    socket.on('error', (e) => {
      // ECONNRESET and friends: the peer went away; 'close' follows.
      const log = this.log.tagged('ice');
      if (log.enabled('debug')) log.debug('tcp.socketError', { reason: describeError(e) });
    });
    socket.on('close', () => {
      clearTimeout(bindTimer);
      this.connections.delete(conn);
      const ep = conn.endpoint;
      conn.closed = true;
      conn.endpoint = undefined;
      try {
        ep?.onTcpClosed?.(conn);
      } catch (e) {
        this.drop('internalErrors', 'ice', 'tcp.closeFailed', e);
      }
    });
  }

  private onData(conn: TcpConnection, chunk: Buffer): void {
    if (conn.closed) return;
    const frames = conn.reader.push(chunk);
    for (const frame of frames) {
      if (conn.closed) return;
      this.onFrame(conn, frame);
    }
    if (conn.reader.error && !conn.closed) {
      this.drop('tcpMalformed', 'ice', conn.reader.error === 'oversize' ? 'tcp.oversizeFrame' : 'tcp.emptyFrame');
      conn.close();
    }
  }

  private onFrame(conn: TcpConnection, frame: Buffer): void {
    conn.framesReceived++;
    this.framesReceived++;
    const b0 = frame[0]!;
    if (b0 < 4) {
      const check = checkBindingRequest(frame, this.endpointForUfrag);
      if (!check.ok) {
        this.drop(check.reason, 'ice', check.event);
        if (!conn.endpoint) conn.close();
        return;
      }
      if (conn.endpoint && conn.endpoint !== check.endpoint) {
        // One connection carries one transport's traffic.
        this.drop('tcpMalformed', 'ice', 'tcp.otherTransport');
        return;
      }
      conn.endpoint = check.endpoint;
      const response = check.endpoint.onBindingRequest(check.transactionId, check.useCandidate, conn.rinfo, conn);
      if (response) conn.send(response);
      return;
    }
    const ep = conn.endpoint;
    if (!ep) {
      // Only an authenticated binding request may open a connection's use.
      this.drop('tcpMalformed', 'ice', 'tcp.notBound');
      conn.close();
      return;
    }
    if (b0 >= 20 && b0 <= 63) ep.onDtls(frame, conn.rinfo, conn);
    else if (b0 >= 128 && b0 <= 191) ep.onSrtp(frame, conn.rinfo, conn);
    else this.drop('unknownType', 'message', 'tcp.unknownType');
  }

  /** Closes the listening socket and every connection. */
  close(): void {
    for (const c of [...this.connections]) c.close();
    this.connections.clear();
    this.server.close();
  }
}
