import * as v from 'valibot';
import { ChecklistPolicyInfo, ChecklistStatus, LicensureOutcome } from './checklist.js';
import { CredentialsLine, DisplayName, Id, MediaKind, Role, TrackSource, b64, str, uint } from './common.js';

export { CheckStatus, ChecklistStatus } from './checklist.js';

/** A participant as others in the room see it. */
export const ParticipantInfo = v.strictObject({
  id: Id,
  role: Role,
  displayName: DisplayName,
  /** `reconnecting` while within the server's grace window after a drop. */
  connection: v.picklist(['connected', 'reconnecting']),
  /** Ed25519 identity key (base64) once published, for the E2EE handshake. */
  identityKey: v.optional(b64(64)),
});

/** A host in the session, as a waiting guest sees it: the name and credentials line from its join token. */
export const SessionHost = v.strictObject({
  participantId: Id,
  displayName: DisplayName,
  credentials: v.optional(CredentialsLine),
});

/** Someone in the waiting room, as the host sees them. */
export const WaitingEntry = v.strictObject({
  id: Id,
  role: Role,
  displayName: DisplayName,
  since: uint(Number.MAX_SAFE_INTEGER),
  checklist: v.optional(ChecklistStatus),
  /** Outcome of the licensure check (never the address). */
  licensure: v.optional(LicensureOutcome),
  /** Whether the host may admit now (the checklist's admission requirements are met). */
  admissible: v.optional(v.boolean()),
});

/** A published track others may consume. */
export const ProducerInfo = v.strictObject({
  producerId: Id,
  participantId: Id,
  kind: MediaKind,
  source: TrackSource,
  paused: v.boolean(),
});

/** Session policy as a participant sees it. */
export const SessionPolicyInfo = v.strictObject({
  waitingRoom: v.boolean(),
  e2eeRequired: v.boolean(),
  locked: v.boolean(),
  screenShare: v.picklist(['host', 'everyone', 'nobody']),
  maxParticipants: uint(100),
  recording: v.literal(false),
  /** The pre-session checklist; absent when the policy has none. */
  checklist: v.optional(ChecklistPolicyInfo),
});

export const ReasonText = str(200);
