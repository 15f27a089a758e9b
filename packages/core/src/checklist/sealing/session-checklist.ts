import type { ChecklistPolicyInfo, HostKey, NotificationData, Role } from '@alcove/protocol';
import { DeviceIdentity } from '../../e2ee/identity.js';
import type {
  ChecklistJoinInfo,
  ChecklistSessionHost,
  ChecklistSupport,
  ChosenDevices,
  SessionChecklistLike,
} from '../../session/checklist-plugin.js';
import type { Checklist } from '../checklist.js';
import { encodeSummary, parseSummary, type SealedSummary } from '../summary.js';
import { SealedChannels } from './sealed-channels.js';

/**
 * Turns the pre-session checklist on for a session: pass it as `SessionOptions.checklist`. A client
 * gives its {@link Checklist} (created before `join()` so it can check devices first, or attached
 * later with `session.attachChecklist`); a host passes nothing and receives each client's sealed
 * answers (`session.checklistSummaries`, `session.emergencyInfo`, the `checklistSummary` event).
 * @example
 * // client
 * const checklist = new Checklist({ platform });
 * const session = Session.create({ serverUrl, token, e2eeWorker, checklist: checklistSupport(checklist) });
 * // therapist
 * const session = Session.create({ serverUrl, token, e2eeWorker, checklist: checklistSupport() });
 */
export function checklistSupport(checklist?: Checklist): ChecklistSupport {
  return {
    createBinding: (host, key) => new SessionChecklist(DeviceIdentity.fromKey(key), host, checklist),
  };
}

/**
 * Connects a {@link Session} to the pre-session checklist: binds the guest's checklist once the
 * server's policy is known, keeps a sealed channel to every host (including hosts that arrive
 * later, who then receive the latest answers), and on the host side opens what guests sealed.
 * Internal.
 */
export class SessionChecklist implements SessionChecklistLike {
  readonly #identity: DeviceIdentity;
  readonly #host: ChecklistSessionHost;
  #checklist: Checklist | undefined;
  #channels: SealedChannels | undefined;
  #self = { sessionId: '', participantId: '', role: '' as Role | '' };
  #policy: ChecklistPolicyInfo | undefined;
  #hosts: readonly HostKey[] = [];
  #latest: Uint8Array | undefined;
  #latestSummary: SealedSummary | undefined;
  readonly #summaries = new Map<string, SealedSummary>();
  #closed = false;

  constructor(identity: DeviceIdentity, host: ChecklistSessionHost, checklist?: Checklist) {
    this.#identity = identity;
    this.#host = host;
    this.#checklist = checklist;
  }

  /** Host: the latest answers of each guest who sent them (untrusted input, validated). */
  get summaries(): ReadonlyMap<string, SealedSummary> {
    return this.#summaries;
  }

  /** The device identity key (base64). */
  get identityKey(): string {
    return this.#identity.identityKey;
  }

  /** Hosts with an open sealed channel (guests) or guests (hosts). */
  get openPeers(): readonly string[] {
    return this.#channels?.openPeers ?? [];
  }

  /** The checklist the session drives (guests). */
  get checklist(): Checklist | undefined {
    return this.#checklist;
  }

  /** Attaches a checklist (before or after join). Bound at once when the policy is known. */
  attach(checklist: Checklist): void {
    this.#checklist = checklist;
    this.#bind();
  }

  /**
   * The join (or resume) result: who we are, the policy, the hosts to seal to. A resume keeps the
   * open channels; a different session or participant starts over.
   */
  joined(r: ChecklistJoinInfo): void {
    if (this.#closed) return;
    const same = this.#self.sessionId === r.sessionId && this.#self.participantId === r.participantId;
    if (!same) {
      this.#channels?.close();
      this.#channels = new SealedChannels(
        { sessionId: r.sessionId, selfId: r.participantId, role: r.role, identity: this.#identity, timers: this.#host.timers },
        {
          // A relay lost to a reconnect is repaired by the handshake retry or the next answer.
          relay: (to, type, payload) =>
            void this.#host
              .request('checklist.relay', { to, type, payload })
              .catch((e: unknown) => this.#host.swallowed?.('checklist.relay', e)),
          established: (peer) => this.#established(peer),
          opened: (peer, bytes) => this.#opened(peer, bytes),
          refused: (peer, reason) => this.#host.problem(peer, reason),
        },
      );
      this.#summaries.clear();
    }
    this.#self = { sessionId: r.sessionId, participantId: r.participantId, role: r.role };
    this.#policy = r.policy.checklist;
    if (r.role !== 'host') {
      this.#setHosts(r.hosts ?? []);
      this.#bind();
    }
  }

  /** `checklist.hosts`: the hosts to seal to changed. */
  hostsChanged(hosts: readonly HostKey[]): void {
    if (this.#self.role === 'host' || this.#closed) return;
    this.#setHosts(hosts);
  }

  /** `checklist.message`. */
  message(d: NotificationData<'checklist.message'>): void {
    this.#channels?.receive(d.from, d.type, d.payload);
  }

  /** Host: a guest left the session (or the waiting room): forget its pair and answers. */
  participantGone(participantId: string): void {
    this.#channels?.disconnect(participantId);
    this.#summaries.delete(participantId);
  }

  /**
   * Wipes every pair key. The checklist outlives the session and stops submitting. `ended` (left,
   * ended by the host, removed, denied): what the client typed leaves the tab's storage; a failed
   * session keeps it, so a reload to try again resumes. Idempotent.
   */
  close(ended: boolean): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#checklist?.bound) this.#checklist.unbind();
    if (ended) this.#checklist?.forgetProgress();
    this.#channels?.close();
    this.#channels = undefined;
    this.#latest?.fill(0);
    this.#latest = undefined;
    this.#latestSummary = undefined;
    this.#summaries.clear();
  }

  #setHosts(hosts: readonly HostKey[]): void {
    const ch = this.#channels;
    if (!ch) return;
    const now = new Set(hosts.map((h) => h.participantId));
    for (const h of this.#hosts) if (!now.has(h.participantId)) ch.disconnect(h.participantId);
    this.#hosts = hosts;
    for (const h of hosts) ch.connect(h.participantId, h.identityKey);
  }

  #bind(): void {
    const c = this.#checklist;
    const policy = this.#policy;
    if (!c || !policy || this.#self.role === 'host' || !this.#self.sessionId || this.#closed) return;
    const identity = this.#identity;
    c.bind({
      sessionId: this.#self.sessionId,
      participantId: this.#self.participantId,
      policy,
      signer: { identityKey: identity.identityKey, sign: (m) => identity.sign(m) },
      submit: (data) => this.#host.request('checklist.submit', data),
      seal: (summary) => this.#seal(summary),
      request: (m, d, s) => this.#host.request(m, d, s),
    });
  }

  /** The devices the checklist chose (empty when none). */
  devices(): ChosenDevices {
    return this.#checklist?.devices ?? {};
  }

  /** The guest's own fallback plan from its emergency-plan answers, for the `failed` event. */
  fallback(): { callbackNumber?: string; plan?: string } | undefined {
    const e = this.#latestSummary?.emergency;
    if (!e?.callbackPhone?.e164) return undefined;
    return { callbackNumber: e.callbackPhone.e164, ...(e.plan ? { plan: e.plan } : {}) };
  }

  #seal(summary: SealedSummary): void {
    if (this.#closed) return;
    this.#latestSummary = summary;
    this.#latest = encodeSummary(summary);
    for (const h of this.#hosts) this.#channels?.send(h.participantId, this.#latest);
  }

  #established(peer: string): void {
    // A host (now or later): it gets the latest answers at once.
    if (this.#self.role !== 'host' && this.#latest) this.#channels?.send(peer, this.#latest);
  }

  #opened(peer: string, bytes: Uint8Array): void {
    if (this.#self.role !== 'host') return;
    let summary: SealedSummary;
    try {
      summary = parseSummary(bytes);
    } catch {
      this.#host.problem(peer, 'SUMMARY_INVALID');
      return;
    } finally {
      bytes.fill(0);
    }
    this.#summaries.set(peer, summary);
    this.#host.summary(peer, summary);
  }
}
