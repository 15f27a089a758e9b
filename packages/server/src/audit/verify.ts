/**
 * The audit-file verifier behind `alcove-server audit verify FILE`.
 * @packageDocumentation
 */
import { readFile } from 'node:fs/promises';
import { AUDIT_ENTRY_TYPES, type AuditRecord, type AuditVerifyResult } from './types.js';
import { GENESIS_HASH, RECORD_KEYS, canonicalRecord, recordHash } from './canonical.js';

const TYPES = new Set<string>(AUDIT_ENTRY_TYPES);
const KEYS = new Set<string>(RECORD_KEYS);
const AT_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const HEX64_RE = /^[0-9a-f]{64}$/;

/** Options of {@link verifyAuditFile}. */
export interface VerifyAuditOptions {
  /**
   * The head file (`<file>.head`, written by {@link AuditLog}) records the last sequence number and
   * hash, so that cutting whole lines off the end is detected. `'auto'` (default): check it when it
   * exists; `'require'`: fail without it; `'ignore'`: do not look.
   */
  readonly head?: 'auto' | 'require' | 'ignore';
}

/** Where the head of an audit file is kept. */
export const headFileOf = (filePath: string): string => `${filePath}.head`;

/**
 * Verifies an audit file: every line is the canonical JSON of its record, sequence numbers run 1, 2,
 * 3… without gaps, each `prev` is the previous line's `hash`, each `hash` recomputes, the file ends
 * with a newline, and (see {@link VerifyAuditOptions.head}) the chain reaches the recorded head. Any
 * edited, inserted, removed, reordered or truncated line fails, and the result names the first bad
 * line (1-based; `line: 0` for a head mismatch or an unreadable file).
 * @example
 * ```ts
 * const r = await verifyAuditFile('/var/lib/alcove/audit.log');
 * if (!r.ok) console.error(`line ${r.line}: ${r.reason}`);
 * ```
 */
export async function verifyAuditFile(filePath: string, options: VerifyAuditOptions = {}): Promise<AuditVerifyResult> {
  let bytes: Buffer;
  try {
    bytes = await readFile(filePath);
  } catch (error) {
    return { ok: false, line: 0, reason: `cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  const chain = verifyAuditBytes(bytes);
  if (!chain.ok) return chain;
  const mode = options.head ?? 'auto';
  if (mode === 'ignore') return chain;
  let headText: string | undefined;
  try {
    headText = await readFile(headFileOf(filePath), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return { ok: false, line: 0, reason: 'cannot read the head file' };
  }
  if (headText === undefined) return mode === 'require' ? { ok: false, line: 0, reason: 'head file missing' } : chain;
  return checkHead(chain, headText, bytes);
}

function checkHead(chain: AuditVerifyResult & { ok: true }, headText: string, bytes: Buffer): AuditVerifyResult {
  let head: { seq?: unknown; hash?: unknown };
  try {
    head = JSON.parse(headText) as typeof head;
  } catch {
    return { ok: false, line: 0, reason: 'head file is not valid JSON' };
  }
  if (!Number.isSafeInteger(head.seq) || typeof head.hash !== 'string') return { ok: false, line: 0, reason: 'head file is malformed' };
  const seq = head.seq as number;
  if (seq > chain.entries) return { ok: false, line: chain.entries + 1, reason: `file ends at entry ${chain.entries}, head records ${seq} (lines removed from the end)` };
  if (seq === 0) return head.hash === GENESIS_HASH ? chain : { ok: false, line: 0, reason: 'head hash mismatch' };
  // The entry at head.seq must carry head.hash (entries after it may exist: written before the head).
  const lines = bytes.toString('utf8').split('\n');
  const rec = JSON.parse(lines[seq - 1] as string) as AuditRecord;
  if (rec.hash !== head.hash) return { ok: false, line: seq, reason: 'entry does not match the recorded head' };
  return chain;
}

/** Verifies the bytes of an audit file (chain only, no head). See {@link verifyAuditFile}. */
export function verifyAuditBytes(bytes: Uint8Array): AuditVerifyResult & ({ ok: true } | { ok: false }) {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length === 0) return { ok: true, entries: 0, lastHash: GENESIS_HASH };
  if (buf[buf.length - 1] !== 0x0a) {
    let lineNo = 1;
    for (const b of buf) if (b === 0x0a) lineNo++;
    return { ok: false, line: lineNo, reason: 'the last line is incomplete (no newline)' };
  }
  let prev = GENESIS_HASH;
  let start = 0;
  let lineNo = 0;
  while (start < buf.length) {
    const end = buf.indexOf(0x0a, start);
    const raw = buf.subarray(start, end);
    start = end + 1;
    lineNo++;
    const fail = (reason: string): AuditVerifyResult => ({ ok: false, line: lineNo, reason });
    const text = raw.toString('utf8');
    if (!Buffer.from(text, 'utf8').equals(raw)) return fail('not valid UTF-8');
    let rec: Record<string, unknown>;
    try {
      rec = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return fail('not valid JSON');
    }
    if (typeof rec !== 'object' || rec === null || Array.isArray(rec)) return fail('not a JSON object');
    for (const k of Object.keys(rec)) if (!KEYS.has(k)) return fail(`unknown field ${JSON.stringify(k.slice(0, 20))}`);
    if (rec.seq !== lineNo) return fail(`sequence number ${String(rec.seq).slice(0, 20)} where ${lineNo} was expected`);
    if (typeof rec.at !== 'string' || !AT_RE.test(rec.at)) return fail('bad timestamp');
    if (typeof rec.type !== 'string' || !TYPES.has(rec.type)) return fail('unknown entry type');
    if (rec.prev !== prev) return fail('prev does not match the previous entry (edited, removed or reordered line)');
    if (typeof rec.hash !== 'string' || !HEX64_RE.test(rec.hash)) return fail('bad hash field');
    const r = rec as unknown as AuditRecord;
    if (canonicalRecord(r, true) !== text) return fail('not in canonical form (edited line)');
    if (recordHash(r) !== r.hash) return fail('hash does not match the content (edited line)');
    prev = r.hash;
  }
  return { ok: true, entries: lineNo, lastHash: prev };
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
