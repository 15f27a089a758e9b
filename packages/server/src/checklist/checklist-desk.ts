/**
 * One session's pre-session checklist on the server (ARCHITECTURE §8): checks each
 * `checklist.submit` against the policy, keeps the statuses, the verified consent receipt and the
 * licensure outcome, forwards them to the hosts (at most once per second per client, latest wins),
 * writes a bounded number of audit entries and webhooks, enforces admission requirements, and relays
 * the sealed checklist channel between guests and hosts without reading or keeping it.
 *
 * What a client typed never reaches this class in clear: answers travel sealed through
 * `checklist.relay`. Sealed payloads are held only while a throttled delivery is pending and are
 * never logged.
 * @packageDocumentation
 */
import {
  CHECKLIST_LIMITS,
  type HostKey,
  type NotificationData,
  type NotificationMethod,
  type RequestData,
  type ResponseData,
} from '@alcove/protocol';
import type { Logger } from '../logger.js';
import type { RoomEvents } from '../rooms/deps.js';
import type { Participant } from '../rooms/participant.js';
import type { SessionPolicy } from '../sessions/types.js';
import { TokenBucket } from '../signaling/rate-limiter.js';
import { RequestError } from '../signaling/request-error.js';
import { CONSENT_RECEIPT_WINDOW, verifyConsentReceipt, type ConsentReceiptRecord } from './consent-receipt.js';
import { evaluateChecklist, statusKey, unknownSteps } from './evaluate.js';
import { LatestWinsThrottle, REAL_CLOCK, type ThrottleClock } from './throttle.js';

/** Limits of the sealed channel's handshake messages (`commit`, `reveal`), per sender. */
export const CHECKLIST_RELAY_LIMITS = {
  /** Guests: burst and refill per second. */
  guest: { burst: 8, perSecond: 1 },
  /** Hosts handshake with every guest: a larger bucket. */
  host: { burst: 32, perSecond: 4 },
} as const;

/** Most participant ids whose per-session checklist facts are remembered. */
const MAX_TRACKED = 1000;

/** Options of {@link ChecklistDesk}. */
export interface ChecklistDeskOptions {
  readonly sessionId: string;
  /** The session's policy (it does not change while the session runs). */
  readonly policy: () => SessionPolicy;
  /** The room's participant by id. */
  readonly participant: (id: string) => Participant | undefined;
  /** Every participant of the room. */
  readonly participants: () => Iterable<Participant>;
  /** Sends a notification to one participant (dropped when it has no connection). */
  readonly send: <M extends NotificationMethod>(p: Participant, method: M, data: NotificationData<M>) => void;
  /** Tells the hosts who waits (the room's `waitingRoom.changed`). */
  readonly waitingChanged: () => void;
  readonly events: RoomEvents;
  readonly logger: Logger;
  /** Wall clock in ms (receipt times). */
  readonly now: () => number;
  /** Timers of the throttles. Default real timers. */
  readonly clock?: ThrottleClock;
  /** Default {@link CHECKLIST_LIMITS}.forwardIntervalMs. */
  readonly forwardIntervalMs?: number;
}

/** What the session remembers of one participant id (survives a rejoin). */
interface Facts {
  receipt?: ConsentReceiptRecord;
  /** Checklist audit entries / webhooks written so far. */
  records: number;
  capped: boolean;
  completedKey?: string;
  licensureKey?: string;
  /** The last licensure outcome: a `block` must survive a rejoin. */
  licensure?: Participant['licensure'];
  bucket?: TokenBucket;
}

interface Relay {
  readonly from: string;
  readonly to: string;
  readonly payload: string;
}

/** See the file header. */
export class ChecklistDesk {
  readonly #o: ChecklistDeskOptions;
  readonly #facts = new Map<string, Facts>();
  readonly #forward: LatestWinsThrottle<Participant>;
  readonly #sealed: LatestWinsThrottle<Relay>;
  readonly #clock: ThrottleClock;
  #hostsKey = '';
  #closed = false;

  constructor(options: ChecklistDeskOptions) {
    this.#o = options;
    const interval = options.forwardIntervalMs ?? CHECKLIST_LIMITS.forwardIntervalMs;
    const clock = options.clock ?? REAL_CLOCK;
    this.#clock = clock;
    this.#forward = new LatestWinsThrottle(interval, (_id, p) => this.#deliverStatus(p), clock);
    this.#sealed = new LatestWinsThrottle(interval, (_key, r) => this.#deliverSealed(r), clock);
  }

  /** Whether the session has a checklist at all. */
  get enabled(): boolean {
    return this.#o.policy().checklist.steps.length > 0;
  }

  /** A guest entered (join or rejoin): its admissibility before any submission. */
  attach(p: Participant): void {
    if (p.role === 'host' || !this.enabled) return;
    const facts = this.#facts.get(p.id);
    if (facts?.licensure !== undefined) p.licensure = facts.licensure;
    const ev = evaluateChecklist(this.#o.policy().checklist, undefined, {
      consentVerified: facts?.receipt !== undefined,
      ...(p.licensure !== undefined ? { licensure: p.licensure } : {}),
    });
    p.admissible = ev.admissible;
    p.missing = ev.missing;
  }

  /**
   * `checklist.submit`. Checks everything first; a refused submission changes nothing.
   * @throws {@link RequestError} `INVALID_STATE` (the session has no checklist), `UNKNOWN_STEP`,
   * `INVALID_MESSAGE` (a jurisdiction the policy does not share), `INVALID_RECEIPT`.
   */
  submit(p: Participant, data: RequestData<'checklist.submit'>): ResponseData<'checklist.submit'> {
    this.#guard();
    const config = this.#o.policy().checklist;
    if (config.steps.length === 0) throw new RequestError('INVALID_STATE', 'this session has no checklist');
    const unknown = unknownSteps(config, data.status.steps);
    if (unknown.length > 0)
      throw new RequestError('UNKNOWN_STEP', `the submission names ${unknown.length} step(s) the session's checklist does not define`);
    if (data.licensure?.jurisdiction !== undefined && !config.shareJurisdiction) {
      throw new RequestError('INVALID_MESSAGE', 'this session does not share the jurisdiction; send the outcome only');
    }
    const facts = this.#factsOf(p.id);
    const receipt = data.consent ? this.#checkReceipt(p, data.consent, facts) : undefined;

    // Accepted: from here on nothing throws.
    const newReceipt = receipt !== undefined && receipt.signature !== facts.receipt?.signature;
    if (receipt) facts.receipt = receipt;
    const reportedLicensure = config.licensure !== 'off' ? data.licensure : undefined;
    if (reportedLicensure) {
      p.licensure = reportedLicensure.outcome;
      facts.licensure = reportedLicensure.outcome;
    }
    const ev = evaluateChecklist(config, data.status.steps, { consentVerified: facts.receipt !== undefined, licensure: p.licensure });
    p.checklist = ev.status;
    p.admissible = ev.admissible;
    p.missing = ev.missing;
    this.#forward.push(p.id, p);

    if (newReceipt && receipt) {
      this.#record(facts, () => {
        this.#o.events.audit({
          type: 'consent.recorded',
          sessionId: this.#o.sessionId,
          participantId: p.id,
          actor: 'participant',
          detail: { documentVersion: receipt.documentVersion, documentSha256: receipt.documentSha256, signedAt: receipt.signedAt },
        });
        this.#o.events.webhook('consent.recorded', { ...receipt });
      });
    }
    const outcome = reportedLicensure?.outcome;
    if (outcome !== undefined && outcome !== 'unknown') {
      const jurisdiction = config.shareJurisdiction ? reportedLicensure?.jurisdiction : undefined;
      const key = `${outcome}/${jurisdiction ?? ''}`;
      if (key !== facts.licensureKey) {
        this.#record(facts, () => {
          facts.licensureKey = key;
          const shared: { jurisdiction?: string } = jurisdiction !== undefined ? { jurisdiction } : {};
          this.#o.events.audit({
            type: 'licensure.checked',
            sessionId: this.#o.sessionId,
            participantId: p.id,
            actor: 'participant',
            detail: jurisdiction !== undefined ? { outcome, jurisdiction } : { outcome },
          });
          this.#o.events.webhook('licensure.checked', { sessionId: this.#o.sessionId, participantId: p.id, outcome, ...shared });
        });
      }
    }
    if (ev.status.complete) {
      const key = statusKey(ev.status);
      if (key !== facts.completedKey) {
        this.#record(facts, () => {
          facts.completedKey = key;
          const counts = { passed: 0, warning: 0, failed: 0, skipped: 0, pending: 0 };
          for (const s of Object.values(ev.status.steps)) counts[s]++;
          this.#o.events.audit({
            type: 'checklist.completed',
            sessionId: this.#o.sessionId,
            participantId: p.id,
            actor: 'participant',
            detail: counts,
          });
          this.#o.events.webhook('checklist.completed', {
            sessionId: this.#o.sessionId,
            participantId: p.id,
            steps: { ...ev.status.steps },
          });
        });
      }
    }
    return { admissible: ev.admissible, missing: [...ev.missing] };
  }

  /**
   * `host.admit` checks: licensure `block` with a `block` outcome is refused whatever the rest
   * says; otherwise, when the policy requires the checklist before admission, its required steps.
   * @throws {@link RequestError} `LICENSURE_BLOCKED`, `CHECKLIST_INCOMPLETE`.
   */
  checkAdmission(p: Participant): void {
    const config = this.#o.policy().checklist;
    if (config.licensure === 'block' && p.licensure === 'block') {
      throw new RequestError('LICENSURE_BLOCKED', 'the client is outside the licensed jurisdictions and the policy blocks admission');
    }
    if (!config.requiredBeforeAdmission) return;
    const ev = evaluateChecklist(config, p.checklist?.steps, {
      consentVerified: this.#facts.get(p.id)?.receipt !== undefined,
      licensure: p.licensure,
    });
    if (!ev.status.complete) throw new RequestError('CHECKLIST_INCOMPLETE', `${ev.missing.length} required checklist step(s) are not done`);
  }

  /**
   * `checklist.relay`: a guest (waiting or admitted) to an admitted host that published its
   * identity key; a host to any guest. `sealed` is throttled per pair (latest wins); `commit` and
   * `reveal` go at once within a token bucket per sender.
   * @throws {@link RequestError} `INVALID_STATE` (no checklist, recipient reconnecting), `NOT_FOUND`,
   * `NOT_ALLOWED`, `PAYLOAD_TOO_LARGE`, `RATE_LIMITED`.
   */
  relay(p: Participant, data: RequestData<'checklist.relay'>): void {
    this.#guard();
    if (!this.enabled) throw new RequestError('INVALID_STATE', 'this session has no checklist');
    const q = this.#o.participant(data.to);
    if (p.role === 'host') {
      if (!q || q === p) throw new RequestError('NOT_FOUND', 'no such participant');
      if (q.role === 'host') throw new RequestError('NOT_ALLOWED', 'the checklist channel joins a guest and a host');
    } else if (q?.role !== 'host' || !q.admitted || !q.identityKey) {
      // One answer for every other case: a waiting client learns nothing about who else is there.
      throw new RequestError('NOT_FOUND', 'no such host');
    }
    if (!q.connection) throw new RequestError('INVALID_STATE', 'the recipient is reconnecting');
    const key = `${p.id} ${q.id}`;
    if (data.type === 'sealed') {
      if (Buffer.byteLength(data.payload, 'base64') > CHECKLIST_LIMITS.maxSealedBytes) {
        throw new RequestError('PAYLOAD_TOO_LARGE', `a sealed checklist message holds at most ${CHECKLIST_LIMITS.maxSealedBytes} bytes`);
      }
      this.#sealed.push(key, { from: p.id, to: q.id, payload: data.payload });
      return;
    }
    const facts = this.#factsOf(p.id);
    if (!facts.bucket) {
      const lim = p.role === 'host' ? CHECKLIST_RELAY_LIMITS.host : CHECKLIST_RELAY_LIMITS.guest;
      facts.bucket = new TokenBucket({ ...lim, maxStrikes: Number.POSITIVE_INFINITY }, () => this.#clock.now());
    }
    if (facts.bucket.take() !== 'ok') throw new RequestError('RATE_LIMITED', 'too many handshake messages');
    // A sealed message still held for this pair goes first: the pair sees its messages in order.
    this.#sealed.flush(key);
    this.#o.send(q, 'checklist.message', { from: p.id, type: data.type, payload: data.payload });
  }

  /** Admitted hosts with a published identity key: whom guests seal their answers to. */
  hosts(): HostKey[] {
    const out: HostKey[] = [];
    for (const q of this.#o.participants()) {
      if (q.role === 'host' && q.admitted && q.identityKey) out.push({ participantId: q.id, identityKey: q.identityKey });
    }
    return out;
  }

  /** For a guest's join result: the hosts (only when the session has a checklist). */
  joinFields(p: Participant): { hosts?: HostKey[] } {
    return p.role !== 'host' && this.enabled ? { hosts: this.hosts() } : {};
  }

  /** Tells every guest (waiting included) `checklist.hosts` when the set of hosts changed. */
  hostsMaybeChanged(): void {
    if (this.#closed || !this.enabled) return;
    const hosts = this.hosts();
    const key = hosts.map((h) => `${h.participantId}=${h.identityKey}`).join(',');
    if (key === this.#hostsKey) return;
    this.#hostsKey = key;
    for (const q of this.#o.participants()) if (q.role !== 'host') this.#o.send(q, 'checklist.hosts', { hosts });
  }

  /** A participant left for good: pending deliveries from and to it are dropped. */
  forget(p: Participant): void {
    this.#forward.cancel(p.id);
    this.#sealed.cancelWhere((key) => {
      const [from, to] = key.split(' ');
      return from === p.id || to === p.id;
    });
  }

  /** Drops everything pending. Idempotent. */
  close(): void {
    this.#closed = true;
    this.#forward.close();
    this.#sealed.close();
  }

  // --- internals -------------------------------------------------------------------------------

  #guard(): void {
    if (this.#closed) throw new RequestError('SESSION_ENDED', 'the session has ended');
  }

  #factsOf(id: string): Facts {
    let f = this.#facts.get(id);
    if (!f) {
      if (this.#facts.size >= MAX_TRACKED) {
        const oldest = this.#facts.keys().next().value as string;
        this.#facts.delete(oldest);
      }
      f = { records: 0, capped: false };
      this.#facts.set(id, f);
    }
    return f;
  }

  #checkReceipt(p: Participant, c: NonNullable<RequestData<'checklist.submit'>['consent']>, facts: Facts): ConsentReceiptRecord {
    const doc = this.#o.policy().checklist.consent;
    if (!doc || c.version !== doc.version || c.sha256 !== doc.sha256) {
      throw new RequestError('INVALID_RECEIPT', "the receipt is not for this session's consent document");
    }
    const now = this.#o.now();
    if (c.signedAt < now - CONSENT_RECEIPT_WINDOW.maxAgeMs || c.signedAt > now + CONSENT_RECEIPT_WINDOW.maxFutureMs) {
      throw new RequestError('INVALID_RECEIPT', 'the receipt was signed too long ago or in the future');
    }
    const r: ConsentReceiptRecord = {
      sessionId: this.#o.sessionId,
      participantId: p.id,
      documentVersion: c.version,
      documentSha256: c.sha256,
      signedAt: c.signedAt,
      identityKey: c.identityKey,
      signature: c.signature,
    };
    const known = facts.receipt;
    // The same receipt again (a resubmission) was verified already.
    if (
      known &&
      known.signature === r.signature &&
      known.identityKey === r.identityKey &&
      known.signedAt === r.signedAt &&
      known.documentVersion === r.documentVersion &&
      known.documentSha256 === r.documentSha256
    ) {
      return known;
    }
    if (!verifyConsentReceipt(r)) throw new RequestError('INVALID_RECEIPT', 'the receipt signature does not verify');
    return r;
  }

  /** Writes one audit entry + webhook, at most {@link CHECKLIST_LIMITS}.maxRecordsPerClient per client. */
  #record(facts: Facts, write: () => void): void {
    if (facts.records >= CHECKLIST_LIMITS.maxRecordsPerClient) {
      if (!facts.capped) {
        facts.capped = true;
        this.#o.logger.warn('checklist.recordsCapped', { sessionId: this.#o.sessionId });
      }
      return;
    }
    facts.records++;
    write();
  }

  #deliverStatus(p: Participant): void {
    if (this.#closed || this.#o.participant(p.id) !== p || !p.checklist) return;
    const receipt = this.#facts.get(p.id)?.receipt;
    const note: NotificationData<'checklist.submitted'> = {
      participantId: p.id,
      status: p.checklist,
      admissible: p.admissible ?? true,
      missing: [...p.missing],
      ...(p.licensure ? { licensure: p.licensure } : {}),
      ...(receipt ? { consent: { version: receipt.documentVersion, sha256: receipt.documentSha256, verified: true } } : {}),
    };
    for (const h of this.#o.participants()) if (h.role === 'host' && h.admitted) this.#o.send(h, 'checklist.submitted', note);
    if (!p.admitted) this.#o.waitingChanged();
  }

  #deliverSealed(r: Relay): void {
    if (this.#closed) return;
    const q = this.#o.participant(r.to);
    if (!q || !this.#o.participant(r.from)) return;
    this.#o.send(q, 'checklist.message', { from: r.from, type: 'sealed', payload: r.payload });
  }
}
