/**
 * The audit-file verifier behind `alcove-server audit verify FILE`. It streams the file, so memory
 * stays bounded however long the log grows.
 * @packageDocumentation
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { AUDIT_ENTRY_TYPES, type AuditRecord, type AuditVerifyResult } from './types.js';
import { GENESIS_HASH, RECORD_KEYS, canonicalRecord, recordHash } from './canonical.js';

const TYPES = new Set<string>(AUDIT_ENTRY_TYPES);
const KEYS = new Set<string>(RECORD_KEYS);
const AT_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const HEX64_RE = /^[0-9a-f]{64}$/;
/** Longest line accepted (a written record is far shorter). */
export const MAX_AUDIT_LINE_BYTES = 64 * 1024;

/** Options of {@link verifyAuditFile}. */
export interface VerifyAuditOptions {
  /**
   * The head file (`<file>.head`, written by {@link AuditLog}) records the last sequence number and
   * hash, so that cutting whole lines off the end is detected. `'auto'` (default): check it when it
   * exists; `'require'`: fail without it; `'ignore'`: do not look.
   */
  readonly head?: 'auto' | 'require' | 'ignore';
  /** Verify only the first `endAt` bytes (used when recovering a torn last line). */
  readonly endAt?: number;
  /**
   * The deployment's audit key (`audit.key`, the pseudonym key the server keeps). With it the
   * verifier also checks the keyed checkpoints (`audit.anchored` lines) and the head file's MAC, and
   * requires at least one checkpoint in a non-empty log: a chain rewritten without the key fails.
   */
  readonly key?: Uint8Array;
}

/** Domain-separated MAC of a keyed checkpoint or head: HMAC-SHA-256(key, `alcove-audit-<kind>\n<seq>\n<hash>`), hex. */
export function auditMac(key: Uint8Array, kind: 'anchor' | 'head', seq: number, hash: string): string {
  return createHmac('sha256', key).update(`alcove-audit-${kind}\n${seq}\n${hash}`).digest('hex');
}

const macEqual = (a: unknown, b: string): boolean =>
  typeof a === 'string' && a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/** Where the head of an audit file is kept. */
export const headFileOf = (filePath: string): string => `${filePath}.head`;

type Failure = AuditVerifyResult & { ok: false };

/** Checks lines one at a time, carrying the chain. */
class ChainChecker {
  prev = GENESIS_HASH;
  line = 0;
  /** The hash of entry `watchSeq`, once seen. */
  watched: string | undefined;
  /** Keyed checkpoints (`audit.anchored`) seen. */
  anchors = 0;
  constructor(
    private readonly watchSeq: number | undefined,
    private readonly key?: Uint8Array,
  ) {}

  /** Checks one line (without its newline); a failure or undefined. */
  push(raw: Uint8Array): Failure | undefined {
    this.line++;
    const fail = (reason: string): Failure => ({ ok: false, line: this.line, reason });
    if (raw.byteLength > MAX_AUDIT_LINE_BYTES) return fail('line too long');
    const buf = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    const text = buf.toString('utf8');
    if (!Buffer.from(text, 'utf8').equals(buf)) return fail('not valid UTF-8');
    let rec: Record<string, unknown>;
    try {
      rec = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return fail('not valid JSON');
    }
    if (typeof rec !== 'object' || rec === null || Array.isArray(rec)) return fail('not a JSON object');
    for (const k of Object.keys(rec)) if (!KEYS.has(k)) return fail(`unknown field ${JSON.stringify(k.slice(0, 20))}`);
    if (rec.seq !== this.line) return fail(`sequence number ${String(rec.seq).slice(0, 20)} where ${this.line} was expected`);
    if (typeof rec.at !== 'string' || !AT_RE.test(rec.at)) return fail('bad timestamp');
    if (typeof rec.type !== 'string' || !TYPES.has(rec.type)) return fail('unknown entry type');
    if (rec.prev !== this.prev) return fail('prev does not match the previous entry (edited, removed or reordered line)');
    if (typeof rec.hash !== 'string' || !HEX64_RE.test(rec.hash)) return fail('bad hash field');
    const r = rec as unknown as AuditRecord;
    if (canonicalRecord(r, true) !== text) return fail('not in canonical form (edited line)');
    if (recordHash(r) !== r.hash) return fail('hash does not match the content (edited line)');
    if (r.type === 'audit.anchored') {
      if (this.key && !macEqual(r.detail?.mac, auditMac(this.key, 'anchor', r.seq, r.prev)))
        return fail("keyed checkpoint does not verify with this deployment's key (rewritten chain)");
      this.anchors++;
    }
    this.prev = r.hash;
    if (this.line === this.watchSeq) this.watched = r.hash;
    return undefined;
  }

  result(): AuditVerifyResult {
    return { ok: true, entries: this.line, lastHash: this.prev, checkpoints: this.anchors, keyed: this.key !== undefined };
  }
}

/**
 * Verifies an audit file: every line is the canonical JSON of its record, sequence numbers run 1, 2,
 * 3… without gaps, each `prev` is the previous line's `hash`, each `hash` recomputes, the file ends
 * with a newline, and (see {@link VerifyAuditOptions.head}) the chain reaches the recorded head. Any
 * edited, inserted, removed, reordered or truncated line fails, and the result names the first bad
 * line (1-based; `line: 0` for a head problem or an unreadable file).
 * @example
 * ```ts
 * const r = await verifyAuditFile('/var/lib/alcove/audit.log');
 * if (!r.ok) console.error(`line ${r.line}: ${r.reason}`);
 * ```
 */
export async function verifyAuditFile(filePath: string, options: VerifyAuditOptions = {}): Promise<AuditVerifyResult> {
  const mode = options.head ?? 'auto';
  let head: { seq: number; hash: string; mac?: string } | undefined;
  if (mode !== 'ignore') {
    let headText: string | undefined;
    try {
      headText = await readFile(headFileOf(filePath), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return { ok: false, line: 0, reason: 'cannot read the head file' };
    }
    if (headText === undefined && mode === 'require') return { ok: false, line: 0, reason: 'head file missing' };
    if (headText !== undefined) {
      try {
        const h = JSON.parse(headText) as { seq?: unknown; hash?: unknown };
        const m = (h as { mac?: unknown }).mac;
        if (!Number.isSafeInteger(h.seq) || (h.seq as number) < 0 || typeof h.hash !== 'string') throw new Error('malformed');
        if (m !== undefined && typeof m !== 'string') throw new Error('malformed');
        head = { seq: h.seq as number, hash: h.hash, ...(m !== undefined ? { mac: m } : {}) };
      } catch {
        return { ok: false, line: 0, reason: 'head file is malformed' };
      }
    }
  }
  const checker = new ChainChecker(head?.seq, options.key);
  let carry: Buffer = Buffer.alloc(0);
  try {
    if (options.endAt !== undefined && options.endAt <= 0) return checkHeadAgainst(checker.result(), head, checker, mode, options.key);
    const stream = createReadStream(filePath, options.endAt === undefined ? {} : { end: options.endAt - 1 });
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      let data = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
      let start = 0;
      for (let nl = data.indexOf(0x0a, start); nl !== -1; nl = data.indexOf(0x0a, start)) {
        const failure = checker.push(data.subarray(start, nl));
        if (failure) {
          stream.destroy();
          return failure;
        }
        start = nl + 1;
      }
      data = data.subarray(start);
      if (data.length > MAX_AUDIT_LINE_BYTES) {
        stream.destroy();
        return { ok: false, line: checker.line + 1, reason: 'line too long' };
      }
      carry = Buffer.from(data);
    }
  } catch (error) {
    return { ok: false, line: 0, reason: `cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  if (carry.length > 0) return { ok: false, line: checker.line + 1, reason: 'the last line is incomplete (no newline)' };
  return checkHeadAgainst(checker.result(), head, checker, mode, options.key);
}

function checkHeadAgainst(
  chain: AuditVerifyResult,
  head: { seq: number; hash: string; mac?: string } | undefined,
  checker: ChainChecker,
  mode: 'auto' | 'require' | 'ignore',
  key: Uint8Array | undefined,
): AuditVerifyResult {
  if (!chain.ok) return chain;
  if (key && chain.entries > 0 && checker.anchors === 0) {
    return { ok: false, line: 0, reason: "no keyed checkpoint: the chain cannot be shown to come from this deployment's key" };
  }
  if (!head) {
    // A log that carries a checkpoint declares its head file: without it, lines may have been cut off the end.
    if (mode !== 'ignore' && checker.anchors > 0) {
      return { ok: false, line: 0, reason: 'head file missing for an anchored log (lines may have been cut off the end)' };
    }
    return chain;
  }
  if (key && mode !== 'ignore' && !macEqual(head.mac, auditMac(key, 'head', head.seq, head.hash))) {
    return { ok: false, line: 0, reason: "head file is not signed with this deployment's key" };
  }
  if (head.seq > chain.entries) {
    return {
      ok: false,
      line: chain.entries + 1,
      reason: `file ends at entry ${chain.entries}, head records ${head.seq} (lines removed from the end)`,
    };
  }
  // Entries after the head may exist (written just before a crash, before the head was replaced).
  const expected = head.seq === 0 ? GENESIS_HASH : checker.watched;
  if (expected !== head.hash) return { ok: false, line: head.seq, reason: 'entry does not match the recorded head' };
  return chain;
}

/**
 * The `alcove-server audit verify FILE [--key KEYFILE]` command line: the key file defaults to
 * `audit.key` beside FILE when it exists (hex, as the server writes it).
 */
export async function runAuditVerifyCommand(args: readonly string[], stdout: TextSink): Promise<number> {
  let file: string | undefined;
  let keyFile: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (a === '--key') keyFile = args[++i];
    else if (a.startsWith('--key=')) keyFile = a.slice(6);
    else if (file === undefined) file = a;
    else {
      stdout.write('usage: alcove-server audit verify FILE [--key KEYFILE]\n');
      return 2;
    }
  }
  if (!file) return runAuditVerify(undefined, stdout);
  const explicit = keyFile !== undefined;
  keyFile ??= join(dirname(file), 'audit.key');
  let key: Uint8Array | undefined;
  try {
    const hex = (await readFile(keyFile, 'utf8')).trim();
    if (!/^[0-9a-f]{64,}$/.test(hex)) {
      stdout.write('the key file is malformed\n');
      return 2;
    }
    key = Buffer.from(hex, 'hex');
  } catch (error) {
    if (explicit || (error as NodeJS.ErrnoException).code !== 'ENOENT') {
      stdout.write('cannot read the key file\n');
      return 2;
    }
  }
  return runAuditVerify(file, stdout, key ? { key } : {});
}

/** Verifies the bytes of an audit file in memory (chain only, no head). See {@link verifyAuditFile}. */
export function verifyAuditBytes(bytes: Uint8Array): AuditVerifyResult {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const checker = new ChainChecker(undefined);
  let start = 0;
  for (let nl = buf.indexOf(0x0a, start); nl !== -1; nl = buf.indexOf(0x0a, start)) {
    const failure = checker.push(buf.subarray(start, nl));
    if (failure) return failure;
    start = nl + 1;
  }
  if (start < buf.length) return { ok: false, line: checker.line + 1, reason: 'the last line is incomplete (no newline)' };
  return checker.result();
}

/** Something with a `write(text)` method, e.g. `process.stdout`. */
export interface TextSink {
  write(text: string): unknown;
}

/**
 * The `alcove-server audit verify FILE` command: prints one line and returns the exit code
 * (0 valid, 1 invalid, 2 unreadable or no file given).
 */
export async function runAuditVerify(file: string | undefined, stdout: TextSink, options: VerifyAuditOptions = {}): Promise<number> {
  if (!file) {
    stdout.write('usage: alcove-server audit verify FILE [--key KEYFILE]\n');
    return 2;
  }
  const result = await verifyAuditFile(file, options);
  if (result.ok) {
    const keyed = result.keyed
      ? `, ${result.checkpoints ?? 0} keyed checkpoints and the head verified with the key`
      : ', keyed checkpoints NOT checked (no key given)';
    stdout.write(`ok: ${result.entries} entries, chain intact${keyed}, last hash ${result.lastHash}\n`);
    return 0;
  }
  stdout.write(`FAILED at line ${result.line}: ${result.reason}\n`);
  return result.line === 0 && result.reason.startsWith('cannot read the file') ? 2 : 1;
}
