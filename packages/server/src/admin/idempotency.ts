/**
 * The admin API's `Idempotency-Key` records: (tenant, key) → (request fingerprint, first answer).
 * With a file (in the data folder) every record is appended as one JSON line and fsync'd before the
 * answer is sent, so a retry after a restart gets the first answer instead of a second session. The
 * file is rewritten (atomically) without expired or dropped records when it has grown to twice
 * what it holds. Records expire after a TTL (default 24 h) and at most `maxEntries` are kept (the
 * oldest are forgotten first). The raw key is never stored: records are keyed by
 * SHA-256(tenant, key), so two tenants' keys never meet.
 * @packageDocumentation
 */
import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, ftruncateSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/** File name of the idempotency records in the data folder. */
export const IDEMPOTENCY_FILE = 'idempotency.journal';
/** Default time a record is kept, ms (24 hours). */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** Default most records kept. */
export const MAX_IDEMPOTENCY_RECORDS = 10_000;

/** One remembered answer. */
export interface IdempotencyRecord {
  /** SHA-256 of the canonical request (operation and body). */
  readonly fingerprint: string;
  /** Unix ms when the first answer was given. */
  readonly at: number;
  /** HTTP status of the first answer. */
  readonly status: number;
  /** JSON body of the first answer. */
  readonly body: unknown;
}

/** What {@link IdempotencyStore.lookup} finds. */
export type IdempotencyLookup =
  | { readonly kind: 'new'; readonly id: string }
  | { readonly kind: 'replay'; readonly record: IdempotencyRecord }
  | { readonly kind: 'conflict' };

/** Options of {@link IdempotencyStore}. */
export interface IdempotencyStoreOptions {
  /** Journal file (one fsync'd JSON line per record). Without it, records are in memory only. */
  readonly file?: string;
  /** How long a record is kept, ms. Default 24 hours. */
  readonly ttlMs?: number;
  /** Most records kept; the oldest are forgotten first. Default 10 000. */
  readonly maxEntries?: number;
  /** Clock in ms. Default `Date.now`. */
  readonly now?: () => number;
}

interface Line {
  /** SHA-256(tenant, key), base64url. */
  readonly k: string;
  readonly f: string;
  readonly at: number;
  readonly s: number;
  readonly b: unknown;
}

/** See the file header. */
export class IdempotencyStore {
  readonly #file: string | undefined;
  readonly #ttl: number;
  readonly #max: number;
  readonly #now: () => number;
  /** Insertion order is age order (records are only ever added with the current time). */
  readonly #records = new Map<string, IdempotencyRecord>();
  #fd: number | undefined;
  /** Lines in the file. */
  #lines = 0;

  /** @throws when `file` exists but is not an idempotency journal (the server refuses to forget answers). */
  constructor(options: IdempotencyStoreOptions = {}) {
    this.#file = options.file;
    this.#ttl = options.ttlMs ?? IDEMPOTENCY_TTL_MS;
    this.#max = options.maxEntries ?? MAX_IDEMPOTENCY_RECORDS;
    this.#now = options.now ?? Date.now;
    if (!(this.#ttl > 0) || !Number.isSafeInteger(this.#max) || this.#max < 1)
      throw new TypeError('ttlMs must be positive and maxEntries a positive integer.');
    if (this.#file) this.#load(this.#file);
  }

  /** Records currently remembered (expired ones not counted once pruned). */
  get size(): number {
    this.#prune();
    return this.#records.size;
  }

  /**
   * Looks `key` up for `tenant`: `new` (with the record id to {@link IdempotencyStore.remember} the
   * answer under), `replay` (same request: the first answer) or `conflict` (another request).
   */
  lookup(tenant: string, key: string, fingerprint: string): IdempotencyLookup {
    const id = createHash('sha256').update(`${tenant.length}:${tenant}\n${key}`).digest('base64url');
    const hit = this.#records.get(id);
    if (hit && this.#now() - hit.at < this.#ttl) {
      return hit.fingerprint === fingerprint ? { kind: 'replay', record: hit } : { kind: 'conflict' };
    }
    return { kind: 'new', id };
  }

  /** Remembers the first answer; on disk (fsync'd) before it returns when there is a file. */
  remember(id: string, fingerprint: string, status: number, body: unknown): void {
    const record: IdempotencyRecord = { fingerprint, at: this.#now(), status, body };
    this.#records.delete(id);
    this.#records.set(id, record);
    this.#prune();
    if (!this.#file) return;
    const line: Line = { k: id, f: fingerprint, at: record.at, s: status, b: body };
    this.#fd ??= openSync(this.#file, 'a', 0o600);
    writeSync(this.#fd, `${JSON.stringify(line)}\n`);
    fsyncSync(this.#fd);
    this.#lines++;
    if (this.#lines >= 64 && this.#lines >= 2 * this.#records.size) this.#compact();
  }

  /** Closes the file (records stay readable in memory). */
  close(): void {
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }

  /** Drops expired records, then the oldest beyond the cap. */
  #prune(): void {
    const t = this.#now();
    // Not a break at the first live record: a clock step back can leave an old one after a newer one.
    for (const [k, r] of this.#records) if (t - r.at >= this.#ttl) this.#records.delete(k);
    while (this.#records.size > this.#max) this.#records.delete(this.#records.keys().next().value as string);
  }

  /** Rewrites the file with what is remembered (temporary file, fsync, rename, directory fsync). */
  #compact(): void {
    const file = this.#file as string;
    const text = [...this.#records]
      .map(([k, r]) => `${JSON.stringify({ k, f: r.fingerprint, at: r.at, s: r.status, b: r.body } satisfies Line)}\n`)
      .join('');
    const tmp = `${file}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.close();
    renameSync(tmp, file);
    syncDir(dirname(file));
    this.#lines = this.#records.size;
  }

  #load(file: string): void {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    const lines = text.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const raw = lines[i] as string;
      if (!raw) continue;
      let line: Line;
      try {
        line = JSON.parse(raw) as Line;
      } catch (error) {
        if (i !== lines.length - 1) throw new Error(`${file} is not an idempotency journal (line ${i + 1}).`, { cause: error });
        // A torn last line (a crash mid-write, never acknowledged): cut it off.
        const fd = openSync(file, 'r+');
        try {
          ftruncateSync(fd, Buffer.byteLength(text, 'utf8') - Buffer.byteLength(raw, 'utf8'));
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
        break;
      }
      if (
        typeof line !== 'object' ||
        line === null ||
        typeof line.k !== 'string' ||
        typeof line.f !== 'string' ||
        !Number.isSafeInteger(line.at) ||
        !Number.isSafeInteger(line.s)
      )
        throw new Error(`${file} is not an idempotency journal (line ${i + 1}).`);
      this.#records.delete(line.k);
      this.#records.set(line.k, { fingerprint: line.f, at: line.at, status: line.s, body: line.b });
      this.#lines++;
    }
    this.#prune();
  }
}

function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic.
  }
}
