/**
 * Reads one session's records from the audit file for `GET /v1/sessions/:id/audit`.
 * @packageDocumentation
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { AuditRecord } from '../audit/types.js';

/** One page of a session's audit records. */
export interface AuditPage {
  readonly records: readonly AuditRecord[];
  /** `seq` of the last record returned when more follow. */
  readonly nextAfter?: number;
}

/**
 * Streams the audit file and returns up to `limit` records of `sessionId` with `seq > afterSeq`
 * (and, with `pid`, about that pseudonymised participant, as subject or actor). Lines that do not
 * parse are skipped (`alcove-server audit verify` is the integrity check).
 */
export async function readSessionAudit(
  file: string,
  sessionId: string,
  options: { readonly afterSeq: number; readonly limit: number; readonly pid?: string },
): Promise<AuditPage> {
  const records: AuditRecord[] = [];
  const stream = createReadStream(file, { encoding: 'utf8' });
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  let more = false;
  try {
    for await (const line of lines) {
      if (!line.includes(sessionId)) continue;
      let r: AuditRecord;
      try {
        r = JSON.parse(line) as AuditRecord;
      } catch {
        continue;
      }
      if (r.sid !== sessionId || !(r.seq > options.afterSeq)) continue;
      if (options.pid !== undefined && r.pid !== options.pid && r.by !== options.pid) continue;
      if (records.length === options.limit) {
        more = true;
        break;
      }
      records.push(r);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  } finally {
    lines.close();
    stream.destroy();
  }
  const last = records[records.length - 1];
  return { records, ...(more && last ? { nextAfter: last.seq } : {}) };
}
