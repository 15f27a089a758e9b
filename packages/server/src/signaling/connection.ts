/**
 * One signalling WebSocket: parsing and validation of every message, the rate limit, the
 * unauthenticated deadline, heartbeats, a serial request queue, and typed error answers.
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import type { WebSocket } from 'ws';
import { errorResponse, okResponse, parseClientMessage, type ClientMessage, type ErrorCode, type ServerMessage } from '@alcove/protocol';
import type { Logger } from '../logger.js';
import type { Participant, RoomConnection } from '../rooms/participant.js';
import type { Room } from '../rooms/room.js';
import { TokenBucket, type RateLimitOptions } from './rate-limiter.js';
import { RequestError } from './request-error.js';

/** WebSocket close codes used by connections. */
export const WS_CLOSE = { normal: 1000, goingAway: 1001, unsupportedData: 1003, policy: 1008, tooBig: 1009, internal: 1011 } as const;

/** Settings of a connection. */
export interface ConnectionOptions {
  readonly maxBytes: number;
  readonly rateLimit: RateLimitOptions;
  /** An unauthenticated socket is closed after this long. */
  readonly authTimeoutMs: number;
  /** Ping interval; a peer silent for 3 intervals is dropped. */
  readonly heartbeatMs: number;
  /** Most requests queued on one connection. */
  readonly maxQueued: number;
  /** Most bytes buffered for a slow reader before the connection is dropped. */
  readonly maxBufferedBytes: number;
  readonly logger: Logger;
}

/** Handles a parsed request; resolves to the response `data` or throws {@link RequestError}. */
export type RequestHandler = (conn: Connection, message: ClientMessage) => Promise<unknown>;

/** See the file header. */
export class Connection implements RoomConnection {
  readonly id = randomBytes(6).toString('base64url');
  /** When the socket opened (`performance.now()`). */
  readonly openedAt = performance.now();
  readonly #ws: WebSocket;
  readonly #o: ConnectionOptions;
  readonly #handle: RequestHandler;
  readonly #bucket: TokenBucket;
  #queue: Promise<void> = Promise.resolve();
  #queued = 0;
  #authTimer: NodeJS.Timeout | undefined;
  #heartbeat: NodeJS.Timeout | undefined;
  #lastSeen = Date.now();
  #closed = false;
  #joining = false;
  #closeAfterResponse = false;
  #room: Room | undefined;
  #participant: Participant | undefined;
  /** Called once when the socket closes. */
  onClosed: ((conn: Connection) => void) | undefined;

  constructor(ws: WebSocket, options: ConnectionOptions, handle: RequestHandler) {
    this.#ws = ws;
    this.#o = options;
    this.#handle = handle;
    this.#bucket = new TokenBucket(options.rateLimit);
    this.#authTimer = setTimeout(() => this.close(WS_CLOSE.policy, 'join timeout'), options.authTimeoutMs);
    this.#heartbeat = setInterval(() => this.#beat(), options.heartbeatMs);
    ws.on('message', (data, isBinary) => this.#onMessage(data as Buffer, isBinary));
    ws.on('pong', () => {
      this.#lastSeen = Date.now();
    });
    ws.on('close', () => this.#onClose());
    ws.on('error', () => {
      // 'close' follows; a payload over maxPayload lands here and ws closes with 1009.
    });
  }

  /** Whether a participant is bound to this connection. */
  get authenticated(): boolean {
    return this.#participant !== undefined;
  }

  /** Whether the socket is closed or closing. */
  get closed(): boolean {
    return this.#closed;
  }

  /** The room and participant once joined. */
  get binding(): { room: Room; participant: Participant } | undefined {
    return this.#room && this.#participant ? { room: this.#room, participant: this.#participant } : undefined;
  }

  /** Binds the joined participant (after `session.join` / `session.resume`). */
  bind(room: Room, participant: Participant): void {
    this.#room = room;
    this.#participant = participant;
    if (this.#authTimer) clearTimeout(this.#authTimer);
    this.#authTimer = undefined;
  }

  /** Asks the connection to close once the current response is sent. */
  closeAfterResponse(): void {
    this.#closeAfterResponse = true;
  }

  send(message: ServerMessage): void {
    if (this.#ws.readyState !== this.#ws.OPEN) return;
    if (this.#ws.bufferedAmount > this.#o.maxBufferedBytes) {
      this.#o.logger.warn('ws.slowReader', { conn: this.id });
      this.#terminate();
      return;
    }
    this.#ws.send(JSON.stringify(message));
  }

  /**
   * Closes the connection. The close frame goes out on the next turn of the event loop, so a
   * response or notification sent in the same turn still reaches the peer first.
   */
  close(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopTimers();
    setImmediate(() => {
      try {
        this.#ws.close(code, reason);
      } catch {
        this.#ws.terminate();
      }
      // A peer that never completes the closing handshake is cut off.
      setTimeout(() => this.#ws.terminate(), 2000).unref();
    });
  }

  /**
   * Whether the peer still answers: sends a ping with a random payload and resolves true when the
   * matching pong arrives within `timeoutMs` on a socket that is still open (no close frame
   * received), false otherwise (the socket is then presumed dead).
   */
  probeAlive(timeoutMs: number): Promise<boolean> {
    if (this.#closed || this.#ws.readyState !== this.#ws.OPEN) return Promise.resolve(false);
    const nonce = randomBytes(8);
    return new Promise((resolve) => {
      const onPong = (data: Buffer): void => {
        if (!nonce.equals(data)) return;
        // A peer that already sent its close frame is leaving, even if it still answers.
        done(this.#ws.readyState === this.#ws.OPEN && !this.#closed);
      };
      const onClose = (): void => done(false);
      const timer = setTimeout(() => done(false), timeoutMs);
      const done = (alive: boolean): void => {
        clearTimeout(timer);
        this.#ws.off('pong', onPong);
        this.#ws.off('close', onClose);
        resolve(alive);
      };
      this.#ws.on('pong', onPong);
      this.#ws.on('close', onClose);
      try {
        this.#ws.ping(nonce);
      } catch {
        done(false);
      }
    });
  }

  /** Cuts the socket without a close handshake (fault hooks, slow readers). */
  drop(): void {
    this.#terminate();
  }

  #terminate(): void {
    this.#closed = true;
    this.#stopTimers();
    this.#ws.terminate();
  }

  #stopTimers(): void {
    if (this.#authTimer) clearTimeout(this.#authTimer);
    if (this.#heartbeat) clearInterval(this.#heartbeat);
    this.#authTimer = undefined;
    this.#heartbeat = undefined;
  }

  #beat(): void {
    if (Date.now() - this.#lastSeen > this.#o.heartbeatMs * 3) {
      this.#o.logger.info('ws.heartbeatTimeout', { conn: this.id });
      this.#terminate();
      return;
    }
    try {
      this.#ws.ping();
    } catch {
      // closing
    }
  }

  #onClose(): void {
    this.#closed = true;
    this.#stopTimers();
    const cb = this.onClosed;
    this.onClosed = undefined;
    cb?.(this);
  }

  #onMessage(data: Buffer, isBinary: boolean): void {
    if (this.#closed) return;
    this.#lastSeen = Date.now();
    if (isBinary) {
      // The protocol is JSON in text frames; a binary frame is never parsed.
      this.#error(0, 'INVALID_MESSAGE', 'binary frames are not accepted: send each message as JSON in a text frame');
      this.close(WS_CLOSE.unsupportedData, 'binary frames are not accepted');
      return;
    }
    const parsed = parseClientMessage(data.toString('utf8'), { maxBytes: this.#o.maxBytes });
    const id = parsed.ok ? parsed.message.id : (parsed.error.id ?? 0);
    const verdict = this.#bucket.take();
    if (verdict !== 'ok') {
      this.#error(id, 'RATE_LIMITED', 'too many messages');
      if (verdict === 'close' || !this.authenticated) this.close(WS_CLOSE.policy, 'rate limit');
      return;
    }
    if (!parsed.ok) {
      this.#error(id, parsed.error.code, parsed.error.message);
      if (parsed.error.code === 'MESSAGE_TOO_LARGE') this.close(WS_CLOSE.tooBig, 'message too large');
      else if (!this.authenticated) this.close(WS_CLOSE.policy, 'invalid message');
      return;
    }
    const message = parsed.message;
    if (!this.authenticated) {
      if (message.method !== 'session.join' && message.method !== 'session.resume') {
        this.#error(id, 'UNAUTHENTICATED', 'join first');
        this.close(WS_CLOSE.policy, 'unauthenticated');
        return;
      }
      if (this.#joining) {
        this.#error(id, 'INVALID_STATE', 'a join is in progress');
        return;
      }
      this.#joining = true;
    }
    if (this.#queued >= this.#o.maxQueued) {
      this.#error(id, 'RATE_LIMITED', 'too many pending requests');
      return;
    }
    this.#queued++;
    this.#queue = this.#queue
      .then(() => this.#run(message))
      .finally(() => {
        this.#queued--;
      });
  }

  async #run(message: ClientMessage): Promise<void> {
    if (this.#closed) return;
    try {
      const data = await this.#handle(this, message);
      this.send(okResponse(message.id, data as never));
      if (this.#closeAfterResponse) this.close(WS_CLOSE.normal, 'left');
    } catch (error) {
      if (error instanceof RequestError) {
        this.#error(message.id, error.code, error.message);
        if (error.closeAfter || !this.authenticated) this.close(WS_CLOSE.policy, error.code.toLowerCase());
      } else {
        this.#o.logger.error('ws.handlerFailed', {
          conn: this.id,
          method: message.method,
          error: error instanceof Error ? error.name : 'unknown',
        });
        this.#error(message.id, 'INTERNAL_ERROR', 'the server failed to handle the request');
        if (!this.authenticated) this.close(WS_CLOSE.internal, 'internal error');
      }
    } finally {
      if (!this.authenticated) this.#joining = false;
    }
  }

  #error(id: number, code: ErrorCode, message: string): void {
    this.send(errorResponse(id, code, message));
  }
}
