/**
 * The append-only, hash-chained, fsync'd audit trail (ARCHITECTURE §9).
 * @packageDocumentation
 */
import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { open, rename, writeFile, type FileHandle } from 'node:fs/promises';
import { isIP } from 'node:net';
import { dirname } from 'node:path';
import { ROLES } from '@alcove/protocol';
import { AuditError } from './errors.js';
import { GENESIS_HASH, canonicalRecord, recordHash } from './canonical.js';
import { auditMac, headFileOf, verifyAuditFile } from './verify.js';
import { AUDIT_ENTRY_TYPES, type AuditEntry, type AuditRecord } from './types.js';

/** Options of {@link AuditLog.open}. */
export interface AuditLogOptions {
  /** Per-deployment key (≥ 32 bytes) for participant pseudonyms. See {@link loadOrCreateAuditKey}. */
  readonly pseudonymKey: Uint8Array;
  /** Clock in ms. Default `Date.now`. */
  readonly now?: () => number;
  /**
   * On open, move a partial last line (a write torn by a crash) to `<file>.torn-<ms>`, cut it off and
   * append an `audit.recovered` entry — only when every line before it verifies and the head file
   * does not record it. Default true; false refuses to open instead.
   */
  readonly recoverTornTail?: boolean;
  /** Called when a background write fails (the log then refuses further appends). */
  readonly onError?: (error: AuditError) => void;
}

const TYPES = new Set<string>(AUDIT_ENTRY_TYPES);
const ROLE_SET = new Set<string>(ROLES);
const ACTORS = new Set(['host', 'admin', 'system', 'participant']);
const ID_RE = /^[A-Za-z0-9_-]{1,64}$/;
const CODE_RE = /^[A-Za-z0-9_.:-]{0,64}$/;
const DETAIL_KEY_RE = /^[A-Za-z][A-Za-z0-9_-]{0,31}$/;
const ENTRY_KEYS = new Set(['type', 'sessionId', 'participantId', 'actorId', 'actor', 'role', 'reason', 'detail']);

/** A short code: `^[A-Za-z0-9_.:-]{0,64}$`, and not an IP address or anything JWT-shaped. */
const isCode = (v: unknown): v is string =>
  typeof v === 'string' && CODE_RE.test(v) && isIP(v) === 0 && !/^eyJ/.test(v) && !/^[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\./.test(v);

const invalid = (message: string): never => {
  throw new AuditError('AUDIT_INVALID_ENTRY', message);
};

/**
 * The audit log. Lines are computed (sequence, time, chain hash) synchronously in `append` order and
 * written in batches, each batch `write` + `fdatasync`'d, then the head file (`<file>.head`: last
 * sequence number and hash, with their HMAC under the deployment's key) is replaced atomically so
 * truncation is detectable. Each open appends a keyed checkpoint (`audit.anchored`) that declares
 * the head: a log cut short whose head file was deleted too is refused, and so is a head or a chain
 * rewritten without the key. Use {@link AuditLog.flush} to wait until everything appended is on disk.
 * @example
 * ```ts
 * const audit = await AuditLog.open('/var/lib/alcove/audit.log', { pseudonymKey: loadOrCreateAuditKey(dir) });
 * audit.append({ type: 'participant.admitted', sessionId, participantId, actor: 'host', actorId: hostId });
 * await audit.close();
 * ```
 */
export class AuditLog {
  readonly #file: string;
  readonly #fh: FileHandle;
  readonly #key: Uint8Array;
  readonly #now: () => number;
  readonly #onError: ((error: AuditError) => void) | undefined;
  #seq: number;
  #prev: string;
  #queue: string[] = [];
  #queueLastSeq = 0;
  #queueLastHash = GENESIS_HASH;
  #draining: Promise<void> | undefined;
  #failure: AuditError | undefined;
  #closed = false;

  private constructor(file: string, fh: FileHandle, options: AuditLogOptions, seq: number, prev: string) {
    this.#file = file;
    this.#fh = fh;
    this.#key = options.pseudonymKey;
    this.#now = options.now ?? Date.now;
    this.#onError = options.onError;
    this.#seq = seq;
    this.#prev = prev;
  }

  /**
   * Opens (or creates, mode 0600) the audit file and verifies the chain already in it, so new entries
   * continue it.
   * @throws {@link AuditError} `AUDIT_CORRUPT` when the existing file does not verify, including a
   *   head-file mismatch (the server refuses to write onto a broken chain; investigate and move the
   *   file aside). A torn last line is recovered instead (see {@link AuditLogOptions.recoverTornTail}).
   */
  static async open(filePath: string, options: AuditLogOptions): Promise<AuditLog> {
    if (!(options.pseudonymKey instanceof Uint8Array) || options.pseudonymKey.byteLength < 32) {
      throw new AuditError('AUDIT_INVALID_ENTRY', 'The audit pseudonym key must be at least 32 bytes.');
    }
    mkdirSync(dirname(filePath), { recursive: true, mode: 0o700 });
    const fh = await open(filePath, 'a+', 0o600);
    try {
      let tornBytes = 0;
      const tail = await lastLineStart(fh);
      if (tail.torn && (options.recoverTornTail ?? true)) {
        // A crash during a write can leave a partial last line. If everything before it verifies
        // (head included), the partial bytes are kept aside (never silently dropped), cut off, and
        // the recovery is audited.
        if ((await verifyAuditFile(filePath, { endAt: tail.cut, key: options.pseudonymKey })).ok) {
          const partial = Buffer.alloc(tail.size - tail.cut);
          await fh.read(partial, 0, partial.length, tail.cut);
          await writeFile(`${filePath}.torn-${(options.now ?? Date.now)()}`, partial, { mode: 0o600, flush: true });
          await fh.truncate(tail.cut);
          await fh.datasync();
          tornBytes = partial.length;
        }
      }
      // The chain, its keyed checkpoints and the keyed head file (so lines cut off the end are
      // refused too, even when the head file was deleted with them).
      const result = await verifyAuditFile(filePath, { key: options.pseudonymKey });
      if (!result.ok) throw new AuditError('AUDIT_CORRUPT', `The audit file does not verify at line ${result.line}: ${result.reason}.`);
      const log = new AuditLog(filePath, fh, options, result.entries, result.lastHash);
      // The head exists before the first checkpoint can be on disk: an anchored log never lacks one.
      await writeHead(filePath, options.pseudonymKey, result.entries, result.lastHash);
      if (tornBytes > 0) log.append({ type: 'audit.recovered', reason: 'torn-tail', detail: { bytes: tornBytes } });
      log.#anchor();
      return log;
    } catch (error) {
      await fh.close();
      throw error;
    }
  }

  /**
   * Appends a keyed checkpoint (`audit.anchored`, `detail.mac` = HMAC of its own sequence number and
   * `prev` under the key). Written on every open: it proves the chain up to it came from the key
   * holder, and it declares the head file, so a verifier refuses this log without one.
   */
  #anchor(): void {
    const mac = auditMac(this.#key, 'anchor', this.#seq + 1, this.#prev);
    this.append({ type: 'audit.anchored', actor: 'system', detail: { mac } });
  }

  /** Sequence number of the last appended entry (0 when empty). */
  get lastSeq(): number {
    return this.#seq;
  }

  /** Pseudonym of a participant id: `p_` + 32 hex chars of HMAC-SHA-256(key, id). Stable per deployment. */
  pseudonym(participantId: string): string {
    return `p_${createHmac('sha256', this.#key).update(participantId).digest('hex').slice(0, 32)}`;
  }

  /**
   * Appends an entry (written in the background; see {@link AuditLog.flush}). Returns the record as
   * it will appear in the file.
   * @throws {@link AuditError} `AUDIT_INVALID_ENTRY` for an entry with unknown fields or values that are
   *   not ids / codes; `AUDIT_CLOSED` after close; `AUDIT_WRITE_FAILED` after a failed write.
   */
  append(entry: AuditEntry): AuditRecord {
    if (this.#closed) throw new AuditError('AUDIT_CLOSED', 'The audit log is closed.');
    if (this.#failure) throw new AuditError('AUDIT_WRITE_FAILED', 'The audit log failed to write earlier.', { cause: this.#failure });
    const base = this.#validate(entry);
    const record = { seq: this.#seq + 1, at: new Date(this.#now()).toISOString(), ...base, prev: this.#prev };
    const hash = recordHash(record);
    const full: AuditRecord = { ...record, hash };
    this.#seq = full.seq;
    this.#prev = hash;
    this.#queue.push(`${canonicalRecord(full, true)}\n`);
    this.#queueLastSeq = full.seq;
    this.#queueLastHash = hash;
    this.#draining ??= this.#drain();
    return full;
  }

  /**
   * Resolves when every entry appended so far is written and fsync'd.
   * @throws {@link AuditError} `AUDIT_WRITE_FAILED` when a write failed.
   */
  async flush(): Promise<void> {
    while (this.#draining) await this.#draining;
    if (this.#failure) throw this.#failure;
  }

  /** Flushes and closes the file. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      while (this.#draining) await this.#draining;
    } finally {
      await this.#fh.close();
    }
    if (this.#failure) throw this.#failure;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0 && !this.#failure) {
        const batch = this.#queue.join('');
        const seq = this.#queueLastSeq;
        const hash = this.#queueLastHash;
        this.#queue = [];
        try {
          await this.#fh.appendFile(batch, 'utf8');
          await this.#fh.datasync();
          await writeHead(this.#file, this.#key, seq, hash);
        } catch (cause) {
          this.#failure = new AuditError('AUDIT_WRITE_FAILED', 'Writing the audit log failed.', { cause });
          try {
            this.#onError?.(this.#failure);
          } catch {
            // ignore
          }
        }
      }
    } finally {
      this.#draining = undefined;
    }
  }

  #validate(entry: AuditEntry): Omit<AuditRecord, 'seq' | 'at' | 'prev' | 'hash'> {
    if (typeof entry !== 'object' || entry === null) invalid('An audit entry must be an object.');
    for (const k of Object.keys(entry)) if (!ENTRY_KEYS.has(k)) invalid(`Unknown audit entry field ${JSON.stringify(k.slice(0, 32))}.`);
    if (!TYPES.has(entry.type)) invalid('Unknown audit entry type.');
    const out: Record<string, unknown> = { type: entry.type };
    if (entry.sessionId !== undefined) {
      if (typeof entry.sessionId !== 'string' || !ID_RE.test(entry.sessionId)) invalid('sessionId must be an id.');
      out.sid = entry.sessionId;
    }
    if (entry.participantId !== undefined) {
      if (typeof entry.participantId !== 'string' || !ID_RE.test(entry.participantId)) invalid('participantId must be an id.');
      out.pid = this.pseudonym(entry.participantId);
    }
    if (entry.actorId !== undefined) {
      if (typeof entry.actorId !== 'string' || !ID_RE.test(entry.actorId)) invalid('actorId must be an id.');
      out.by = this.pseudonym(entry.actorId);
    }
    if (entry.actor !== undefined) {
      if (!ACTORS.has(entry.actor)) invalid('Unknown actor.');
      out.actor = entry.actor;
    }
    if (entry.role !== undefined) {
      if (!ROLE_SET.has(entry.role)) invalid('Unknown role.');
      out.role = entry.role;
    }
    if (entry.reason !== undefined) {
      if (!isCode(entry.reason)) invalid('reason must be a short code.');
      out.reason = entry.reason;
    }
    if (entry.detail !== undefined) {
      const d = entry.detail;
      if (typeof d !== 'object' || d === null || Array.isArray(d)) return invalid('detail must be an object.');
      const keys = Object.keys(d);
      if (keys.length > 16) invalid('detail has too many keys.');
      const detail: Record<string, string | number | boolean> = {};
      for (const k of keys) {
        const v = d[k];
        if (!DETAIL_KEY_RE.test(k) || /token|ticket|secret|key|name|chat|address|ip$/i.test(k))
          invalid(`detail key ${JSON.stringify(k.slice(0, 32))} is not allowed.`);
        if (typeof v === 'number') {
          if (!Number.isFinite(v)) invalid('detail numbers must be finite.');
        } else if (typeof v === 'string') {
          if (!isCode(v)) invalid('detail strings must be short codes.');
        } else if (typeof v !== 'boolean') {
          invalid('detail values must be strings, numbers or booleans.');
        }
        detail[k] = v as string | number | boolean;
      }
      out.detail = detail;
    }
    return out as Omit<AuditRecord, 'seq' | 'at' | 'prev' | 'hash'>;
  }
}

/** Replaces the head file atomically: last sequence number, its hash, and their keyed MAC. */
async function writeHead(file: string, key: Uint8Array, seq: number, hash: string): Promise<void> {
  const head = headFileOf(file);
  const tmp = `${head}.tmp`;
  await writeFile(tmp, JSON.stringify({ seq, hash, mac: auditMac(key, 'head', seq, hash) }), { mode: 0o600, flush: true });
  await rename(tmp, head);
}

/** Where the last line starts, and whether the file ends without a newline (a torn write). */
async function lastLineStart(fh: FileHandle): Promise<{ size: number; cut: number; torn: boolean }> {
  const { size } = await fh.stat();
  if (size === 0) return { size, cut: 0, torn: false };
  const last = Buffer.alloc(1);
  await fh.read(last, 0, 1, size - 1);
  if (last[0] === 0x0a) return { size, cut: size, torn: false };
  const chunk = Buffer.alloc(64 * 1024);
  for (let end = size; end > 0; ) {
    const start = Math.max(0, end - chunk.length);
    const { bytesRead } = await fh.read(chunk, 0, end - start, start);
    const nl = chunk.subarray(0, bytesRead).lastIndexOf(0x0a);
    if (nl !== -1) return { size, cut: start + nl + 1, torn: true };
    end = start;
  }
  return { size, cut: 0, torn: true };
}

/**
 * Reads the deployment's audit pseudonym key from `file` (hex), creating it (32 random bytes, mode
 * 0600) on first use.
 */
export function loadOrCreateAuditKey(file: string): Uint8Array {
  try {
    const hex = readFileSync(file, 'utf8').trim();
    if (!/^[0-9a-f]{64,}$/.test(hex)) throw new AuditError('AUDIT_CORRUPT', 'The audit key file is malformed.');
    return Buffer.from(hex, 'hex');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  writeFileSync(file, key.toString('hex'), { mode: 0o600, flag: 'wx' });
  return key;
}
