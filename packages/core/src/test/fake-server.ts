import type { NotificationData, NotificationMethod, RequestData, RequestMethod, ResponseData } from '@alcove/protocol';
import type { WebSocketLike } from '../platform/platform.js';

/** A handler's answer: data, or an error `{ code }` to send back. */
export type FakeReply<M extends RequestMethod> =
  | ResponseData<M>
  | { readonly error: string }
  | Promise<ResponseData<M> | { readonly error: string }>
  | 'no-reply';

type AnyHandler = (data: unknown, conn: FakeConnection) => unknown;

/** One client connection as the fake server sees it. */
export class FakeConnection {
  readonly server: FakeServer;
  readonly socket: FakeWebSocket;
  /** Requests received, in order. */
  readonly received: { method: string; data: unknown; id: number }[] = [];
  /** When true, requests are swallowed (simulates a silent, half-open link). */
  silent = false;
  closed = false;

  constructor(server: FakeServer, socket: FakeWebSocket) {
    this.server = server;
    this.socket = socket;
  }

  /** Sends a notification to this client. */
  notify<M extends NotificationMethod>(method: M, data: NotificationData<M>): void {
    this.socket.deliver(JSON.stringify({ v: 1, method, data }));
  }

  /** Closes the socket from the server side (the client sees `onclose`). */
  drop(code = 1006): void {
    this.socket.serverClose(code);
  }
}

/**
 * The client side of a fake socket. Messages are delivered in microtasks so fake timers need not
 * advance for them.
 */
export class FakeWebSocket implements WebSocketLike {
  readyState = 0;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason?: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  connection!: FakeConnection;
  readonly url: string;

  constructor(url: string) {
    this.url = url;
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('socket not open');
    const conn = this.connection;
    queueMicrotask(() => conn.server.onMessage(conn, data));
  }

  close(): void {
    if (this.readyState >= 2) return;
    this.readyState = 3;
    this.connection.closed = true;
  }

  /** Server → client message. */
  deliver(text: string): void {
    if (this.readyState !== 1) return;
    queueMicrotask(() => {
      if (this.readyState === 1) this.onmessage?.({ data: text });
    });
  }

  serverClose(code: number): void {
    if (this.readyState >= 2) return;
    this.readyState = 3;
    this.connection.closed = true;
    queueMicrotask(() => this.onclose?.({ code }));
  }
}

/**
 * A scripted signalling peer: register a handler per method (`handle`), push notifications, drop
 * or silence connections. Unhandled methods answer `{}`.
 * @example
 * const server = new FakeServer();
 * server.handle('session.join', () => joinedResult());
 */
export class FakeServer {
  readonly connections: FakeConnection[] = [];
  readonly #handlers = new Map<string, AnyHandler>();
  /** When false, new sockets fail to open (network down). */
  reachable = true;

  handle<M extends RequestMethod>(method: M, handler: (data: RequestData<M>, conn: FakeConnection) => FakeReply<M>): this {
    this.#handlers.set(method, handler as AnyHandler);
    return this;
  }

  /** The latest connection. */
  get last(): FakeConnection {
    const c = this.connections.at(-1);
    if (!c) throw new Error('no connection yet');
    return c;
  }

  /** Requests of `method` over all connections. */
  requests(method: RequestMethod): unknown[] {
    return this.connections.flatMap((c) => c.received.filter((r) => r.method === method).map((r) => r.data));
  }

  /** Used by the fake platform's `createWebSocket`. */
  open(url: string): FakeWebSocket {
    const ws = new FakeWebSocket(url);
    const conn = new FakeConnection(this, ws);
    ws.connection = conn;
    this.connections.push(conn);
    const reachable = this.reachable;
    queueMicrotask(() => {
      if (ws.readyState !== 0) return;
      if (reachable) {
        ws.readyState = 1;
        ws.onopen?.({});
      } else {
        ws.readyState = 3;
        conn.closed = true;
        ws.onerror?.({});
        ws.onclose?.({ code: 1006 });
      }
    });
    return ws;
  }

  async onMessage(conn: FakeConnection, text: string): Promise<void> {
    if (conn.closed || conn.silent) return;
    const msg = JSON.parse(text) as { id: number; method: string; data: unknown };
    conn.received.push({ method: msg.method, data: msg.data, id: msg.id });
    const handler = this.#handlers.get(msg.method);
    const reply = handler ? await handler(msg.data, conn) : {};
    if (reply === 'no-reply' || conn.closed || conn.silent) return;
    if (reply && typeof reply === 'object' && 'error' in reply && typeof (reply as { error: unknown }).error === 'string') {
      conn.socket.deliver(JSON.stringify({ id: msg.id, ok: false, error: { code: (reply as { error: string }).error, message: 'fake' } }));
    } else {
      conn.socket.deliver(JSON.stringify({ id: msg.id, ok: true, data: reply }));
    }
  }
}
