import type { RequestData, RequestMethod, ResponseData } from '@alcove/protocol';
import { E2eeController, type E2eeTransformPath, type SasInfo, type WorkerLike } from '../e2ee/e2ee-controller.js';
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
}

/**
 * Connects a {@link Session} to the E2EE worker: transforms on every sender and receiver, key
 * agreement started on admission, peers added and removed with the roster, handshake messages
 * relayed through `e2ee.relay` / `e2ee.message` unread. Internal.
 */
export class E2eeBinding {
  readonly #controller: E2eeController;
  readonly #peers = new Set<string>();
  #started = false;

  constructor(createWorker: () => WorkerLike, path: E2eeTransformPath | undefined, host: E2eeBindingHost) {
    this.#controller = new E2eeController({ createWorker, ...(path ? { path } : {}) });
    const c = this.#controller;
    c.on(
      'identity',
      (identityKey) =>
        void host.request('e2ee.publishKey', { identityKey, suites: [1] }).catch((e: unknown) => host.swallowed('e2ee.publishKey', e)),
    );
    c.on(
      'relay',
      (to, type, payload) =>
        void host.request('e2ee.relay', { to, type, payload }).catch((e: unknown) => host.swallowed('e2ee.relay', e, { type })),
    );
    c.on('sas', (info) => host.sasReady(info));
    c.on('peerKeyed', (peer) => host.peerKeyed(peer));
    c.on('decryptFailed', (peer, track, reason) => {
      // A missing key is normal for a moment after admission or a key change ("waiting for keys",
      // E2EE.md §6); only wrong keys, forgeries and replays are problems worth an event.
      if (reason !== 'UNKNOWN_KEY') host.problem('E2EE_DECRYPT_FAILED', `${peer}/${track}: ${reason}`);
      else host.swallowed('e2ee.decrypt', { code: reason }, { participantId: peer, track });
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
  start(sessionId: string, selfId: string, role: string, identitySeed?: Uint8Array): void {
    if (this.#started) return;
    this.#started = true;
    this.#controller.start(sessionId, selfId, role, identitySeed);
    identitySeed?.fill(0);
    for (const p of this.#peers) this.#controller.peerJoined(p);
  }

  peerJoined(participantId: string): void {
    if (this.#peers.has(participantId)) return;
    this.#peers.add(participantId);
    if (this.#started) this.#controller.peerJoined(participantId);
  }

  peerLeft(participantId: string): void {
    if (!this.#peers.delete(participantId)) return;
    if (this.#started) this.#controller.peerLeft(participantId);
  }

  /** An `e2ee.message` notification. */
  signal(from: string, type: 'commit' | 'reveal' | 'sealed' | 'roster', payload: string): void {
    this.#controller.signal(from, type, payload);
  }

  /** The worker's per-transform counters. */
  stats(): Promise<readonly import('../e2ee/worker/messages.js').TransformStats[]> {
    return this.#controller.stats();
  }

  close(): void {
    this.#controller.close();
  }
}
