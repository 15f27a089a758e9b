/**
 * A Node WebSocket client for tests: records every frame it receives, sends requests and awaits
 * their responses, waits for notifications.
 * Exported by `@alcove/server/testing`.
 */
import WebSocket from 'ws';
import { parseServerMessage, type RequestData, type RequestMethod, type ResponseData } from '@alcove/protocol';

/** A response as received. */
export type TestResponse<M extends RequestMethod = RequestMethod> =
  | { id: number; ok: true; data: ResponseData<M> }
  | { id: number; ok: false; error: { code: string; message: string } };

/** A received frame, parsed. */
export type Frame = { id?: number; ok?: boolean; method?: string; data?: any; error?: { code: string; message: string } };

/** See the file header. */
export class TestClient {
  readonly ws: WebSocket;
  /** Every frame received, in order. */
  readonly frames: Frame[] = [];
  /** Raw text of every frame received. */
  readonly raw: string[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  #nextId = 1;
  readonly #pending = new Map<number, (r: TestResponse) => void>();
  readonly #waiters = new Set<{ test: (f: Frame) => boolean; resolve: (f: Frame) => void }>();
  closeInfo: { code: number; reason: string } | undefined;
  /** Frames that do not match the protocol's server-message schemas (should stay empty). */
  readonly schemaErrors: string[] = [];
  readonly #methods = new Map<number, RequestMethod>();

  private constructor(ws: WebSocket) {
    this.ws = ws;
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() };
        resolve(this.closeInfo);
      });
    });
    ws.on('message', (data) => {
      const text = data.toString();
      this.raw.push(text);
      let frame: Frame;
      try {
        frame = JSON.parse(text) as Frame;
      } catch {
        return;
      }
      this.frames.push(frame);
      const checked = parseServerMessage(text, { methodOf: (id) => this.#methods.get(id) });
      if (!checked.ok) this.schemaErrors.push(`${checked.error.code} ${checked.error.message}`);
      else if (frame.id !== undefined && frame.ok !== undefined) this.#methods.delete(frame.id);
      if (frame.id !== undefined && frame.ok !== undefined) {
        const done = this.#pending.get(frame.id);
        if (done) {
          this.#pending.delete(frame.id);
          done(frame as TestResponse);
        }
      }
      for (const w of [...this.#waiters]) {
        if (w.test(frame)) {
          this.#waiters.delete(w);
          w.resolve(frame);
        }
      }
    });
    ws.on('error', () => {});
  }

  /**
   * Opens a socket (rejects when the upgrade is refused). `localAddress` binds the client's end,
   * e.g. `127.0.0.2` to come from another loopback source address.
   */
  static connect(url: string, options: { origin?: string; localAddress?: string } = {}): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, {
        ...(options.origin ? { origin: options.origin } : {}),
        ...(options.localAddress ? { localAddress: options.localAddress } : {}),
      });
      const client = new TestClient(ws);
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  /** Sends a request and resolves with its response. */
  request<M extends RequestMethod>(method: M, data: RequestData<M> | unknown, timeoutMs = 10_000): Promise<TestResponse<M>> {
    const id = this.#nextId++;
    this.#methods.set(id, method);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`no response to ${method} #${id}`));
      }, timeoutMs);
      this.#pending.set(id, (r) => {
        clearTimeout(timer);
        resolve(r as TestResponse<M>);
      });
      this.ws.send(JSON.stringify({ v: 1, id, method, data }));
    });
  }

  /** Sends a request and resolves with its `data`; rejects with the error code otherwise. */
  async call<M extends RequestMethod>(method: M, data: RequestData<M>): Promise<ResponseData<M>> {
    const r = await this.request(method, data);
    if (!r.ok) throw Object.assign(new Error(`${method}: ${r.error.code}`), { code: r.error.code });
    return r.data;
  }

  /** Sends raw text. */
  send(text: string | Buffer): void {
    this.ws.send(text);
  }

  /** Waits for a notification of `method` (already received ones count when `past` is true). */
  waitFor(method: string, predicate: (data: any) => boolean = () => true, timeoutMs = 10_000, past = true): Promise<any> {
    if (past) {
      const seen = this.frames.find((f) => f.method === method && predicate(f.data));
      if (seen) return Promise.resolve(seen.data);
    }
    return new Promise((resolve, reject) => {
      const w = {
        test: (f: Frame) => f.method === method && predicate(f.data),
        resolve: (f: Frame) => {
          clearTimeout(timer);
          resolve(f.data);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(w);
        reject(new Error(`no ${method} notification`));
      }, timeoutMs);
      this.#waiters.add(w);
    });
  }

  /** Notifications received so far. */
  notifications(method?: string): Frame[] {
    return this.frames.filter((f) => f.method !== undefined && (method === undefined || f.method === method));
  }

  /** Closes the socket and waits for it. */
  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close();
    await this.closed;
  }

  /** Cuts the socket without a close handshake. */
  drop(): void {
    this.ws.terminate();
  }
}
