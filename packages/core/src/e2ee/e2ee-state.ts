import type { SasInfo } from './e2ee-controller.js';
import type { WorkerStatus } from './worker/messages.js';

/**
 * One remote participant's end-to-end encryption state, as `session.e2eeState.peers` reports it.
 *
 * - `handshaking`: the pair handshake with this peer has not completed yet.
 * - `waiting-for-keys`: paired, but we hold no media key of the peer yet, or its frames arrive and
 *   none has opened under its current key yet (just after it changed keys).
 * - `encrypted`: we hold its current key and, if its frames arrive, they open under that key.
 */
export interface E2eePeerState {
  /** The peer. */
  readonly participantId: string;
  /** See above. */
  readonly state: 'handshaking' | 'waiting-for-keys' | 'encrypted';
  /** The newest key generation of this peer we hold, or -1. */
  readonly keyGeneration: number;
  /** A frame of this peer opened under that key (its current key epoch). */
  readonly decryptedInEpoch: boolean;
  /** Its frames arrived in the last second. */
  readonly sending: boolean;
  /** Frames of this peer opened in the short grace windows after its key changed. */
  readonly graceOpened: number;
  /** Its identity fingerprint, once paired. */
  readonly fingerprint?: string;
  /** This device confirmed this peer's identity (now or in an earlier session) and it has not changed since. */
  readonly verified: boolean;
  /** The peer shows an identity other than the one this device verified for it: compare the code again. */
  readonly identityChanged: boolean;
  /** Its handshake waits for the identity key it publishes (it must be the same key). */
  readonly awaitingPublishedKey: boolean;
}

/**
 * The session's end-to-end encryption state (`session.e2eeState`, `e2eeStateChanged`).
 *
 * `state` is `encrypted` only when this client's sender key is set (its frames are sealed) and every
 * peer is `encrypted`; `waiting-for-keys` while a key exchange or key change is under way;
 * `starting` before key agreement started (not admitted yet); `off` without E2EE.
 */
export interface E2eeState {
  /** See above. */
  readonly state: 'off' | 'starting' | 'waiting-for-keys' | 'encrypted';
  /** This client's sender key is set (without it, its frames are dropped: never sent in clear). */
  readonly localKeyed: boolean;
  /** This client's sender key generation, or -1. */
  readonly keyGeneration: number;
  /** Every other admitted participant. */
  readonly peers: readonly E2eePeerState[];
  /** Every peer is verified (and there is at least one). */
  readonly verified: boolean;
  /** Refused handshake and control messages by reason (`IDENTITY_MISMATCH`, `BAD_SIGNATURE`, `SEALED_REJECTED`…). */
  readonly refused: Readonly<Record<string, number>>;
  /**
   * Key frames requested after a key switch (standard transform path): from this client's encoders
   * after its key changed (where the browser has `generateKeyFrame`), or from a peer whose first
   * frame under a new key opened (`sendKeyFrameRequest`, the way Chromium has).
   */
  readonly keyFramesRequested: number;
}

/** Payload of `e2eeIdentityChanged`. */
export interface E2eeIdentityChange {
  /** The participant whose identity changed. */
  readonly participantId: string;
  /** The fingerprint this device verified for the participant. */
  readonly previousFingerprint: string;
  /** The fingerprint it shows now. */
  readonly fingerprint: string;
  /** The new security code to compare. */
  readonly sas: SasInfo;
}

/** The state with E2EE off. */
export const E2EE_OFF: E2eeState = {
  state: 'off',
  localKeyed: false,
  keyGeneration: -1,
  peers: [],
  verified: false,
  refused: {},
  keyFramesRequested: 0,
};

/** Composes the session-level state from the worker's status and what the main thread knows. Internal. */
export function composeE2eeState(
  started: boolean,
  worker: WorkerStatus | undefined,
  peers: readonly string[],
  sas: ReadonlyMap<string, SasInfo>,
  changed: ReadonlySet<string>,
): E2eeState {
  const list: E2eePeerState[] = peers.map((id) => {
    const p = worker?.peers.find((x) => x.peer === id);
    const info = sas.get(id);
    const state: E2eePeerState['state'] = !p?.paired
      ? 'handshaking'
      : !p.keyed || (p.sending && !p.decryptedInEpoch)
        ? 'waiting-for-keys'
        : 'encrypted';
    return {
      participantId: id,
      state,
      keyGeneration: p?.generation ?? -1,
      decryptedInEpoch: p?.decryptedInEpoch ?? false,
      sending: p?.sending ?? false,
      graceOpened: p?.graceOpened ?? 0,
      ...(info ? { fingerprint: info.fingerprint } : {}),
      verified: !!info?.verified && !changed.has(id),
      identityChanged: changed.has(id),
      awaitingPublishedKey: p?.awaitingPublishedKey ?? false,
    };
  });
  const localKeyed = worker?.localKeyed ?? false;
  const state: E2eeState['state'] =
    !started || !worker || !localKeyed ? 'starting' : list.every((p) => p.state === 'encrypted') ? 'encrypted' : 'waiting-for-keys';
  return {
    state,
    localKeyed,
    keyGeneration: worker?.generation ?? -1,
    peers: list,
    verified: list.length > 0 && list.every((p) => p.verified),
    refused: worker?.refused ?? {},
    keyFramesRequested: worker?.keyFramesRequested ?? 0,
  };
}
