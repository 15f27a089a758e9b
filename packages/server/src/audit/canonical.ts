import { createHash } from 'node:crypto';
import type { AuditRecord } from './types.js';

/** `prev` of the first line. */
export const GENESIS_HASH = '0'.repeat(64);

/** Keys of a record, in the one order they are written. */
export const RECORD_KEYS = ['seq', 'at', 'type', 'sid', 'pid', 'by', 'actor', 'role', 'reason', 'detail', 'prev', 'hash'] as const;

/**
 * The canonical JSON text of a record: keys in {@link RECORD_KEYS} order, `detail` keys sorted,
 * absent fields omitted, no whitespace. With `withHash: false` the `hash` key is left out (the input
 * of the hash).
 */
export function canonicalRecord(record: Omit<AuditRecord, 'hash'> & { hash?: string }, withHash: boolean): string {
  const out: Record<string, unknown> = {};
  for (const k of RECORD_KEYS) {
    if (k === 'hash' && !withHash) continue;
    const v = (record as Record<string, unknown>)[k];
    if (v === undefined) continue;
    if (k === 'detail' && typeof v === 'object' && v !== null) {
      const sorted: Record<string, unknown> = {};
      for (const dk of Object.keys(v).sort()) sorted[dk] = (v as Record<string, unknown>)[dk];
      out[k] = sorted;
    } else {
      out[k] = v;
    }
  }
  return JSON.stringify(out);
}

/** The chain hash of a record: SHA-256 hex over `prev + "\n" + canonicalRecord(record, false)`. */
export function recordHash(record: Omit<AuditRecord, 'hash'>): string {
  return createHash('sha256')
    .update(`${record.prev}\n${canonicalRecord(record, false)}`)
    .digest('hex');
}
