/**
 * The WebSocket signalling endpoint: upgrade checks (path, no query string, origin allowlist,
 * connection cap), `session.join` / `session.resume`, and dispatch of every later request through
 * the role × action matrix to its handler.
 * @packageDocumentation
 */
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
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
  /** The client address of an upgrade request (behind a trusted reverse proxy). Default: the socket's peer. */
  readonly clientAddress?: (req: IncomingMessage) => string;
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
  /** Most open sockets from one source address (429 beyond). Default 50. */
  readonly maxConnectionsPerAddress?: number;
  /** Most sockets from one source address that have not joined yet (429 beyond). Default 8. */
  readonly maxPendingPerAddress?: number;
  /**
   * Join and resume attempts per source address: `burst` at once, refilled at `perMinute`. A failed
   * attempt costs two. Over it the attempt is answered `RATE_LIMITED` and the socket closes, and new
   * sockets from the address are refused (429) until the allowance refills. Default 60/min, burst 20.
   */
  readonly joinRateLimit?: { readonly perMinute?: number; readonly burst?: number };
  /**
   * How long a resume waits for the ticket owner's current socket to answer a ping before treating
   * it as dead, ms. Default 3 000. A live owner keeps its seat: the resume is refused.
   */
  readonly resumeProbeMs?: number;
  /** Whether one more participant may enter this session (per-tenant quota). Default: always. */
  readonly admitQuota?: (sessionId: string, participantId: string) => boolean;
  /** Repeated token rejections from one address within this window are audited as one line, ms. Default 60 000. */
  readonly auditCoalesceMs?: number;
  readonly now?: () => number;
}

/** What the server keeps per source address (never logged or audited). */
interface AddressState {
  readonly conns: Set<Connection>;
  tokens: number;
  last: number;
  /** Token rejections not yet audited, and the end of the current audit window. */
  suppressed: number;
  windowEnd: number;
  flushTimer: NodeJS.Timeout | undefined;
}

/** See the file header. */
export class SignalingServer {
  readonly #o: SignalingServerOptions;
  readonly #wss: WebSocketServer;
  readonly #conns = new Set<Connection>();
  readonly #connOptions: ConnectionOptions;
  readonly #now: () => number;
  readonly #addresses = new Map<string, AddressState>();
  readonly #stateByConn = new WeakMap<Connection, AddressState>();
  readonly #joinBurst: number;
  readonly #joinPerMs: number;
  #closing = false;

  constructor(options: SignalingServerOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#joinBurst = options.joinRateLimit?.burst ?? 20;
    this.#joinPerMs = (options.joinRateLimit?.perMinute ?? 60) / 60_000;
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
    // IPv6 clients count per /64 (one host can hold a whole /64 and rotate through it).
    const address = limitKey(this.#o.clientAddress?.(req) ?? normalizeAddress(req.socket.remoteAddress));
    const state = this.#address(address);
    if (this.#refill(state) < 1) {
      refuse(429, 'Too Many Requests');
      return true;
    }
    let pending = 0;
    for (const c of state.conns) if (!c.authenticated) pending++;
    if (state.conns.size >= (this.#o.maxConnectionsPerAddress ?? 50) || pending >= (this.#o.maxPendingPerAddress ?? 8)) {
      refuse(429, 'Too Many Requests');
      return true;
    }
    if (this.#conns.size >= (this.#o.maxConnections ?? 10_000)) {
      // Sockets that never joined do not hold slots against participants: the oldest gives way.
      let oldest: Connection | undefined;
      for (const c of this.#conns) if (!c.authenticated && !c.closed && (!oldest || c.openedAt < oldest.openedAt)) oldest = c;
      if (!oldest) {
        refuse(503, 'Service Unavailable');
        return true;
      }
      this.#o.logger.info('ws.evictedPending', { conn: oldest.id });
      oldest.drop();
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      const conn = new Connection(ws, this.#connOptions, (c, m) => this.#dispatch(c, m));
      this.#conns.add(conn);
      state.conns.add(conn);
      this.#stateByConn.set(conn, state);
      ws.on('close', () => {
        this.#conns.delete(conn);
        state.conns.delete(conn);
        this.#forgetAddress(address, state);
      });
      this.#o.logger.debug('ws.opened', { conn: conn.id });
    });
    return true;
  }

  #address(address: string): AddressState {
    let state = this.#addresses.get(address);
    if (!state) {
      // Bounded memory: addresses with no socket, a full allowance and nothing to audit are dropped.
      if (this.#addresses.size >= 10_000) for (const [a, st] of [...this.#addresses]) this.#forgetAddress(a, st);
      state = { conns: new Set(), tokens: this.#joinBurst, last: performance.now(), suppressed: 0, windowEnd: 0, flushTimer: undefined };
      this.#addresses.set(address, state);
    }
    return state;
  }

  /** Refills the address's join allowance; returns the tokens now available. */
  #refill(state: AddressState): number {
    const t = performance.now();
    state.tokens = Math.min(this.#joinBurst, state.tokens + (t - state.last) * this.#joinPerMs);
    state.last = t;
    return state.tokens;
  }

  /** Drops the state of an address with no socket, a full allowance and nothing left to audit. */
  #forgetAddress(address: string, state: AddressState): void {
    if (state.conns.size === 0 && state.flushTimer === undefined && this.#refill(state) >= this.#joinBurst) this.#addresses.delete(address);
  }

  /** Takes `cost` from the address's join allowance; false when it is spent. */
  #takeJoin(conn: Connection, cost: number): boolean {
    const state = this.#stateOf(conn);
    if (!state) return true;
    this.#refill(state);
    if (state.tokens < cost) {
      state.tokens = Math.max(0, state.tokens - cost);
      return false;
    }
    state.tokens -= cost;
    return true;
  }

  #stateOf(conn: Connection): AddressState | undefined {
    return this.#stateByConn.get(conn);
  }

  /**
   * Audits a token rejection. The first of a window (per address) is written at once; the rest of
   * that window become one `token.rejected` line with `detail.count` when the window ends.
   */
  #auditRejection(conn: Connection, reason: string): void {
    const state = this.#stateOf(conn);
    const now = performance.now();
    if (!state || now >= state.windowEnd) {
      if (state) state.windowEnd = now + (this.#o.auditCoalesceMs ?? 60_000);
      this.#o.events.audit({ type: 'token.rejected', actor: 'participant', reason });
      return;
    }
    state.suppressed++;
    if (state.flushTimer) return;
    state.flushTimer = setTimeout(() => this.#flushRejections(state), Math.max(0, state.windowEnd - now));
    state.flushTimer.unref?.();
  }

  #flushRejections(state: AddressState): void {
    if (state.flushTimer) clearTimeout(state.flushTimer);
    state.flushTimer = undefined;
    if (state.suppressed === 0) return;
    const count = state.suppressed;
    state.suppressed = 0;
    this.#o.events.audit({ type: 'token.rejected', actor: 'participant', reason: 'repeated', detail: { count } });
    for (const [address, s] of this.#addresses) if (s === state) this.#forgetAddress(address, s);
  }

  /**
   * Stops accepting sockets and closes those that never joined; rooms tell their participants
   * `session.shutdown` (the room manager's `close()`). Resolves when every socket is gone or after
   * `timeoutMs`.
   */
  async close(timeoutMs = 5000): Promise<void> {
    this.#closing = true;
    for (const state of [...this.#addresses.values()]) this.#flushRejections(state);
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
    const refusal = participant.refusals.get(method);
    if (refusal && refusal.count-- > 0) throw new RequestError(refusal.code, 'refused by a test fault hook');
    const handler = HANDLERS[method] as (ctx: unknown, data: unknown) => unknown;
    return handler({ room, participant, conn, now: this.#now }, message.data);
  }

  #throttled(conn: Connection, cost: number): void {
    if (this.#takeJoin(conn, cost)) return;
    this.#o.logger.info('join.throttled', { conn: conn.id });
    throw new RequestError('RATE_LIMITED', 'too many join attempts from this address; try again later', { closeAfter: true });
  }

  async #join(conn: Connection, data: { token: string; e2ee: boolean }): Promise<ResponseData<'session.join'>> {
    this.#throttled(conn, 1);
    let claims: JoinTokenClaims;
    try {
      claims = await this.#o.verifyToken(data.token);
    } catch (error) {
      const internal = (error as { internalReason?: unknown }).internalReason;
      const reason = typeof internal === 'string' && /^[a-z-]{1,32}$/.test(internal) ? internal : 'unknown';
      this.#o.logger.info('token.rejected', { conn: conn.id, reason });
      this.#auditRejection(conn, reason);
      // A failure costs one more from the address's allowance.
      this.#takeJoin(conn, 1);
      throw new RequestError('INVALID_TOKEN', 'The join token is not valid.', { closeAfter: true });
    }
    if (this.#o.admitQuota && !this.#o.admitQuota(claims.sid, claims.pid)) {
      this.#o.logger.info('tenant.participantQuota', { conn: conn.id, sessionId: claims.sid });
      throw new RequestError('SESSION_FULL', "the tenant's participant quota is reached", { closeAfter: true });
    }
    if (conn.closed) throw new RequestError('INVALID_STATE', 'connection closed', { closeAfter: true });
    const room = await this.#o.rooms.open(claims.sid);
    if (conn.closed) throw new RequestError('INVALID_STATE', 'connection closed', { closeAfter: true });
    const { participant, result } = room.join(conn, claims, data.e2ee);
    this.#attach(conn, room, participant);
    this.#o.logger.info('participant.joined', { conn: conn.id, sessionId: room.sessionId, role: participant.role, state: result.state });
    return result;
  }

  async #resume(conn: Connection, ticket: string): Promise<ResponseData<'session.resume'>> {
    this.#throttled(conn, 1);
    const rejected = (): RequestError => {
      this.#o.logger.info('ticket.rejected', { conn: conn.id });
      this.#takeJoin(conn, 1);
      return new RequestError('INVALID_TOKEN', 'The join token is not valid.', { closeAfter: true });
    };
    const tickets = this.#o.tickets;
    // Look first, consume only once the resume may go ahead (a refused resume leaves the ticket to its owner).
    const seen = tickets.peek ? tickets.peek(ticket) : tickets.redeem(ticket);
    let room = seen ? this.#o.rooms.get(seen.sessionId) : undefined;
    if (!seen || !room || room.ended) throw rejected();
    const current = room.participant(seen.participantId)?.connection;
    if (current && current !== conn && tickets.peek) {
      const alive = current instanceof Connection ? await current.probeAlive(this.#o.resumeProbeMs ?? 3000) : true;
      if (alive) {
        this.#o.logger.info('ticket.ownerConnected', { conn: conn.id, sessionId: seen.sessionId });
        this.#o.events.audit({
          type: 'participant.resumeRefused',
          sessionId: seen.sessionId,
          participantId: seen.participantId,
          actor: 'participant',
          reason: 'owner-connected',
        });
        throw new RequestError('INVALID_STATE', 'the participant is still connected on another socket', { closeAfter: true });
      }
      this.#o.logger.info('ticket.ownerGone', { conn: conn.id, sessionId: seen.sessionId });
    }
    const holder = tickets.peek ? tickets.redeem(ticket) : seen;
    room = holder ? this.#o.rooms.get(holder.sessionId) : undefined;
    if (!holder || !room || room.ended || conn.closed) throw rejected();
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

/** The source address of a socket (an IPv4-mapped IPv6 address as plain IPv4). */
function normalizeAddress(address: string | undefined): string {
  if (!address) return 'unknown';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

/** The key per-address limits count under: the address itself, or for IPv6 its /64 prefix. */
export function limitKey(address: string): string {
  if (isIP(address) !== 6) return address;
  const [head = '', tail = ''] = address.toLowerCase().split('%')[0]?.split('::') ?? [];
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  if (right.some((x) => x.includes('.'))) return address; // an embedded IPv4 form: keep as is
  const full = address.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${full
    .slice(0, 4)
    .map((x) => Number.parseInt(x || '0', 16).toString(16))
    .join(':')}::/64`;
}
