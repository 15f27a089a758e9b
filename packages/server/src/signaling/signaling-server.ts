/**
 * The WebSocket signalling endpoint: upgrade checks (path, no query string, origin allowlist,
 * connection cap), `session.join` / `session.resume`, and dispatch of every later request through
 * the role × action matrix to its handler.
 * @packageDocumentation
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { DEFAULT_MAX_MESSAGE_BYTES, type ClientMessage, type JoinTokenClaims, type ResponseData } from '@alcove/protocol';
import type { Logger } from '../logger.js';
import type { RoomEvents, RoomTickets } from '../rooms/deps.js';
import { checkPermission } from '../rooms/permissions.js';
import type { RoomManager } from '../rooms/room-manager.js';
import { Connection, WS_CLOSE, type ConnectionOptions } from './connection.js';
import { HANDLERS } from './handlers.js';
import { DEFAULT_RATE_LIMIT, type RateLimitOptions } from './rate-limiter.js';
import { RequestError } from './request-error.js';

/** Options of {@link SignalingServer}. */
export interface SignalingServerOptions {
  readonly rooms: RoomManager;
  readonly tickets: RoomTickets;
  /** Verifies a join token (services' `createJoinTokenVerifier`). */
  readonly verifyToken: (token: string) => Promise<JoinTokenClaims>;
  readonly events: RoomEvents;
  readonly logger: Logger;
  /** Browser origins allowed to open a socket; `*` allows any. Requests without `Origin` (non-browser) are allowed. */
  readonly allowedOrigins: readonly string[];
  /** Largest message in bytes (over it: close 1009). Default 64 KiB. */
  readonly maxPayload?: number;
  readonly rateLimit?: Partial<RateLimitOptions>;
  /** Unauthenticated sockets are closed after this long. Default 10 000 ms. */
  readonly authTimeoutMs?: number;
  /** Heartbeat interval. Default 10 000 ms. */
  readonly heartbeatMs?: number;
  /** Most open sockets. Default 10 000. */
  readonly maxConnections?: number;
  /** Upgrade path. Default `/ws`. */
  readonly path?: string;
  readonly now?: () => number;
}

/** See the file header. */
export class SignalingServer {
  readonly #o: SignalingServerOptions;
  readonly #wss: WebSocketServer;
  readonly #conns = new Set<Connection>();
  readonly #connOptions: ConnectionOptions;
  readonly #now: () => number;
  #closing = false;

  constructor(options: SignalingServerOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    const maxBytes = options.maxPayload ?? DEFAULT_MAX_MESSAGE_BYTES;
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: maxBytes, perMessageDeflate: false, clientTracking: false });
    this.#connOptions = {
      maxBytes,
      rateLimit: { ...DEFAULT_RATE_LIMIT, ...options.rateLimit },
      authTimeoutMs: options.authTimeoutMs ?? 10_000,
      heartbeatMs: options.heartbeatMs ?? 10_000,
      maxQueued: 32,
      maxBufferedBytes: 8 * 1024 * 1024,
      logger: options.logger,
    };
  }

  /** Open sockets. */
  get connections(): number {
    return this.#conns.size;
  }

  /**
   * Handles an HTTP upgrade. Returns false when the path is not the signalling path (the caller
   * answers it); refuses bad requests itself.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== (this.#o.path ?? '/ws')) return false;
    const refuse = (status: number, text: string): void => {
      this.#o.logger.info('ws.refused', { status });
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroy();
    };
    if (this.#closing) {
      refuse(503, 'Service Unavailable');
      return true;
    }
    // Tokens go in the first message, never in a URL (URLs end up in logs and histories).
    if (url.search !== '') {
      refuse(400, 'Bad Request');
      return true;
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !this.#o.allowedOrigins.includes('*') && !this.#o.allowedOrigins.includes(origin)) {
      refuse(403, 'Forbidden');
      return true;
    }
    if (this.#conns.size >= (this.#o.maxConnections ?? 10_000)) {
      refuse(503, 'Service Unavailable');
      return true;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      const conn = new Connection(ws, this.#connOptions, (c, m) => this.#dispatch(c, m));
      this.#conns.add(conn);
      ws.on('close', () => this.#conns.delete(conn));
      this.#o.logger.debug('ws.opened', { conn: conn.id });
    });
    return true;
  }

  /**
   * Stops accepting sockets and closes those that never joined; rooms tell their participants
   * `session.shutdown` (the room manager's `close()`). Resolves when every socket is gone or after
   * `timeoutMs`.
   */
  async close(timeoutMs = 5000): Promise<void> {
    this.#closing = true;
    for (const c of this.#conns) if (!c.authenticated) c.close(WS_CLOSE.goingAway, 'shutdown');
    const deadline = Date.now() + timeoutMs;
    while (this.#conns.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    this.#wss.close();
  }

  async #dispatch(conn: Connection, message: ClientMessage): Promise<unknown> {
    const bound = conn.binding;
    if (!bound) {
      if (message.method === 'session.join') return this.#join(conn, message.data);
      if (message.method === 'session.resume') return this.#resume(conn, message.data.ticket);
      throw new RequestError('UNAUTHENTICATED', 'join first', { closeAfter: true });
    }
    if (message.method === 'session.join' || message.method === 'session.resume') {
      throw new RequestError('ALREADY_JOINED', 'this connection has already joined');
    }
    const { room, participant } = bound;
    if (room.ended) throw new RequestError('SESSION_ENDED', 'the session has ended', { closeAfter: true });
    if (room.participant(participant.id) !== participant || participant.connection !== conn) {
      throw new RequestError('INVALID_STATE', 'this connection no longer represents a participant', { closeAfter: true });
    }
    const method = message.method;
    const denied = checkPermission(method, participant.role, participant.admitted);
    if (denied) throw new RequestError(denied, denied === 'NOT_ALLOWED' ? 'the role does not allow this action' : 'waiting for admission');
    const handler = HANDLERS[method] as (ctx: unknown, data: unknown) => unknown;
    return handler({ room, participant, conn, now: this.#now }, message.data);
  }

  async #join(conn: Connection, data: { token: string; e2ee: boolean }): Promise<ResponseData<'session.join'>> {
    let claims: JoinTokenClaims;
    try {
      claims = await this.#o.verifyToken(data.token);
    } catch (error) {
      const internal = (error as { internalReason?: unknown }).internalReason;
      const reason = typeof internal === 'string' && /^[a-z-]{1,32}$/.test(internal) ? internal : 'unknown';
      this.#o.logger.info('token.rejected', { conn: conn.id, reason });
      this.#o.events.audit({ type: 'token.rejected', actor: 'participant', reason });
      throw new RequestError('INVALID_TOKEN', 'The join token is not valid.', { closeAfter: true });
    }
    if (conn.closed) throw new RequestError('INVALID_STATE', 'connection closed', { closeAfter: true });
    const room = await this.#o.rooms.open(claims.sid);
    if (conn.closed) throw new RequestError('INVALID_STATE', 'connection closed', { closeAfter: true });
    const { participant, result } = room.join(conn, claims, data.e2ee);
    this.#attach(conn, room, participant);
    this.#o.logger.info('participant.joined', { conn: conn.id, sessionId: room.sessionId, role: participant.role, state: result.state });
    return result;
  }

  #resume(conn: Connection, ticket: string): ResponseData<'session.resume'> {
    const holder = this.#o.tickets.redeem(ticket);
    const room = holder ? this.#o.rooms.get(holder.sessionId) : undefined;
    if (!holder || !room || room.ended) {
      this.#o.logger.info('ticket.rejected', { conn: conn.id });
      throw new RequestError('INVALID_TOKEN', 'The join token is not valid.', { closeAfter: true });
    }
    const { participant, result } = room.resume(conn, holder.participantId);
    this.#attach(conn, room, participant);
    this.#o.logger.info('participant.resumed', { conn: conn.id, sessionId: room.sessionId, role: participant.role });
    return result;
  }

  #attach(conn: Connection, room: import('../rooms/room.js').Room, participant: import('../rooms/participant.js').Participant): void {
    conn.bind(room, participant);
    conn.onClosed = () => {
      room.detach(participant, conn);
      this.#o.logger.debug('ws.closed', { conn: conn.id, sessionId: room.sessionId });
    };
  }
}
