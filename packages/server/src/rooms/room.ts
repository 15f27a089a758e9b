/**
 * One live session: who is waiting, who is admitted, the grace window after a drop, admission and
 * host actions, and the fan-out of notifications. State changes happen synchronously (no `await`
 * between a check and its effect), so limits hold under concurrent joins.
 * @packageDocumentation
 */
import {
  CHAT_LIMITS,
  createNotification,
  type JoinTokenClaims,
  type MediaKind,
  type NotificationData,
  type NotificationMethod,
  type ProducerInfo,
  type RequestData,
  type ResponseData,
  type ServerMessage,
  type TrackSource,
} from '@alcove/protocol';
import type { IceServer } from '@alcove/protocol';
import { ChecklistDesk } from '../checklist/checklist-desk.js';
import type { Logger } from '../logger.js';
import type { MediaRoom } from '../media/media-room.js';
import type { NetworkTests } from '../media/network-test.js';
import { checklistPolicyInfo } from '../sessions/checklist-policy.js';
import type { SessionPolicy, SessionRecord } from '../sessions/types.js';
import { RequestError } from '../signaling/request-error.js';
import type { RoomEvents, RoomRegistry, RoomTickets } from './deps.js';
import { Participant, type RoomConnection } from './participant.js';
import { mayPublishSource } from './permissions.js';

/** Close codes rooms use (4000–4999 are application codes). */
export const CLOSE_CODES = { normal: 1000, replaced: 4001, removed: 4003, denied: 4004, ended: 4005, shutdown: 1001 } as const;

/** Why a room ended. */
export type RoomEndReason = 'host' | 'admin' | 'idle' | 'shutdown' | 'host-absent';

type JoinedResult = ResponseData<'session.join'>;

/** Construction options of {@link Room}. */
export interface RoomOptions {
  readonly sessionId: string;
  readonly registry: RoomRegistry;
  readonly tickets: RoomTickets;
  readonly events: RoomEvents;
  readonly logger: Logger;
  readonly media: MediaRoom;
  /** The checklist's network tests (routers of their own, never the room's). */
  readonly networkTests: NetworkTests;
  readonly graceMs: number;
  readonly heartbeatMs: number;
  /** Fresh TURN credentials for one admitted participant (absent without TURN). */
  readonly iceServers?: () => IceServer[];
  /** A waiting entry not admitted within this long is ended (`waiting-expired`). Default: never. */
  readonly waitingTimeoutMs?: number;
  /** The room ends (`host-absent`) after this long without a connected host. Default: never. */
  readonly hostAbsentTimeoutMs?: number;
  readonly now: () => number;
  /** Called once the room has ended and released everything. */
  readonly onClosed: () => void;
}

/** See the file header. */
export class Room {
  readonly sessionId: string;
  readonly media: MediaRoom;
  readonly networkTests: NetworkTests;
  /** The pre-session checklist: submissions, admission requirements, the sealed channel. */
  readonly checklist: ChecklistDesk;
  readonly #o: RoomOptions;
  readonly #participants = new Map<string, Participant>();
  readonly #policy: SessionPolicy;
  #screenShare: 'host' | 'everyone' | 'nobody';
  #idleTimer: NodeJS.Timeout | undefined;
  #hostTimer: NodeJS.Timeout | undefined;
  /** Whether a host has been connected at some point (host absence counts from then on). */
  #hostSeen = false;
  /** The hosts list last sent to waiting guests (`session.hosts`), to send only changes. In memory only. */
  #sessionHostsKey = '[]';
  readonly #waitTimers = new Map<Participant, NodeJS.Timeout>();
  #ended = false;

  constructor(options: RoomOptions, record: SessionRecord) {
    this.#o = options;
    this.sessionId = options.sessionId;
    this.media = options.media;
    this.networkTests = options.networkTests;
    this.#policy = record.policy;
    this.#screenShare = record.policy.screenShare;
    this.checklist = new ChecklistDesk({
      sessionId: this.sessionId,
      policy: () => this.#policy,
      participant: (id) => this.#participants.get(id),
      participants: () => this.#participants.values(),
      send: (p, method, data) => this.#send(p, method, data),
      waitingChanged: () => this.#waitingChanged(),
      events: options.events,
      logger: options.logger,
      now: options.now,
    });
    this.#armIdle();
    this.#checkHosts();
  }

  /** Whether the room has ended. */
  get ended(): boolean {
    return this.#ended;
  }

  /** A participant by id. */
  participant(id: string): Participant | undefined {
    return this.#participants.get(id);
  }

  /** Live participants (tests, admin `liveParticipants`). */
  participants(): readonly Participant[] {
    return [...this.#participants.values()];
  }

  /** Whether a participant may publish from a source now (screen-share policy, role). */
  mayProduce(participantId: string, source: TrackSource): boolean {
    const p = this.#participants.get(participantId);
    return p?.admitted === true && mayPublishSource(p.role, source, this.#screenShare);
  }

  // --- entering --------------------------------------------------------------------------------

  /**
   * A verified token joins. Synchronous from the checks to the insertion.
   * @throws {@link RequestError} `SESSION_NOT_FOUND`, `SESSION_ENDED`, `INVALID_TOKEN` (barred),
   * `E2EE_REQUIRED`, `SESSION_LOCKED`, `SESSION_FULL`.
   */
  join(conn: RoomConnection, claims: JoinTokenClaims, e2eeCapable: boolean): { participant: Participant; result: JoinedResult } {
    const record = this.#record();
    if (this.#o.registry.isBarred(this.sessionId, claims.pid))
      throw new RequestError('INVALID_TOKEN', 'The join token is not valid.', { closeAfter: true });
    if (record.policy.e2eeRequired && !e2eeCapable) {
      throw new RequestError('E2EE_REQUIRED', 'this session requires end-to-end encryption', { closeAfter: true });
    }
    const isHost = claims.role === 'host';
    if (record.locked && !isHost) throw new RequestError('SESSION_LOCKED', 'the session is locked', { closeAfter: true });
    const existing = this.#participants.get(claims.pid);
    const occupied = this.#participants.size - (existing ? 1 : 0);
    if (occupied >= record.policy.maxParticipants) throw new RequestError('SESSION_FULL', 'the session is full', { closeAfter: true });
    // A second join with the same participant id replaces the earlier presence; admission runs again.
    if (existing) this.#depart(existing, 'left', CLOSE_CODES.replaced);
    const admitted = isHost || !record.policy.waitingRoom;
    const now = this.#o.now();
    const p = new Participant({
      id: claims.pid,
      role: claims.role,
      displayName: claims.name,
      credentials: isHost ? claims.cred : undefined,
      state: admitted ? 'admitted' : 'waiting',
      connection: conn,
      since: now,
    });
    this.#participants.set(p.id, p);
    this.#disarmIdle();
    if (admitted) {
      this.#o.events.audit({
        type: 'participant.joined',
        sessionId: this.sessionId,
        participantId: p.id,
        role: p.role,
        actor: 'participant',
      });
      this.#o.registry.recordAttendance(this.sessionId, p.id, 'joined', now);
      const result = this.#joinedResult(p, this.#o.tickets.issue(this.sessionId, p.id));
      this.#broadcast('participant.joined', p.info(), p.id);
      this.#o.events.webhook('participant.joined', { sessionId: this.sessionId, participantId: p.id, role: p.role });
      if (isHost) this.#sessionHostsChanged();
      return { participant: p, result };
    }
    this.checklist.attach(p);
    this.#armWaiting(p);
    this.#o.registry.recordAttendance(this.sessionId, p.id, 'waiting', now);
    this.#o.events.audit({
      type: 'participant.waiting',
      sessionId: this.sessionId,
      participantId: p.id,
      role: p.role,
      actor: 'participant',
    });
    this.#o.events.webhook('participant.waiting', { sessionId: this.sessionId, participantId: p.id, role: p.role });
    this.#waitingChanged();
    return { participant: p, result: { ...this.#baseResult(p), state: 'waiting', sessionHosts: this.#sessionHosts() } };
  }

  /**
   * A redeemed resume ticket reattaches its participant (kept during the grace window).
   * @throws {@link RequestError} `INVALID_TOKEN` when the participant is gone or barred.
   */
  resume(conn: RoomConnection, participantId: string): { participant: Participant; result: JoinedResult } {
    this.#record();
    const p = this.#participants.get(participantId);
    if (!p?.admitted || this.#o.registry.isBarred(this.sessionId, participantId)) {
      throw new RequestError('INVALID_TOKEN', 'The join token is not valid.', { closeAfter: true });
    }
    const old = p.connection;
    p.connection = conn;
    if (old) old.close(CLOSE_CODES.replaced, 'replaced');
    if (p.graceTimer) clearTimeout(p.graceTimer);
    p.graceTimer = undefined;
    this.#disarmIdle();
    this.#o.registry.recordAttendance(this.sessionId, p.id, 'reconnected', this.#o.now());
    this.#o.events.audit({
      type: 'participant.reconnected',
      sessionId: this.sessionId,
      participantId: p.id,
      role: p.role,
      actor: 'participant',
    });
    this.#o.events.webhook('participant.reconnected', { sessionId: this.sessionId, participantId: p.id, role: p.role });
    this.#broadcast('participant.updated', p.info(), p.id);
    return { participant: p, result: this.#joinedResult(p, this.#o.tickets.issue(this.sessionId, p.id)) };
  }

  /** The connection of `p` closed: waiting participants leave, admitted ones enter the grace window. */
  detach(p: Participant, conn: RoomConnection): void {
    if (p.connection !== conn || this.#participants.get(p.id) !== p) return;
    p.connection = undefined;
    if (this.#ended) return;
    if (!p.admitted) {
      this.#depart(p, 'left');
    } else {
      this.#o.registry.recordAttendance(this.sessionId, p.id, 'reconnecting', this.#o.now());
      this.#broadcast('participant.updated', p.info(), p.id);
      p.graceTimer = setTimeout(() => {
        p.graceTimer = undefined;
        if (this.#participants.get(p.id) === p && !p.connection) this.#depart(p, 'timeout');
      }, this.#o.graceMs);
      p.graceTimer.unref?.();
    }
    this.#armIdle();
  }

  /** `session.leave`. */
  leave(p: Participant): void {
    this.#depart(p, 'left', CLOSE_CODES.normal);
    this.#armIdle();
  }

  // --- host actions ----------------------------------------------------------------------------

  /** `host.admit`: a waiting participant enters. `'admin'`: the admin API acts (audited as such). */
  admit(host: Participant | 'admin', participantId: string): void {
    const p = this.#waiting(participantId);
    this.#record();
    this.checklist.checkAdmission(p);
    p.state = 'admitted';
    this.#disarmWaiting(p);
    this.#checkHosts();
    const now = this.#o.now();
    this.#o.registry.recordAttendance(this.sessionId, p.id, 'admitted', now);
    const ticket = this.#o.tickets.issue(this.sessionId, p.id);
    this.#send(p, 'session.admitted', {
      resumeTicket: ticket,
      participants: this.#others(p),
      producers: this.media.producers(p.id),
      ...this.#iceServers(),
    });
    this.#broadcast('participant.joined', p.info(), p.id);
    this.#waitingChanged();
    this.#o.events.audit({
      type: 'participant.admitted',
      sessionId: this.sessionId,
      participantId: p.id,
      role: p.role,
      ...actorOf(host),
    });
    this.#o.events.webhook('participant.admitted', { sessionId: this.sessionId, participantId: p.id, role: p.role });
  }

  /** `host.deny`: a waiting participant is turned away for good. */
  deny(host: Participant | 'admin', participantId: string): void {
    const p = this.#waiting(participantId);
    this.#o.registry.markDenied(this.sessionId, p.id);
    this.#o.tickets.revokeParticipant(this.sessionId, p.id);
    this.#send(p, 'session.denied', {});
    this.#participants.delete(p.id);
    this.#disarmWaiting(p);
    this.checklist.forget(p);
    this.networkTests.closeParticipant(p.id);
    p.connection?.close(CLOSE_CODES.denied, 'denied');
    p.connection = undefined;
    this.#waitingChanged();
    this.#o.events.audit({
      type: 'participant.denied',
      sessionId: this.sessionId,
      participantId: p.id,
      role: p.role,
      ...actorOf(host),
    });
    this.#o.events.webhook('participant.denied', { sessionId: this.sessionId, participantId: p.id, role: p.role });
    this.#armIdle();
  }

  /** `host.remove`: anyone but the caller leaves for good (token and ticket barred). */
  remove(host: Participant | 'admin', participantId: string): void {
    const p = this.#participants.get(participantId);
    if (!p) throw new RequestError('NOT_FOUND', 'no such participant');
    if (p === host) throw new RequestError('INVALID_STATE', 'a host cannot remove itself; use session.leave');
    this.#o.registry.markRemoved(this.sessionId, p.id);
    this.#o.tickets.revokeParticipant(this.sessionId, p.id);
    this.#send(p, 'session.removed', {});
    this.#depart(p, 'removed', CLOSE_CODES.removed);
    this.#o.events.audit({
      type: 'participant.removed',
      sessionId: this.sessionId,
      participantId: p.id,
      role: p.role,
      ...actorOf(host),
    });
    this.#o.events.webhook('participant.removed', { sessionId: this.sessionId, participantId: p.id, role: p.role });
    this.#armIdle();
  }

  /** `host.lock` / `host.unlock`. */
  setLocked(host: Participant | 'admin', locked: boolean): void {
    this.#record();
    this.#o.registry.setLocked(this.sessionId, locked);
    this.#broadcast('session.lockChanged', { locked });
    this.#o.events.audit({
      type: locked ? 'session.locked' : 'session.unlocked',
      sessionId: this.sessionId,
      ...actorOf(host),
    });
    this.#o.events.webhook(locked ? 'session.locked' : 'session.unlocked', { sessionId: this.sessionId });
  }

  /** `host.requestMute`: asks an admitted participant to mute a kind of track. */
  requestMute(host: Participant | 'admin', participantId: string, kind: MediaKind): void {
    const p = this.#participants.get(participantId);
    if (!p?.admitted) throw new RequestError('NOT_FOUND', 'no such participant');
    this.#send(p, 'host.muteRequested', { kind });
    this.#o.events.audit({
      type: 'host.muteRequested',
      sessionId: this.sessionId,
      participantId: p.id,
      ...actorOf(host),
      detail: { kind },
    });
  }

  /** `host.setScreenShare`: changes who may share; closes screen tracks no longer allowed. */
  setScreenShare(host: Participant | 'admin', allowed: 'host' | 'everyone' | 'nobody'): void {
    const before = this.#screenShare;
    this.#screenShare = allowed;
    if (before !== allowed) {
      this.#o.events.audit({
        type: 'session.screenShareChanged',
        sessionId: this.sessionId,
        ...actorOf(host),
        detail: { from: before, to: allowed },
      });
    }
    this.media.closeProducersWhere(
      (owner, source) => (source === 'screen' || source === 'screen-audio') && !this.mayProduce(owner, source),
    );
    this.#broadcast('session.policyChanged', { screenShare: allowed });
  }

  /**
   * Ends the room: everyone is told `session.ended`, connections close, media is released, tickets
   * revoked. `host.end` and the admin API also mark the session ended in the registry. Idempotent.
   */
  end(reason: RoomEndReason): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#disarmIdle();
    for (const timer of this.#waitTimers.values()) clearTimeout(timer);
    this.#waitTimers.clear();
    if (reason !== 'shutdown') {
      try {
        this.#o.registry.end(this.sessionId, reason);
      } catch (error) {
        this.#o.logger.warn('room.endFailed', { sessionId: this.sessionId, error: errorName(error) });
      }
      this.#o.tickets.revokeSession(this.sessionId);
    }
    for (const p of this.#participants.values()) {
      if (p.graceTimer) clearTimeout(p.graceTimer);
      if (reason === 'shutdown') {
        this.#send(p, 'session.shutdown', { retryAfterMs: 2000 });
      } else {
        this.#send(p, 'session.ended', { reason });
        this.#o.registry.recordAttendance(this.sessionId, p.id, 'left', this.#o.now());
      }
      p.connection?.close(reason === 'shutdown' ? CLOSE_CODES.shutdown : CLOSE_CODES.ended, reason === 'shutdown' ? 'shutdown' : 'ended');
      p.connection = undefined;
    }
    this.#participants.clear();
    this.checklist.close();
    this.networkTests.close();
    this.media.close();
    if (reason === 'host' || reason === 'idle' || reason === 'host-absent') {
      // The admin API records its own ends.
      this.#o.events.audit({ type: 'session.ended', sessionId: this.sessionId, reason, actor: reason === 'host' ? 'host' : 'system' });
      this.#o.events.webhook('session.ended', { sessionId: this.sessionId, reason });
    }
    this.#o.onClosed();
  }

  // --- messages between participants -------------------------------------------------------------

  /** `checklist.submit`: see {@link ChecklistDesk.submit}. */
  submitChecklist(p: Participant, data: RequestData<'checklist.submit'>): ResponseData<'checklist.submit'> {
    this.#record();
    return this.checklist.submit(p, data);
  }

  /** `checklist.relay`: see {@link ChecklistDesk.relay}. */
  relayChecklist(p: Participant, data: RequestData<'checklist.relay'>): void {
    this.#record();
    this.checklist.relay(p, data);
  }

  /**
   * `chat.send`: relays once per (sender, id); a re-send is acknowledged with the first time. Each
   * admitted recipient named in `keys` gets the sealed body with its own wrapped key, nobody else;
   * the room never sees the text (it is sealed end to end). A recipient's share over
   * `CHAT_LIMITS.maxSealedBytes` is refused with `PAYLOAD_TOO_LARGE` before anything is relayed.
   */
  chat(p: Participant, data: RequestData<'chat.send'>): ResponseData<'chat.send'> {
    const bodyBytes = Buffer.byteLength(data.body, 'base64');
    for (const k of data.keys) {
      if (bodyBytes + Buffer.byteLength(k.key, 'base64') > CHAT_LIMITS.maxSealedBytes) {
        throw new RequestError(
          'PAYLOAD_TOO_LARGE',
          `a chat message holds at most ${CHAT_LIMITS.maxSealedBytes} sealed bytes per recipient`,
        );
      }
    }
    const at = this.#o.now();
    const earlier = p.rememberChat(data.id, at);
    if (earlier !== undefined) return { id: data.id, at: earlier };
    const done = new Set<string>();
    for (const k of data.keys) {
      const q = this.#participants.get(k.to);
      if (!q || q === p || !q.admitted || done.has(q.id)) continue;
      done.add(q.id);
      this.#send(q, 'chat.message', { id: data.id, from: p.id, seq: data.seq, at, body: data.body, key: k.key });
    }
    return { id: data.id, at };
  }

  /** `chat.relay`: one chat pair-channel message (handshake, key confirmation) to one admitted peer. */
  relayChat(p: Participant, data: RequestData<'chat.relay'>): void {
    const q = this.#participants.get(data.to);
    if (!q || q === p || !q.admitted) throw new RequestError('NOT_FOUND', 'no such peer');
    if (!q.connection) throw new RequestError('INVALID_STATE', 'the peer is reconnecting');
    this.#send(q, 'chat.control', { from: p.id, type: data.type, payload: data.payload });
  }

  /** `e2ee.publishKey`: the identity key goes to the others with the participant's info. */
  publishKey(p: Participant, identityKey: string): void {
    p.identityKey = identityKey;
    this.#broadcast('participant.updated', p.info(), p.id);
    if (p.role === 'host') this.checklist.hostsMaybeChanged();
  }

  /** `e2ee.relay`: one sealed control message to one admitted peer. */
  relay(p: Participant, data: { to: string; type: 'commit' | 'reveal' | 'sealed' | 'roster'; payload: string }): void {
    const q = this.#participants.get(data.to);
    if (!q || q === p || !q.admitted) throw new RequestError('NOT_FOUND', 'no such peer');
    if (!q.connection) throw new RequestError('INVALID_STATE', 'the peer is reconnecting');
    this.#send(q, 'e2ee.message', { from: p.id, type: data.type, payload: data.payload });
  }

  /** `e2ee.verified`: the pair compared their safety code; the peer and hosts learn it. */
  verified(p: Participant, peer: string): void {
    const q = this.#participants.get(peer);
    if (!q || q === p || !q.admitted) throw new RequestError('NOT_FOUND', 'no such peer');
    const note = { participantId: p.id, peer };
    for (const r of this.#participants.values())
      if (r.admitted && r !== p && (r === q || r.role === 'host')) this.#send(r, 'e2ee.peerVerified', note);
    this.#o.events.audit({ type: 'e2ee.verified', sessionId: this.sessionId, participantId: peer, actorId: p.id, actor: 'participant' });
    this.#o.events.webhook('e2ee.verified', { sessionId: this.sessionId, participantIds: [p.id, peer] });
  }

  /**
   * The media engine closed a producer whose frames lacked the E2EE trailer (a client that claims
   * E2EE and sends plaintext): the owner and hosts learn why, everyone else only that it closed;
   * one audit line, one warning (codes only).
   */
  producerNotEncrypted(info: ProducerInfo, check: string): void {
    this.#o.events.audit({
      type: 'e2ee.notEncrypted',
      sessionId: this.sessionId,
      participantId: info.participantId,
      actor: 'system',
      reason: 'E2EE_NOT_ENCRYPTED',
      detail: { source: info.source, check },
    });
    this.#o.logger.warn('media.e2eeNotEncrypted', { sessionId: this.sessionId, source: info.source, check });
    const why = { producerId: info.producerId, reason: 'E2EE_NOT_ENCRYPTED' as const };
    for (const q of this.#participants.values()) {
      if (!q.admitted) continue;
      if (q.id === info.participantId || q.role === 'host') this.#send(q, 'media.producerClosed', why);
      else this.#send(q, 'media.producerClosed', { producerId: info.producerId });
    }
  }

  /** The media adapter's producer events, fanned out to the other admitted participants. */
  producerEvent(event: 'added' | 'closed' | 'paused' | 'resumed', info: ProducerInfo): void {
    if (event === 'added') this.#broadcast('media.producerAdded', info, info.participantId);
    else if (event === 'closed') this.#broadcast('media.producerClosed', { producerId: info.producerId }, info.participantId);
    else if (event === 'paused') this.#broadcast('media.producerPaused', { producerId: info.producerId }, info.participantId);
    else this.#broadcast('media.producerResumed', { producerId: info.producerId }, info.participantId);
  }

  /** Sends a notification to one participant by id (media adapter). */
  notify<M extends NotificationMethod>(participantId: string, method: M, data: NotificationData<M>): void {
    const p = this.#participants.get(participantId);
    if (p) this.#send(p, method, data);
  }

  // --- internals -------------------------------------------------------------------------------

  #record(): SessionRecord {
    const record = this.#o.registry.get(this.sessionId);
    if (!record) throw new RequestError('SESSION_NOT_FOUND', 'no such session', { closeAfter: true });
    if (record.state === 'ended' || this.#ended) throw new RequestError('SESSION_ENDED', 'the session has ended', { closeAfter: true });
    return record;
  }

  #waiting(participantId: string): Participant {
    const p = this.#participants.get(participantId);
    if (!p || p.admitted) throw new RequestError('NOT_FOUND', 'nobody with this id is waiting');
    return p;
  }

  #baseResult(p: Participant): JoinedResult {
    const record = this.#record();
    const pol = record.policy;
    return {
      sessionId: this.sessionId,
      participantId: p.id,
      role: p.role,
      state: p.admitted ? 'joined' : 'waiting',
      policy: {
        waitingRoom: pol.waitingRoom,
        e2eeRequired: pol.e2eeRequired,
        locked: record.locked,
        screenShare: this.#screenShare,
        maxParticipants: pol.maxParticipants,
        recording: false,
        ...withChecklist(pol),
      },
      ...this.checklist.joinFields(p),
      heartbeatMs: this.#o.heartbeatMs,
    };
  }

  #joinedResult(p: Participant, ticket: string): JoinedResult {
    return {
      ...this.#baseResult(p),
      state: 'joined',
      resumeTicket: ticket,
      participants: this.#others(p),
      producers: this.media.producers(p.id),
      ...(p.role === 'host' ? { waiting: this.#waitingList() } : {}),
      ...this.#iceServers(),
    };
  }

  /** TURN credentials for an admitted participant, issued afresh on each join, resume and admission. */
  #iceServers(): { iceServers?: IceServer[] } {
    return this.#o.iceServers ? { iceServers: this.#o.iceServers() } : {};
  }

  #others(p: Participant) {
    const out = [];
    for (const q of this.#participants.values()) if (q !== p && q.admitted) out.push(q.info());
    return out;
  }

  #waitingList() {
    const out = [];
    for (const q of this.#participants.values()) if (!q.admitted) out.push(q.waitingEntry());
    return out;
  }

  #waitingChanged(): void {
    const waiting = this.#waitingList();
    for (const h of this.#participants.values()) if (h.role === 'host' && h.admitted) this.#send(h, 'waitingRoom.changed', { waiting });
  }

  /** The hosts in the room as waiting guests see them (names and credentials lines, text only). */
  #sessionHosts() {
    const out = [];
    for (const q of this.#participants.values()) if (q.role === 'host' && q.admitted) out.push(q.sessionHost());
    return out;
  }

  /** Tells every waiting participant `session.hosts` when the hosts' names or credentials changed. */
  #sessionHostsChanged(): void {
    const hosts = this.#sessionHosts();
    const key = JSON.stringify(hosts);
    if (key === this.#sessionHostsKey) return;
    this.#sessionHostsKey = key;
    for (const q of this.#participants.values()) if (!q.admitted) this.#send(q, 'session.hosts', { hosts });
  }

  /** Takes a participant out of the room for good (media closed, others told). */
  #depart(p: Participant, reason: 'left' | 'removed' | 'timeout' | 'waiting-expired', closeCode?: number): void {
    if (this.#participants.get(p.id) !== p) return;
    this.#participants.delete(p.id);
    this.#disarmWaiting(p);
    if (p.graceTimer) clearTimeout(p.graceTimer);
    p.graceTimer = undefined;
    if (reason !== 'removed') {
      this.#o.tickets.revokeParticipant(this.sessionId, p.id);
      this.#o.registry.recordAttendance(this.sessionId, p.id, 'left', this.#o.now());
      this.#o.events.audit({
        type: 'participant.left',
        sessionId: this.sessionId,
        participantId: p.id,
        role: p.role,
        reason,
        actor: reason === 'timeout' || reason === 'waiting-expired' ? 'system' : 'participant',
      });
      this.#o.events.webhook('participant.left', { sessionId: this.sessionId, participantId: p.id, role: p.role });
    }
    const conn = p.connection;
    p.connection = undefined;
    if (conn && closeCode !== undefined) conn.close(closeCode, reason);
    this.checklist.forget(p);
    this.networkTests.closeParticipant(p.id);
    if (p.admitted) {
      this.media.closeParticipant(p.id);
      this.#broadcast('participant.left', { participantId: p.id, reason: reason === 'waiting-expired' ? 'left' : reason });
      if (p.role === 'host') {
        this.checklist.hostsMaybeChanged();
        this.#sessionHostsChanged();
      }
    } else {
      this.#waitingChanged();
    }
  }

  #send<M extends NotificationMethod>(p: Participant, method: M, data: NotificationData<M>): void {
    p.connection?.send(createNotification(method, data) as ServerMessage);
  }

  /** To every connected admitted participant except `except`. Waiting participants never get these. */
  #broadcast<M extends NotificationMethod>(method: M, data: NotificationData<M>, except?: string): void {
    const msg = createNotification(method, data) as ServerMessage;
    for (const q of this.#participants.values()) if (q.admitted && q.id !== except) q.connection?.send(msg);
  }

  /** Arms the waiting-room expiry of `p` (see {@link RoomOptions.waitingTimeoutMs}). */
  #armWaiting(p: Participant): void {
    const ms = this.#o.waitingTimeoutMs;
    if (ms === undefined) return;
    const timer = setTimeout(() => {
      this.#waitTimers.delete(p);
      if (this.#ended || this.#participants.get(p.id) !== p || p.admitted) return;
      this.#send(p, 'session.ended', { reason: 'waiting-expired' });
      this.#depart(p, 'waiting-expired', CLOSE_CODES.ended);
      this.#armIdle();
    }, ms);
    timer.unref?.();
    this.#waitTimers.set(p, timer);
  }

  #disarmWaiting(p: Participant): void {
    const timer = this.#waitTimers.get(p);
    if (timer) clearTimeout(timer);
    this.#waitTimers.delete(p);
  }

  /**
   * Arms the host-absence timer while no host is connected (an admitted host within its grace
   * window is not connected) — once a host has been here, or while anyone is admitted without one —
   * and disarms it when a host is back (see {@link RoomOptions.hostAbsentTimeoutMs}). Clients who
   * only wait for a host that has not arrived yet are left to the waiting-room expiry.
   */
  #checkHosts(): void {
    const ms = this.#o.hostAbsentTimeoutMs;
    if (ms === undefined) return;
    let present = false;
    let admitted = false;
    for (const p of this.#participants.values()) {
      if (p.role === 'host' && p.admitted && p.connection) present = true;
      if (p.admitted) admitted = true;
    }
    if (present) this.#hostSeen = true;
    if (present || this.#ended || (!this.#hostSeen && !admitted)) {
      if (this.#hostTimer) clearTimeout(this.#hostTimer);
      this.#hostTimer = undefined;
      return;
    }
    if (this.#hostTimer) return;
    this.#hostTimer = setTimeout(() => {
      this.#hostTimer = undefined;
      this.#o.logger.info('room.hostAbsent', { sessionId: this.sessionId });
      this.end('host-absent');
    }, ms);
    this.#hostTimer.unref?.();
  }

  #armIdle(): void {
    this.#checkHosts();
    if (this.#ended || this.#idleTimer) return;
    for (const p of this.#participants.values()) if (p.connection) return;
    const record = this.#o.registry.get(this.sessionId);
    const ms = (record?.policy.idleTimeoutS ?? 1800) * 1000;
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = undefined;
      this.end('idle');
    }, ms);
    this.#idleTimer.unref?.();
  }

  #disarmIdle(): void {
    this.#checkHosts();
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
  }
}

function withChecklist(policy: SessionPolicy): { checklist?: NonNullable<ReturnType<typeof checklistPolicyInfo>> } {
  const info = checklistPolicyInfo(policy);
  return info ? { checklist: info } : {};
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : 'unknown';
}

/** Audit actor fields of a host action: the host (pseudonymised id) or the admin API. */
function actorOf(host: Participant | 'admin'): { actorId?: string; actor: 'host' | 'admin' } {
  return host === 'admin' ? { actor: 'admin' } : { actorId: host.id, actor: 'host' };
}
