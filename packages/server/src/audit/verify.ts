/**
 * The audit-file verifier behind `alcove-server audit verify FILE`. It streams the file, so memory
 * stays bounded however long the log grows.
 * @packageDocumentation
 */
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
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
}

/** Where the head of an audit file is kept. */
export const headFileOf = (filePath: string): string => `${filePath}.head`;

type Failure = AuditVerifyResult & { ok: false };

/** Checks lines one at a time, carrying the chain. */
class ChainChecker {
  prev = GENESIS_HASH;
  line = 0;
  /** The hash of entry `watchSeq`, once seen. */
  watched: string | undefined;
  constructor(private readonly watchSeq: number | undefined) {}

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
    this.prev = r.hash;
    if (this.line === this.watchSeq) this.watched = r.hash;
    return undefined;
  }

  result(): AuditVerifyResult {
    return { ok: true, entries: this.line, lastHash: this.prev };
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
  let head: { seq: number; hash: string } | undefined;
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
        if (!Number.isSafeInteger(h.seq) || (h.seq as number) < 0 || typeof h.hash !== 'string') throw new Error('malformed');
        head = { seq: h.seq as number, hash: h.hash };
      } catch {
        return { ok: false, line: 0, reason: 'head file is malformed' };
      }
    }
  }
  const checker = new ChainChecker(head?.seq);
  let carry: Buffer = Buffer.alloc(0);
  try {
    if (options.endAt !== undefined && options.endAt <= 0) return checkHeadAgainst(checker.result(), head, checker);
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
  return checkHeadAgainst(checker.result(), head, checker);
}

function checkHeadAgainst(
  chain: AuditVerifyResult,
  head: { seq: number; hash: string } | undefined,
  checker: ChainChecker,
): AuditVerifyResult {
  if (!head || !chain.ok) return chain;
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
    stdout.write('usage: alcove-server audit verify FILE\n');
    return 2;
  }
  const result = await verifyAuditFile(file, options);
  if (result.ok) {
    stdout.write(`ok: ${result.entries} entries, chain intact, last hash ${result.lastHash}\n`);
    return 0;
  }
  stdout.write(`FAILED at line ${result.line}: ${result.reason}\n`);
  return result.line === 0 && result.reason.startsWith('cannot read the file') ? 2 : 1;
}
