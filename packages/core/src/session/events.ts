import type { MediaKind, NotificationData, SessionHost, SessionPolicyInfo, WaitingEntry } from '@alcove/protocol';
import type { SealedSummary } from '../checklist/summary.js';
import type { ChatMessage } from '../chat/types.js';
import type { QualityReport } from '../media/quality.js';
import type { LocalTrack, RemoteTrack } from '../media/types.js';
import type { AlcoveError } from './errors.js';
import type { StateChange } from './state-machine.js';
import type { FallbackPlan, ReconnectInfo, RemoteParticipant } from './types.js';

/** What the server tells hosts of a client's checklist (statuses and outcomes only). */
export type ChecklistSubmittedInfo = Omit<NotificationData<'checklist.submitted'>, 'participantId'>;

/** Why someone left. */
export type LeaveReason = 'left' | 'removed' | 'timeout' | 'ended';

/** Payload of the `failed` event. */
export interface FailedInfo {
  readonly error: AlcoveError;
  /** The agreed fallback (callback number) to show now. */
  readonly fallback: FallbackPlan | undefined;
}

/**
 * Every event a `Session` emits, as labelled tuples. Names are camelCase: past tense for facts,
 * `…Changed` for state.
 */
export interface SessionEvents {
  /** Every state move: `{ from, to, reason }`. */
  stateChanged: [change: StateChange];
  participantJoined: [participant: RemoteParticipant];
  /** Connection (connected/reconnecting) or name changed. */
  participantUpdated: [participant: RemoteParticipant];
  participantLeft: [participant: RemoteParticipant, reason: LeaveReason];
  /** A remote track can be attached. */
  trackPublished: [track: RemoteTrack];
  trackUnpublished: [track: RemoteTrack];
  /** The sender muted or unmuted (see `track.muted`). */
  trackMuted: [track: RemoteTrack, muted: boolean];
  /** This client paused or resumed receiving (see `track.paused`). */
  trackPaused: [track: RemoteTrack, paused: boolean];
  /** A local track was published, muted, switched or released. */
  localTrackChanged: [track: LocalTrack];
  /** Host only: who waits, with checklist status. */
  waitingRoomChanged: [waiting: readonly WaitingEntry[]];
  /**
   * Guests while waiting: the hosts in the session changed (a host arrived or left). Their display
   * names and credentials lines come from their join tokens; untrusted, show them as text only.
   * Also in `session.hosts`.
   */
  hostsChanged: [hosts: readonly SessionHost[]];
  /**
   * Host only: a client's checklist progress as the server knows it — step statuses, whether the
   * client may be admitted now and what is missing, the licensure outcome, the signed consent.
   * Never the answers (see `checklistSummary`).
   */
  checklistSubmitted: [participantId: string, info: ChecklistSubmittedInfo];
  /**
   * Host only: a client's answers arrived through the sealed channel (or changed): location,
   * emergency contact, callback number, plan, device and network results. Untrusted input, already
   * validated; show it as text only. Also in `session.checklistSummaries`.
   */
  checklistSummary: [participantId: string, summary: SealedSummary];
  /** The host asked this participant to mute `kind`. The app decides (e.g. prompt, then mute). */
  muteRequested: [kind: MediaKind];
  lockChanged: [locked: boolean];
  policyChanged: [policy: SessionPolicyInfo];
  chatMessage: [message: ChatMessage];
  /** The server acknowledged a message this client sent. */
  chatAcknowledged: [message: ChatMessage];
  /** A participant's network quality level or reasons changed (the local one too, by its id). */
  qualityChanged: [report: QualityReport];
  reconnecting: [info: ReconnectInfo];
  reconnected: [info: ReconnectInfo];
  /** Reconnecting gave up: show `fallback` (e.g. the callback number). */
  failed: [info: FailedInfo];
  /** The session ended for this participant: left, removed, denied, ended by host. */
  ended: [reason: string];
  /** E2EE: the short authentication string of this client and `info.peer`: read it aloud and compare. */
  e2eeSasReady: [info: import('../e2ee/e2ee-controller.js').SasInfo];
  /** E2EE: a participant's media key arrived; their media can be decrypted. */
  e2eePeerKeyed: [participantId: string];
  /**
   * E2EE: someone confirmed that the security code of a pair matches — `by` confirmed it with
   * `peer` (this client's own confirmations too, once the server has recorded them).
   */
  e2eeVerified: [by: string, peer: string];
  /**
   * E2EE: a participant this device verified (now or in an earlier session) shows a different
   * identity — a new device, a reinstalled browser, or someone in the middle. Blocking: show "the
   * code changed — compare again" until the new code is compared and confirmed
   * (`confirmSecurityCode`); until then the participant is not verified (`e2eeState`).
   */
  e2eeIdentityChanged: [change: import('../e2ee/e2ee-state.js').E2eeIdentityChange];
  /** E2EE: the session's or a peer's encryption state changed (see `session.e2eeState`). */
  e2eeStateChanged: [state: import('../e2ee/e2ee-state.js').E2eeState];
  /** A non-fatal problem (a device failed, a track could not be consumed...). */
  error: [error: AlcoveError];
}
