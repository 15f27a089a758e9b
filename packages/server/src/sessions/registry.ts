/**
 * The session registry: sessions created through the admin API, their policy and the facts that must
 * survive a restart (ended, locked, removed, denied), plus attendance for the admin API.
 * @packageDocumentation
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdirSync } from 'node:fs';
import { ROLES, type Role } from '@alcove/protocol';
import { SessionError } from './errors.js';
import { resolvePolicy } from './policy.js';
import { SessionStore, type JournalOp, type ParticipantState, type Snapshot } from './store.js';
import {
  ATTENDANCE_EVENTS,
  type AttendanceEventKind,
  type ParticipantAttendance,
  type SessionEndReason,
  type SessionPolicy,
  type SessionRecord,
} from './types.js';

export { JOURNAL_FILE, SESSIONS_FILE } from './store.js';

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
  /** Folder for `sessions.json` and `sessions.journal`. Without it, state lives in memory only. */
  readonly dataDir?: string;
  /** Most open sessions held; ended ones are forgotten oldest first to make room. Default 10 000. */
  readonly maxSessions?: number;
  /**
   * How long an ended session is kept (for `GET /v1/sessions/:id` and attendance) before it is
   * forgotten, ms. Default 7 days (longer than any join token lives). Pruning runs on `create`.
   */
  readonly retainEndedMs?: number;
  /** Clock in ms. Default `Date.now`. */
  readonly now?: () => number;
  /** Most open sessions of a tenant (`default` for sessions created without one); `undefined`: no quota. */
  readonly tenantQuota?: (tenant: string) => number | undefined;
}

/** Cap on participants (invited or seen) tracked per session. */
export const MAX_TRACKED_PARTICIPANTS = 1_000;
/** Cap on attendance events kept per participant (summaries stay exact). */
export const MAX_EVENTS_PER_PARTICIPANT = 200;

const ID_RE = /^[A-Za-z0-9_-]{1,64}$/;
const REASON_RE = /^[A-Za-z0-9_.:-]{1,64}$/;
const EVENT_SET = new Set<string>(ATTENDANCE_EVENTS);
const ROLE_SET = new Set<string>(ROLES);

interface SessionState {
  record: SessionRecord;
  participants: Map<string, ParticipantState>;
}

/** Operations without their sequence number (assigned on commit). */
type Op = JournalOp extends infer O ? (O extends JournalOp ? Omit<O, 'seq'> : never) : never;

/**
 * Holds sessions and persists them (an fsync'd journal folded into an atomic snapshot) so that an
 * ended, locked or barred state survives a restart: a locked or waiting-room-gated session never
 * opens itself after a restart, because its policy and `locked` flag are reloaded as they were.
 * Security-relevant changes (create, end, lock, remove, deny) are on disk before the method returns;
 * attendance is written shortly after (batched) and on {@link SessionRegistry.close}.
 * @example
 * ```ts
 * const registry = SessionRegistry.open({ dataDir: '/var/lib/alcove' });
 * const s = registry.create({ maxParticipants: 2, jurisdictions: ['US-CA'] });
 * registry.on('ended', (session, reason) => rooms.close(session.id, reason));
 * ```
 */
export class SessionRegistry extends EventEmitter<SessionRegistryEvents> {
  readonly #sessions = new Map<string, SessionState>();
  readonly #store: SessionStore | undefined;
  readonly #maxSessions: number;
  readonly #now: () => number;
  readonly #retainEndedMs: number;
  readonly #tenantQuota: ((tenant: string) => number | undefined) | undefined;
  #seq = 0;
  #pendingFlush: NodeJS.Immediate | undefined;
  #closed = false;

  private constructor(options: SessionRegistryOptions) {
    super();
    this.#maxSessions = options.maxSessions ?? 10_000;
    this.#now = options.now ?? Date.now;
    this.#retainEndedMs = options.retainEndedMs ?? 7 * 24 * 60 * 60 * 1000;
    this.#tenantQuota = options.tenantQuota;
    this.#store = options.dataDir === undefined ? undefined : new SessionStore(options.dataDir);
  }

  /**
   * Opens the registry, loading the snapshot and journal from `dataDir` when there are any.
   * @throws {@link SessionError} `PERSISTENCE_FAILED` when they exist but cannot be read (the server
   *   refuses to start rather than forget a lock or a removal).
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
    // Only open sessions count against the caps: an ended session stops counting at once (the
    // oldest ended ones are forgotten early to make room).
    const tenant = options.tenant ?? 'default';
    let open = 0;
    let openOfTenant = 0;
    for (const st of this.#sessions.values()) {
      if (st.record.state === 'ended') continue;
      open++;
      if ((st.record.tenant ?? 'default') === tenant) openOfTenant++;
    }
    if (open >= this.#maxSessions) throw new SessionError('TOO_MANY_SESSIONS', 'The registry holds its maximum number of sessions.');
    const quota = this.#tenantQuota?.(tenant);
    if (quota !== undefined && openOfTenant >= quota)
      throw new SessionError('TOO_MANY_SESSIONS', "The tenant's quota of open sessions is reached.");
    if (this.#sessions.size >= this.#maxSessions) this.#pruneOldestEnded(this.#sessions.size - this.#maxSessions + 1);
    let id: string;
    do id = randomBytes(16).toString('base64url');
    while (this.#sessions.has(id));
    const record: SessionRecord = {
      id,
      createdAt: this.#now(),
      policy,
      state: 'open',
      locked: false,
      ...(options.tenant ? { tenant: options.tenant } : {}),
    };
    this.#commit({ op: 'create', record }, true);
    const created = this.#require(id).record;
    this.#emit('created', created);
    return created;
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
    if (typeof reason !== 'string' || !REASON_RE.test(reason))
      throw new SessionError('INVALID_ARGUMENT', 'The end reason must be a short code.');
    this.#commit({ op: 'end', id, at: this.#now(), reason }, true);
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
    this.#commit({ op: 'lock', id, locked: locked === true }, true);
    this.#emit('lockChanged', s.record, locked);
    return s.record;
  }

  /**
   * Changes policy fields of an open session (the admin API's `PATCH …/policy`); the result is
   * resolved and validated like a new policy. Durable before it returns.
   * @throws {@link SessionError} `SESSION_NOT_FOUND`, `SESSION_ENDED` or `INVALID_POLICY`.
   */
  updatePolicy(
    id: string,
    changes: Partial<Pick<SessionPolicy, 'waitingRoom' | 'maxParticipants' | 'idleTimeoutS' | 'screenShare'>>,
  ): SessionRecord {
    const s = this.#require(id);
    if (s.record.state === 'ended') throw new SessionError('SESSION_ENDED', 'The session has ended.');
    const policy = resolvePolicy({ ...s.record.policy, ...changes });
    this.#commit({ op: 'policy', id, policy }, true);
    return this.#require(id).record;
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
    const s = this.#require(id);
    this.#checkParticipant(s, participantId);
    if (!ROLE_SET.has(role)) throw new SessionError('INVALID_ARGUMENT', 'Unknown role.');
    const p = s.participants.get(participantId);
    if (p?.role !== undefined && p.invitedAt !== undefined) return;
    this.#commit({ op: 'invite', id, pid: participantId, role, at }, false);
  }

  /**
   * Records an attendance event (called by the signalling side). `removed` and `denied` also bar.
   * @throws {@link SessionError} `SESSION_NOT_FOUND` or `INVALID_ARGUMENT`.
   */
  recordAttendance(id: string, participantId: string, event: AttendanceEventKind, at: number = this.#now()): void {
    if (!EVENT_SET.has(event) || !Number.isFinite(at)) throw new SessionError('INVALID_ARGUMENT', 'Unknown attendance event.');
    const s = this.#require(id);
    this.#checkParticipant(s, participantId);
    const barring = event === 'removed' || event === 'denied';
    const wasBarred = this.isBarred(id, participantId);
    this.#commit({ op: 'event', id, pid: participantId, event, at }, barring);
    if (barring && !wasBarred) this.#emit('participantBarred', id, participantId, event);
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

  /** Forgets the `count` ended sessions that ended first (to make room for a new one). */
  #pruneOldestEnded(count: number): void {
    const ended = [...this.#sessions.values()]
      .filter((st) => st.record.state === 'ended')
      .sort((a, b) => (a.record.endedAt ?? 0) - (b.record.endedAt ?? 0))
      .slice(0, count)
      .map((st) => st.record.id);
    if (ended.length > 0) this.#commit({ op: 'prune', ids: ended }, true);
  }

  /** Forgets ended sessions that ended before `before` (unix ms). Returns how many were dropped. */
  pruneEnded(before: number): number {
    const ids: string[] = [];
    for (const [id, s] of this.#sessions) if (s.record.state === 'ended' && (s.record.endedAt ?? 0) < before) ids.push(id);
    if (ids.length > 0) this.#commit({ op: 'prune', ids }, true);
    return ids.length;
  }

  /** Writes everything pending and stops accepting new sessions. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#pendingFlush) clearImmediate(this.#pendingFlush);
    this.#pendingFlush = undefined;
    this.#persistSafely(() => this.#store?.close());
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

  #checkParticipant(s: SessionState, participantId: string): void {
    if (typeof participantId !== 'string' || !ID_RE.test(participantId))
      throw new SessionError('INVALID_ARGUMENT', 'Invalid participant id.');
    if (!s.participants.has(participantId) && s.participants.size >= MAX_TRACKED_PARTICIPANTS) {
      throw new SessionError('INVALID_ARGUMENT', 'Too many participants tracked for this session.');
    }
  }

  #bar(id: string, participantId: string, why: 'removed' | 'denied'): void {
    const s = this.#require(id);
    this.#checkParticipant(s, participantId);
    const p = s.participants.get(participantId);
    if (p && (why === 'removed' ? p.removed : p.denied)) return;
    this.recordAttendance(id, participantId, why);
  }

  /**
   * Persists then applies an operation. `durable`: journal line fsync'd before returning (a failure
   * throws `PERSISTENCE_FAILED` and changes nothing); otherwise batched to the next event-loop turn.
   */
  #commit(op: Op, durable: boolean): void {
    const full = { ...op, seq: this.#seq + 1 } as JournalOp;
    if (this.#store) {
      if (durable) {
        this.#persistSafely(() => {
          this.#store?.flush();
          this.#store?.append([full], true);
        });
      } else {
        this.#store.buffer(full);
        this.#pendingFlush ??= setImmediate(() => {
          this.#pendingFlush = undefined;
          try {
            this.#persistSafely(() => this.#store?.flush());
          } catch {
            // Reported through the next durable write, which flushes first.
          }
        });
      }
    }
    this.#seq = full.seq;
    this.#apply(full);
    if (this.#store?.dueForCompaction) {
      try {
        this.#persistSafely(() => this.#store?.compact(this.#snapshot()));
      } catch {
        // The journal still holds everything; compaction is retried on the next write.
      }
    }
  }

  #persistSafely(write: () => void): void {
    try {
      write();
    } catch (cause) {
      throw new SessionError('PERSISTENCE_FAILED', 'Could not write the session journal.', { cause });
    }
  }

  /** Applies an operation to memory (also used to replay the journal). */
  #apply(op: JournalOp): void {
    if (op.op === 'create') {
      const r = op.record;
      if (!ID_RE.test(r.id) || this.#sessions.has(r.id)) return;
      this.#sessions.set(r.id, { record: freezeRecord({ ...r, policy: resolvePolicy(r.policy) }), participants: new Map() });
      return;
    }
    if (op.op === 'prune') {
      for (const id of op.ids) this.#sessions.delete(id);
      return;
    }
    const s = this.#sessions.get(op.id);
    if (!s) return;
    if (op.op === 'end') {
      if (s.record.state !== 'ended') s.record = freezeRecord({ ...s.record, state: 'ended', endedAt: op.at, endReason: op.reason });
    } else if (op.op === 'lock') {
      s.record = freezeRecord({ ...s.record, locked: op.locked });
    } else if (op.op === 'policy') {
      s.record = freezeRecord({ ...s.record, policy: resolvePolicy(op.policy) });
    } else {
      let p = s.participants.get(op.pid);
      if (!p) {
        p = { reconnects: 0, removed: false, denied: false, events: [] };
        s.participants.set(op.pid, p);
      }
      if (op.op === 'invite') {
        p.role ??= op.role;
        p.invitedAt ??= op.at;
      } else {
        applyEvent(p, op.event, op.at);
      }
    }
  }

  #snapshot(): Snapshot {
    return {
      version: 1,
      lastSeq: this.#seq,
      sessions: [...this.#sessions.values()].map((s) => ({ record: s.record, participants: [...s.participants] })),
    };
  }

  #load(): void {
    try {
      const { snapshot, ops } = (this.#store as SessionStore).load();
      if (snapshot) {
        for (const entry of snapshot.sessions) {
          const r = entry.record;
          if (
            typeof r?.id !== 'string' ||
            !ID_RE.test(r.id) ||
            (r.state !== 'open' && r.state !== 'ended') ||
            typeof r.locked !== 'boolean'
          ) {
            throw new Error('invalid session record');
          }
          const participants = new Map<string, ParticipantState>();
          for (const [pid, p] of entry.participants) {
            if (!ID_RE.test(pid) || typeof p.removed !== 'boolean' || typeof p.denied !== 'boolean' || !Array.isArray(p.events)) {
              throw new Error('invalid participant record');
            }
            participants.set(pid, { ...p, events: [...p.events] });
          }
          this.#sessions.set(r.id, { record: freezeRecord({ ...r, policy: resolvePolicy(r.policy) }), participants });
        }
        this.#seq = snapshot.lastSeq;
      }
      for (const op of ops) {
        this.#apply(op);
        this.#seq = op.seq;
      }
    } catch (cause) {
      throw new SessionError('PERSISTENCE_FAILED', 'The session snapshot or journal is corrupt; refusing to start without it.', { cause });
    }
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
}

function applyEvent(p: ParticipantState, event: AttendanceEventKind, at: number): void {
  p.events.push({ event, at });
  if (p.events.length > MAX_EVENTS_PER_PARTICIPANT) p.events.splice(0, p.events.length - MAX_EVENTS_PER_PARTICIPANT);
  if ((event === 'joined' || event === 'admitted') && p.firstJoinedAt === undefined) p.firstJoinedAt = at;
  if (event === 'left' || event === 'removed') p.lastLeftAt = at;
  if (event === 'reconnected') p.reconnects++;
  if (event === 'removed') p.removed = true;
  if (event === 'denied') p.denied = true;
}

function freezeRecord(r: SessionRecord): SessionRecord {
  const p = r.policy;
  return Object.freeze({
    ...r,
    policy: Object.freeze({
      ...p,
      jurisdictions: Object.freeze([...p.jurisdictions]),
      checklist: Object.freeze({
        ...p.checklist,
        steps: Object.freeze(p.checklist.steps.map((s) => Object.freeze({ ...s }))),
        ...(p.checklist.consent ? { consent: Object.freeze({ ...p.checklist.consent }) } : {}),
      }),
    }),
  });
}
