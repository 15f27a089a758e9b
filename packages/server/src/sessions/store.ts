/**
 * Persistence of the session registry: a snapshot (`sessions.json`, replaced atomically) plus an
 * append-only journal (`sessions.journal`, one JSON operation per line). Security-relevant
 * operations are fsync'd before the registry method returns; attendance is batched. The journal is
 * folded into a new snapshot every {@link COMPACT_EVERY} operations, so a write costs O(1) however
 * many sessions are held.
 * @packageDocumentation
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeFileSync, writeSync, ftruncateSync } from 'node:fs';
import { join } from 'node:path';
import type { Role } from '@alcove/protocol';
import type { AttendanceEvent, AttendanceEventKind, SessionPolicy, SessionRecord } from './types.js';

/** Snapshot file name inside the data folder. */
export const SESSIONS_FILE = 'sessions.json';
/** Journal file name inside the data folder. */
export const JOURNAL_FILE = 'sessions.journal';
/** Journal operations between two snapshots. */
export const COMPACT_EVERY = 2_000;

/** Per-participant state as persisted. */
export interface ParticipantState {
  role?: Role;
  invitedAt?: number;
  firstJoinedAt?: number;
  lastLeftAt?: number;
  reconnects: number;
  removed: boolean;
  denied: boolean;
  events: AttendanceEvent[];
}

/** One journal operation. `seq` increases by one per operation. */
export type JournalOp =
  | { seq: number; op: 'create'; record: SessionRecord }
  | { seq: number; op: 'end'; id: string; at: number; reason: string }
  | { seq: number; op: 'lock'; id: string; locked: boolean }
  | { seq: number; op: 'policy'; id: string; policy: SessionPolicy }
  | { seq: number; op: 'event'; id: string; pid: string; event: AttendanceEventKind; at: number }
  | { seq: number; op: 'invite'; id: string; pid: string; role: Role; at: number }
  | { seq: number; op: 'prune'; ids: string[] };

/** What a snapshot holds. */
export interface Snapshot {
  version: 1;
  /** Last journal `seq` folded into this snapshot. */
  lastSeq: number;
  sessions: Array<{ record: SessionRecord; participants: Array<[string, ParticipantState]> }>;
}

/** The two files of one data folder. */
export class SessionStore {
  readonly #snapshotFile: string;
  readonly #journalFile: string;
  #fd: number | undefined;
  #sinceSnapshot = 0;
  #buffered: string[] = [];

  constructor(dataDir: string) {
    this.#snapshotFile = join(dataDir, SESSIONS_FILE);
    this.#journalFile = join(dataDir, JOURNAL_FILE);
  }

  /**
   * Reads the snapshot and the journal operations after it. A torn last journal line (a crash
   * mid-write, before the method that wrote it returned) is ignored; anything else unreadable throws.
   */
  load(): { snapshot: Snapshot | undefined; ops: JournalOp[] } {
    let snapshot: Snapshot | undefined;
    const text = readIfExists(this.#snapshotFile);
    if (text !== undefined) {
      snapshot = JSON.parse(text) as Snapshot;
      if (snapshot.version !== 1 || !Array.isArray(snapshot.sessions)) throw new Error('unknown snapshot version');
      snapshot.lastSeq ??= 0;
    }
    const ops: JournalOp[] = [];
    const journal = readIfExists(this.#journalFile) ?? '';
    const lines = journal.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] as string;
      if (!line) continue;
      let op: JournalOp;
      try {
        op = JSON.parse(line) as JournalOp;
      } catch (error) {
        if (i !== lines.length - 1) throw error;
        // A torn last line (never acknowledged): cut it off so later appends start on a fresh line.
        const fd = openSync(this.#journalFile, 'r+');
        try {
          ftruncateSync(fd, Buffer.byteLength(journal, 'utf8') - Buffer.byteLength(line, 'utf8'));
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
        break;
      }
      if (!Number.isSafeInteger(op.seq)) throw new Error('journal entry without seq');
      if (op.seq > (snapshot?.lastSeq ?? 0)) ops.push(op);
    }
    this.#sinceSnapshot = ops.length;
    return { snapshot, ops };
  }

  /** Appends operations; `sync` fsyncs before returning. */
  append(ops: readonly JournalOp[], sync: boolean): void {
    if (ops.length === 0) return;
    this.#fd ??= openSync(this.#journalFile, 'a', 0o600);
    writeSync(this.#fd, ops.map((o) => `${JSON.stringify(o)}\n`).join(''));
    if (sync) fsyncSync(this.#fd);
    this.#sinceSnapshot += ops.length;
  }

  /** Buffers an operation for the next {@link SessionStore.flush}. */
  buffer(op: JournalOp): void {
    this.#buffered.push(JSON.stringify(op));
    this.#sinceSnapshot++;
  }

  /** Writes buffered operations (fsync'd). */
  flush(): void {
    if (this.#buffered.length === 0) return;
    this.#fd ??= openSync(this.#journalFile, 'a', 0o600);
    writeSync(this.#fd, this.#buffered.map((l) => `${l}\n`).join(''));
    this.#buffered = [];
    fsyncSync(this.#fd);
  }

  /** Whether it is time to fold the journal into a snapshot. */
  get dueForCompaction(): boolean {
    return this.#sinceSnapshot >= COMPACT_EVERY;
  }

  /** Writes `snapshot` atomically, then empties the journal. */
  compact(snapshot: Snapshot): void {
    this.flush();
    const tmp = `${this.#snapshotFile}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(snapshot), { mode: 0o600, flush: true });
    renameSync(tmp, this.#snapshotFile);
    syncDir(join(this.#snapshotFile, '..'));
    // Operations in the journal are now ≤ snapshot.lastSeq and would be skipped anyway.
    this.#fd ??= openSync(this.#journalFile, 'a', 0o600);
    ftruncateSync(this.#fd, 0);
    fsyncSync(this.#fd);
    this.#sinceSnapshot = 0;
  }

  /** Flushes and closes the journal. */
  close(): void {
    this.flush();
    if (this.#fd !== undefined) closeSync(this.#fd);
    this.#fd = undefined;
  }
}

function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
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
