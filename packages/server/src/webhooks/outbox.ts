/**
 * A small durable outbox for webhook deliveries, so that "at least once" holds across a crash or a
 * restart: an event is written (fdatasync'd) before delivery starts and marked done when every
 * endpoint has it (or was given up on); on open, unfinished deliveries are handed back for replay
 * with their original id and body.
 * @packageDocumentation
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

/** One unfinished delivery found on open. */
export interface OutboxEntry {
  readonly id: string;
  readonly type: string;
  readonly body: string;
  /** Endpoint URLs that still need it. */
  readonly urls: readonly string[];
}

interface AddLine {
  op: 'add';
  id: string;
  type: string;
  body: string;
  urls: string[];
}
interface DoneLine {
  op: 'done';
  id: string;
  url: string;
}

/**
 * The outbox file: JSON lines `{"op":"add",…}` / `{"op":"done",…}`, mode 0600. Compacted on open and
 * whenever nothing is pending.
 */
export class WebhookOutbox {
  readonly #fh: FileHandle;
  readonly #open = new Map<string, Set<string>>();
  #queue: Array<string | 'truncate'> = [];
  #draining: Promise<void> | undefined;
  #closed = false;
  readonly #onError: (error: unknown) => void;

  private constructor(fh: FileHandle, onError: (error: unknown) => void) {
    this.#fh = fh;
    this.#onError = onError;
  }

  /** Opens (creating) the outbox; returns it with the deliveries left unfinished last time. */
  static async open(
    file: string,
    onError: (error: unknown) => void = () => {},
  ): Promise<{ outbox: WebhookOutbox; pending: OutboxEntry[] }> {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const adds = new Map<string, AddLine>();
    const remaining = new Map<string, Set<string>>();
    for (const line of text.split('\n')) {
      if (!line) continue;
      let rec: AddLine | DoneLine;
      try {
        rec = JSON.parse(line) as AddLine | DoneLine;
      } catch {
        continue; // a torn last line: that event was never handed to the network
      }
      if (rec.op === 'add' && typeof rec.id === 'string' && typeof rec.body === 'string' && Array.isArray(rec.urls)) {
        adds.set(rec.id, rec);
        remaining.set(rec.id, new Set(rec.urls));
      } else if (rec.op === 'done') {
        remaining.get(rec.id)?.delete(rec.url);
      }
    }
    const pending: OutboxEntry[] = [];
    for (const [id, urls] of remaining) {
      const add = adds.get(id) as AddLine;
      if (urls.size > 0) pending.push({ id, type: add.type, body: add.body, urls: [...urls] });
    }
    // Compact: rewrite with only what is still pending, atomically.
    const tmp = `${file}.tmp`;
    writeFileSync(
      tmp,
      pending.map((p) => `${JSON.stringify({ op: 'add', id: p.id, type: p.type, body: p.body, urls: p.urls })}\n`).join(''),
      { mode: 0o600, flush: true },
    );
    renameSync(tmp, file);
    const outbox = new WebhookOutbox(await open(file, 'a', 0o600), onError);
    for (const p of pending) outbox.#open.set(p.id, new Set(p.urls));
    return { outbox, pending };
  }

  /** Records a new event to deliver to `urls`. */
  add(id: string, type: string, body: string, urls: readonly string[]): void {
    if (this.#closed || urls.length === 0) return;
    this.#open.set(id, new Set(urls));
    this.#write(JSON.stringify({ op: 'add', id, type, body, urls }));
  }

  /** Records that `url` has the event (or was given up on). */
  done(id: string, url: string): void {
    const urls = this.#open.get(id);
    if (this.#closed || !urls?.delete(url)) return;
    this.#write(JSON.stringify({ op: 'done', id, url }));
    if (urls.size === 0) this.#open.delete(id);
    if (this.#open.size === 0) this.#enqueue('truncate');
  }

  /** Unfinished deliveries. */
  get size(): number {
    return this.#open.size;
  }

  /** Waits for pending writes. */
  async flush(): Promise<void> {
    while (this.#draining) await this.#draining;
  }

  /** Flushes and closes the file (what is unfinished stays for the next open). Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    await this.flush();
    this.#closed = true;
    await this.#fh.close();
  }

  #write(line: string): void {
    this.#enqueue(`${line}\n`);
  }

  #enqueue(item: string | 'truncate'): void {
    this.#queue.push(item);
    this.#draining ??= this.#drain();
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const items = this.#queue;
        this.#queue = [];
        let text = '';
        for (const item of items) {
          if (item === 'truncate') {
            if (text) await this.#fh.appendFile(text);
            text = '';
            if (this.#open.size === 0) await this.#fh.truncate(0);
          } else {
            text += item;
          }
        }
        if (text) await this.#fh.appendFile(text);
        await this.#fh.datasync();
      }
    } catch (error) {
      this.#onError(error);
    } finally {
      this.#draining = undefined;
    }
  }
}
