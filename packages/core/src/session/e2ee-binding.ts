import type { RequestData, RequestMethod, ResponseData } from '@alcove/protocol';
import { E2eeController, type E2eeTransformPath, type SasInfo, type WorkerLike } from '../e2ee/e2ee-controller.js';
import { composeE2eeState, type E2eeIdentityChange, type E2eeState } from '../e2ee/e2ee-state.js';
import type { DeviceKey, VerifiedPeer } from '../e2ee/identity-store.js';
import type { WorkerStatus } from '../e2ee/worker/messages.js';
import type { MediaHooks } from '../media/types.js';

/** What the binding needs from the session. Internal. */
export interface E2eeBindingHost {
  request<M extends RequestMethod>(method: M, data: RequestData<M>): Promise<ResponseData<M>>;
  sasReady(info: SasInfo): void;
  peerKeyed(participantId: string): void;
  /** A non-fatal E2EE problem (refused message, frames dropped); never carries key material. */
  problem(code: 'E2EE_DECRYPT_FAILED' | 'E2EE_HANDSHAKE_REFUSED' | 'E2EE_WORKER_ERROR', detail: string): void;
  /** An error caught on purpose (a relay nobody waits for, frames waiting for a key): counted and logged at debug. */
  swallowed(site: string, error: unknown, fields?: Readonly<Record<string, string | number>>): void;
  /** A peer this device verified shows another identity: block until the code is compared again. */
  identityChanged?(change: E2eeIdentityChange): void;
  /** The E2EE state changed. */
  stateChanged?(state: E2eeState): void;
  /** Milliseconds clock (default `Date.now`). */
  now?(): number;
  /** Ask the server for a key frame of `participantId`'s video (after its key switch, on the legacy path). */
  requestKeyFrame?(participantId: string): void;
}

/** Frames under an unknown key id for longer than this (with no gap) are reported, ms. */
export const UNKNOWN_KEY_GRACE_MS = 2000;
/** A pause in unknown-key drops longer than this ends the episode, ms (the worker reports drops about once a second). */
const UNKNOWN_KEY_GAP_MS = 2500;
/** At most one unknown-key report per track this often, ms. */
export const UNKNOWN_KEY_REPORT_INTERVAL_MS = 10_000;

/**
 * Connects a {@link Session} to the E2EE worker: transforms on every sender and receiver, key
 * agreement started on admission, peers added and removed with the roster, handshake messages
 * relayed through `e2ee.relay` / `e2ee.message` unread. Internal.
 */
export class E2eeBinding {
  readonly #controller: E2eeController;
  readonly #peers = new Set<string>();
  readonly #host: E2eeBindingHost;
  #started = false;
  /** Verified peers this device remembers, by fingerprint and by participant id. */
  readonly #byFingerprint = new Map<string, VerifiedPeer>();
  readonly #byParticipant = new Map<string, VerifiedPeer>();
  /** The current security code of each paired peer. */
  readonly #sas = new Map<string, SasInfo>();
  /** Peers whose identity differs from the one verified for them, until compared again. */
  readonly #changed = new Set<string>();
  readonly #published = new Map<string, string | undefined>();
  readonly #unknownKey = new Map<string, { since: number; last: number; reported: number; frames: number }>();
  #worker: WorkerStatus | undefined;
  /** This device's identity key (public), as the worker reported it. */
  #identityKey: string | undefined;
  #state: E2eeState;
  #stateJson = '';

  constructor(createWorker: () => WorkerLike, path: E2eeTransformPath | undefined, host: E2eeBindingHost) {
    this.#controller = new E2eeController({ createWorker, ...(path ? { path } : {}) });
    this.#host = host;
    this.#state = this.#compose();
    const c = this.#controller;
    c.on('identity', (identityKey) => {
      this.#identityKey = identityKey;
      this.#publish();
    });
    c.on(
      'relay',
      (to, type, payload) =>
        void host.request('e2ee.relay', { to, type, payload }).catch((e: unknown) => host.swallowed('e2ee.relay', e, { type })),
    );
    c.on('sas', (info) => this.#onSas(info));
    c.on('keyFrameWanted', (participantId) => host.requestKeyFrame?.(participantId));
    c.on('status', (status) => {
      this.#worker = status;
      this.#update();
    });
    c.on('peerKeyed', (peer) => host.peerKeyed(peer));
    c.on('decryptFailed', (peer, track, reason, count) => {
      // A missing key is normal for a moment after admission or a key change ("waiting for keys"):
      // reported only once it lasts past a short grace, so injected frames are never silent.
      if (reason !== 'UNKNOWN_KEY') host.problem('E2EE_DECRYPT_FAILED', `${peer}/${track}: ${reason}`);
      else this.#onUnknownKey(peer, track, count);
    });
    c.on('refused', (peer, reason) => host.problem('E2EE_HANDSHAKE_REFUSED', `${peer}: ${reason}`));
    c.on('error', (message) => host.problem('E2EE_WORKER_ERROR', message));
  }

  /** The session's media hooks with the E2EE transforms attached first. */
  mediaHooks(user?: MediaHooks): MediaHooks {
    const e = this.#controller.mediaHooks;
    return {
      onRtpSender: (s, info) => {
        e.onRtpSender?.(s, info);
        user?.onRtpSender?.(s, info);
      },
      onRtpReceiver: (r, info) => {
        e.onRtpReceiver?.(r, info);
        user?.onRtpReceiver?.(r, info);
      },
      ...(e.additionalSettings || user?.additionalSettings
        ? { additionalSettings: { ...user?.additionalSettings, ...e.additionalSettings } }
        : {}),
    };
  }

  /** Admitted: start key agreement with everyone already known. Idempotent. */
  start(sessionId: string, selfId: string, role: string, identity?: DeviceKey): void {
    if (this.#started) {
      // Joined again (resume or rejoin): the server may hold a new participant record without our key.
      this.#publish();
      return;
    }
    this.#started = true;
    this.#controller.start(sessionId, selfId, role, identity);
    for (const [p, key] of this.#published) this.#controller.peerIdentity(p, key);
    for (const p of this.#peers) this.#controller.peerJoined(p);
    this.#update();
  }

  peerJoined(participantId: string): void {
    if (this.#peers.has(participantId)) return;
    this.#peers.add(participantId);
    if (this.#started) this.#controller.peerJoined(participantId);
    this.#update();
  }

  peerLeft(participantId: string): void {
    if (!this.#peers.delete(participantId)) return;
    this.#sas.delete(participantId);
    this.#changed.delete(participantId);
    this.#published.delete(participantId);
    for (const k of [...this.#unknownKey.keys()]) if (k.startsWith(`${participantId}/`)) this.#unknownKey.delete(k);
    if (this.#started) this.#controller.peerLeft(participantId);
    this.#update();
  }

  /**
   * The identity key a participant published (`e2ee.publishKey`, from its participant info). The
   * worker refuses a handshake made with any other key.
   */
  publishedKey(participantId: string, identityKey: string | undefined): void {
    if (this.#published.has(participantId) && this.#published.get(participantId) === identityKey) return;
    this.#published.set(participantId, identityKey);
    if (this.#started) this.#controller.peerIdentity(participantId, identityKey);
  }

  /** The verified peers this device remembers (from the identity store). */
  setVerifiedPeers(list: readonly VerifiedPeer[]): void {
    for (const v of list) {
      this.#byFingerprint.set(v.fingerprint, v);
      this.#byParticipant.set(v.participantId, v);
    }
  }

  /**
   * The user confirmed `participantId`'s security code: it is verified from now on, also in later
   * sessions. Returns the record to keep in the identity store, or undefined without a code.
   */
  confirmed(participantId: string): VerifiedPeer | undefined {
    const info = this.#sas.get(participantId);
    if (!info) return undefined;
    const record: VerifiedPeer = { participantId, fingerprint: info.fingerprint, verifiedAt: Date.now() };
    const old = this.#byParticipant.get(participantId);
    if (old && this.#byFingerprint.get(old.fingerprint) === old) this.#byFingerprint.delete(old.fingerprint);
    this.#byParticipant.set(participantId, record);
    this.#byFingerprint.set(record.fingerprint, record);
    this.#sas.set(participantId, { ...info, verified: true });
    this.#changed.delete(participantId);
    this.#update();
    return record;
  }

  /** The current E2EE state. */
  get state(): E2eeState {
    return this.#state;
  }

  /** An `e2ee.message` notification. */
  signal(from: string, type: 'commit' | 'reveal' | 'sealed' | 'roster', payload: string): void {
    this.#controller.signal(from, type, payload);
  }

  /** The worker's per-transform counters. */
  /** A receiver asked for a key frame of our `track` (`media.keyFrameRequested`). */
  keyFrameRequested(track: string): void {
    this.#controller.keyFrameRequested(track);
  }

  stats(): Promise<readonly import('../e2ee/worker/messages.js').TransformStats[]> {
    return this.#controller.stats();
  }

  close(): void {
    this.#controller.close();
  }

  /** `e2ee.publishKey`: peers accept only handshakes signed by this key. */
  #publish(): void {
    const identityKey = this.#identityKey;
    if (!identityKey) return;
    void this.#host
      .request('e2ee.publishKey', { identityKey, suites: [1] })
      .catch((e: unknown) => this.#host.swallowed('e2ee.publishKey', e));
  }

  #onSas(sas: SasInfo): void {
    const remembered = this.#byFingerprint.get(sas.fingerprint);
    const prior = this.#byParticipant.get(sas.peer);
    const info: SasInfo = { ...sas, verified: remembered !== undefined };
    this.#sas.set(sas.peer, info);
    const changed = !remembered && prior !== undefined && prior.fingerprint !== sas.fingerprint;
    if (changed) this.#changed.add(sas.peer);
    else this.#changed.delete(sas.peer);
    this.#host.sasReady(info);
    if (changed && prior) {
      this.#host.identityChanged?.({
        participantId: sas.peer,
        previousFingerprint: prior.fingerprint,
        fingerprint: sas.fingerprint,
        sas: info,
      });
    }
    this.#update();
  }

  #onUnknownKey(peer: string, track: string, count: number): void {
    const now = this.#host.now?.() ?? Date.now();
    const key = `${peer}/${track}`;
    let u = this.#unknownKey.get(key);
    if (!u || now - u.last > UNKNOWN_KEY_GAP_MS) {
      u = { since: now, last: now, reported: Number.NEGATIVE_INFINITY, frames: 0 };
      this.#unknownKey.set(key, u);
    }
    u.last = now;
    u.frames += count;
    if (now - u.since >= UNKNOWN_KEY_GRACE_MS && now - u.reported >= UNKNOWN_KEY_REPORT_INTERVAL_MS) {
      u.reported = now;
      this.#host.problem('E2EE_DECRYPT_FAILED', `${key}: UNKNOWN_KEY, ${u.frames} frames over ${Math.round((now - u.since) / 1000)} s`);
    } else {
      this.#host.swallowed('e2ee.decrypt', { code: 'UNKNOWN_KEY' }, { participantId: peer, track });
    }
  }

  #compose(): E2eeState {
    return composeE2eeState(this.#started, this.#worker, [...this.#peers], this.#sas, this.#changed);
  }

  #update(): void {
    const next = this.#compose();
    const json = JSON.stringify(next);
    if (json === this.#stateJson) return;
    this.#stateJson = json;
    this.#state = next;
    this.#host.stateChanged?.(next);
  }
}
