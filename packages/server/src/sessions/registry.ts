/**
 * The session registry: sessions created through the admin API, their policy and the facts that must
 * survive a restart (ended, locked, removed, denied), plus attendance for the admin API.
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROLES, type Role } from '@alcove/protocol';
import { SessionError } from './errors.js';
import { resolvePolicy } from './policy.js';
import {
  ATTENDANCE_EVENTS, type AttendanceEvent, type AttendanceEventKind, type ParticipantAttendance, type SessionEndReason,
  type SessionPolicy, type SessionRecord,
} from './types.js';

/** Events of {@link SessionRegistry}. */
export interface SessionRegistryEvents {
  /** A session was created. */
  created: [session: SessionRecord];
  /** A session ended (emitted once per session). The live side tears its room down. */
  ended: [session: SessionRecord, reason: SessionEndReason];
  /** A session was locked or unlocked. */
  lockChanged: [session: SessionRecord, locked: boolean];
  /** A participant was removed or denied; it is barred from now on. */
  participantBarred: [sessionId: string, participantId: string, why: 'removed' | 'denied'];
  /** A listener threw; the registry's state is unaffected. */
  listenerError: [error: unknown];
}

/** Options of {@link SessionRegistry.open}. */
export interface SessionRegistryOptions {
  /** Folder for `sessions.json`. Without it, state lives in memory only. */
  readonly dataDir?: string;
  /** Most sessions held (open + ended not yet pruned). Default 10 000. */
  readonly maxSessions?: number;
  /**
   * How long an ended session is kept (for `GET /v1/sessions/:id` and attendance) before it is
   * forgotten, ms. Default 7 days (longer than any join token lives). Pruning runs on `create`.
   */
  readonly retainEndedMs?: number;
  /** Clock in ms. Default `Date.now`. */
  readonly now?: () => number;
}

/** Cap on participants (invited or seen) tracked per session. */
export const MAX_TRACKED_PARTICIPANTS = 1_000;
/** Cap on attendance events kept per participant (summaries stay exact). */
export const MAX_EVENTS_PER_PARTICIPANT = 200;
/** Snapshot file name inside the data folder. */
export const SESSIONS_FILE = 'sessions.json';

const ID_RE = /^[A-Za-z0-9_-]{1,64}$/;
const REASON_RE = /^[A-Za-z0-9_.:-]{1,64}$/;
const EVENT_SET = new Set<string>(ATTENDANCE_EVENTS);
const ROLE_SET = new Set<string>(ROLES);

interface ParticipantState {
  role?: Role;
  invitedAt?: number;
  firstJoinedAt?: number;
  lastLeftAt?: number;
  reconnects: number;
  removed: boolean;
  denied: boolean;
  events: AttendanceEvent[];
}

interface SessionState {
  record: SessionRecord;
  participants: Map<string, ParticipantState>;
}

interface Snapshot {
  version: 1;
  sessions: Array<{ record: SessionRecord; participants: Array<[string, ParticipantState]> }>;
}

/**
 * Holds sessions and persists them (an atomic, fsync'd JSON snapshot) so that an ended, locked or
 * barred state survives a restart: a locked or waiting-room-gated session never opens itself after a
 * restart, because its policy and `locked` flag are reloaded as they were. Security-relevant changes
 * (create, end, lock, remove, deny) are written before the method returns; attendance is written
 * shortly after (coalesced) and on {@link SessionRegistry.close}.
 * @example
 * ```ts
 * const registry = SessionRegistry.open({ dataDir: '/var/lib/alcove' });
 * const s = registry.create({ maxParticipants: 2, jurisdictions: ['US-CA'] });
 * registry.on('ended', (session, reason) => rooms.close(session.id, reason));
 * ```
 */
export class SessionRegistry extends EventEmitter<SessionRegistryEvents> {
  readonly #sessions = new Map<string, SessionState>();
  readonly #file: string | undefined;
  readonly #maxSessions: number;
  readonly #now: () => number;
  readonly #retainEndedMs: number;
  #pendingWrite: NodeJS.Immediate | undefined;
  #closed = false;

  private constructor(options: SessionRegistryOptions) {
    super();
    this.#maxSessions = options.maxSessions ?? 10_000;
    this.#now = options.now ?? Date.now;
    this.#retainEndedMs = options.retainEndedMs ?? 7 * 24 * 60 * 60 * 1000;
    this.#file = options.dataDir === undefined ? undefined : join(options.dataDir, SESSIONS_FILE);
  }

  /**
   * Opens the registry, loading the snapshot from `dataDir` when there is one.
   * @throws {@link SessionError} `PERSISTENCE_FAILED` when the snapshot exists but cannot be read
   *   (the server refuses to start rather than forget a lock or a removal).
   */
  static open(options: SessionRegistryOptions = {}): SessionRegistry {
    const registry = new SessionRegistry(options);
    if (options.dataDir !== undefined) {
      mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
      registry.#load();
    }
    return registry;
  }

  /** Number of sessions held. */
  get size(): number {
    return this.#sessions.size;
  }

  /**
   * Creates a session with a fresh 128-bit id and the policy resolved from `input`.
   * @throws {@link SessionError} `INVALID_POLICY` or `TOO_MANY_SESSIONS`.
   */
  create(input: unknown = {}, options: { tenant?: string } = {}): SessionRecord {
    this.#guardOpen();
    const policy: SessionPolicy = resolvePolicy(input);
    this.pruneEnded(this.#now() - this.#retainEndedMs);
    if (this.#sessions.size >= this.#maxSessions) throw new SessionError('TOO_MANY_SESSIONS', 'The registry holds its maximum number of sessions.');
    let id: string;
    do id = randomBytes(16).toString('base64url');
    while (this.#sessions.has(id));
    const record: SessionRecord = Object.freeze({
      id, createdAt: this.#now(), policy: freezePolicy(policy), state: 'open', locked: false,
      ...(options.tenant ? { tenant: options.tenant } : {}),
    });
    this.#sessions.set(id, { record, participants: new Map() });
    this.#persist(true);
    this.#emit('created', record);
    return record;
  }

  /** The session, or `undefined`. */
  get(id: string): SessionRecord | undefined {
    return this.#sessions.get(id)?.record;
  }

  /** Every session held (snapshots). */
  list(): SessionRecord[] {
    return [...this.#sessions.values()].map((s) => s.record);
  }

  /**
   * Ends a session (idempotent: ending an ended session returns it unchanged and emits nothing).
   * @throws {@link SessionError} `SESSION_NOT_FOUND`; `INVALID_ARGUMENT` for a reason that is not code-like.
   */
  end(id: string, reason: SessionEndReason): SessionRecord {
    const s = this.#require(id);
    if (s.record.state === 'ended') return s.record;
    if (typeof reason !== 'string' || !REASON_RE.test(reason)) throw new SessionError('INVALID_ARGUMENT', 'The end reason must be a short code.');
    s.record = Object.freeze({ ...s.record, state: 'ended', endedAt: this.#now(), endReason: reason });
    this.#persist(true);
    this.#emit('ended', s.record, reason);
    return s.record;
  }

  /**
   * Locks or unlocks a session; emits `lockChanged` when the flag changes.
   * @throws {@link SessionError} `SESSION_NOT_FOUND` or `SESSION_ENDED`.
   */
  setLocked(id: string, locked: boolean): SessionRecord {
    const s = this.#require(id);
    if (s.record.state === 'ended') throw new SessionError('SESSION_ENDED', 'The session has ended.');
    if (s.record.locked === locked) return s.record;
    s.record = Object.freeze({ ...s.record, locked });
    this.#persist(true);
    this.#emit('lockChanged', s.record, locked);
    return s.record;
  }

  /** Bars a participant for good after the host removed it (also records a `removed` event). */
  markRemoved(id: string, participantId: string): void {
    this.#bar(id, participantId, 'removed');
  }

  /** Bars a participant for good after the host denied it entry (also records a `denied` event). */
  markDenied(id: string, participantId: string): void {
    this.#bar(id, participantId, 'denied');
  }

  /** Whether this participant was removed from or denied entry to this session. */
  isBarred(id: string, participantId: string): boolean {
    const p = this.#sessions.get(id)?.participants.get(participantId);
    return p !== undefined && (p.removed || p.denied);
  }

  /** Records that the admin API minted a token for this participant (for "never joined"). */
  recordInvited(id: string, participantId: string, role: Role, at: number = this.#now()): void {
    const p = this.#participant(this.#require(id), participantId);
    if (!ROLE_SET.has(role)) throw new SessionError('INVALID_ARGUMENT', 'Unknown role.');
    p.role ??= role;
    p.invitedAt ??= at;
    this.#persist(false);
  }

  /**
   * Records an attendance event (called by the signalling side).
   * @throws {@link SessionError} `SESSION_NOT_FOUND` or `INVALID_ARGUMENT`.
   */
  recordAttendance(id: string, participantId: string, event: AttendanceEventKind, at: number = this.#now()): void {
    if (!EVENT_SET.has(event) || !Number.isFinite(at)) throw new SessionError('INVALID_ARGUMENT', 'Unknown attendance event.');
    const p = this.#participant(this.#require(id), participantId);
    this.#applyEvent(p, event, at);
    this.#persist(event === 'removed' || event === 'denied');
  }

  /** Attendance of every participant invited or seen, in first-seen order; `undefined` for an unknown session. */
  attendance(id: string): ParticipantAttendance[] | undefined {
    const s = this.#sessions.get(id);
    if (!s) return undefined;
    return [...s.participants].map(([participantId, p]) => ({
      participantId,
      ...(p.role ? { role: p.role } : {}),
      ...(p.invitedAt !== undefined ? { invitedAt: p.invitedAt } : {}),
      neverJoined: p.firstJoinedAt === undefined,
      ...(p.firstJoinedAt !== undefined ? { firstJoinedAt: p.firstJoinedAt } : {}),
      ...(p.lastLeftAt !== undefined ? { lastLeftAt: p.lastLeftAt } : {}),
      reconnects: p.reconnects,
      removed: p.removed,
      denied: p.denied,
      events: p.events.map((e) => ({ ...e })),
    }));
  }

  /** Forgets ended sessions that ended before `before` (unix ms). Returns how many were dropped. */
  pruneEnded(before: number): number {
    let n = 0;
    for (const [id, s] of this.#sessions) {
      if (s.record.state === 'ended' && (s.record.endedAt ?? 0) < before) {
        this.#sessions.delete(id);
        n++;
      }
    }
    if (n > 0) this.#persist(true);
    return n;
  }

  /** Writes any pending change and stops accepting new sessions. Idempotent. */
  close(): void {
    if (this.#closed) return;
    if (this.#pendingWrite) this.#persist(true);
    this.#closed = true;
  }

  // --- internals ---------------------------------------------------------------------------------

  #guardOpen(): void {
    if (this.#closed) throw new SessionError('INVALID_ARGUMENT', 'The registry is closed.');
  }

  #require(id: string): SessionState {
    const s = typeof id === 'string' ? this.#sessions.get(id) : undefined;
    if (!s) throw new SessionError('SESSION_NOT_FOUND', 'No such session.');
    return s;
  }

  #participant(s: SessionState, participantId: string): ParticipantState {
    if (typeof participantId !== 'string' || !ID_RE.test(participantId)) throw new SessionError('INVALID_ARGUMENT', 'Invalid participant id.');
    let p = s.participants.get(participantId);
    if (!p) {
      if (s.participants.size >= MAX_TRACKED_PARTICIPANTS) throw new SessionError('INVALID_ARGUMENT', 'Too many participants tracked for this session.');
      p = { reconnects: 0, removed: false, denied: false, events: [] };
      s.participants.set(participantId, p);
    }
    return p;
  }

  #applyEvent(p: ParticipantState, event: AttendanceEventKind, at: number): void {
    p.events.push({ event, at });
    if (p.events.length > MAX_EVENTS_PER_PARTICIPANT) p.events.splice(0, p.events.length - MAX_EVENTS_PER_PARTICIPANT);
    if ((event === 'joined' || event === 'admitted') && p.firstJoinedAt === undefined) p.firstJoinedAt = at;
    if (event === 'left' || event === 'removed') p.lastLeftAt = at;
    if (event === 'reconnected') p.reconnects++;
    if (event === 'removed') p.removed = true;
    if (event === 'denied') p.denied = true;
  }

  #bar(id: string, participantId: string, why: 'removed' | 'denied'): void {
    const p = this.#participant(this.#require(id), participantId);
    const already = why === 'removed' ? p.removed : p.denied;
    if (!already) this.#applyEvent(p, why, this.#now());
    this.#persist(true);
    if (!already) this.#emit('participantBarred', id, participantId, why);
  }

  #emit<K extends keyof SessionRegistryEvents>(name: K, ...args: SessionRegistryEvents[K]): void {
    try {
      (this.emit as (n: K, ...a: SessionRegistryEvents[K]) => boolean)(name, ...args);
    } catch (error) {
      if (name !== 'listenerError') {
        try {
          this.emit('listenerError', error);
        } catch {
          // ignore
        }
      }
    }
  }

  /** Writes the snapshot now (`urgent`) or coalesced on the next turn of the event loop. */
  #persist(urgent: boolean): void {
    if (!this.#file) return;
    if (!urgent) {
      this.#pendingWrite ??= setImmediate(() => {
        this.#pendingWrite = undefined;
        this.#writeSnapshot();
      });
      return;
    }
    if (this.#pendingWrite) {
      clearImmediate(this.#pendingWrite);
      this.#pendingWrite = undefined;
    }
    this.#writeSnapshot();
  }

  #writeSnapshot(): void {
    const file = this.#file;
    if (!file) return;
    const snapshot: Snapshot = {
      version: 1,
      sessions: [...this.#sessions.values()].map((s) => ({ record: s.record, participants: [...s.participants] })),
    };
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, JSON.stringify(snapshot), { mode: 0o600 });
      const fd = openSync(tmp, 'r+');
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, file);
      syncDir(join(file, '..'));
    } catch (cause) {
      throw new SessionError('PERSISTENCE_FAILED', 'Could not write the session snapshot.', { cause });
    }
  }

  #load(): void {
    const file = this.#file as string;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new SessionError('PERSISTENCE_FAILED', 'Could not read the session snapshot.', { cause: error });
    }
    try {
      const snap = JSON.parse(text) as Snapshot;
      if (snap.version !== 1 || !Array.isArray(snap.sessions)) throw new Error('unknown snapshot version');
      for (const entry of snap.sessions) {
        const r = entry.record;
        if (typeof r?.id !== 'string' || !ID_RE.test(r.id) || (r.state !== 'open' && r.state !== 'ended') || typeof r.locked !== 'boolean') {
          throw new Error('invalid session record');
        }
        const policy = freezePolicy(resolvePolicy(r.policy));
        const record: SessionRecord = Object.freeze({ ...r, policy });
        const participants = new Map<string, ParticipantState>();
        for (const [pid, p] of entry.participants) {
          if (!ID_RE.test(pid) || typeof p.removed !== 'boolean' || typeof p.denied !== 'boolean' || !Array.isArray(p.events)) {
            throw new Error('invalid participant record');
          }
          participants.set(pid, { ...p, events: [...p.events] });
        }
        this.#sessions.set(r.id, { record, participants });
      }
    } catch (cause) {
      throw new SessionError('PERSISTENCE_FAILED', 'The session snapshot is corrupt; refusing to start without it.', { cause });
    }
  }
}

function freezePolicy(p: SessionPolicy): SessionPolicy {
  return Object.freeze({
    ...p,
    jurisdictions: Object.freeze([...p.jurisdictions]),
    checklist: Object.freeze({ ...p.checklist, steps: Object.freeze([...p.checklist.steps]) }),
  });
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
