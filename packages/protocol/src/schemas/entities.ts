import * as v from 'valibot';
import { DisplayName, Id, MediaKind, Role, TrackSource, b64, str, uint } from './common.js';

/** Status of one checklist step as the server may know it: never the answer itself. */
export const CheckStatus = v.picklist(['pending', 'passed', 'failed', 'skipped']);
/** What the server learns of a checklist: which steps passed, never what was entered. */
export const ChecklistStatus = v.strictObject({
  steps: v.pipe(
    v.record(v.pipe(v.string(), v.maxLength(40), v.regex(/^[a-z][a-z0-9-]*$/)), CheckStatus),
    v.check((o) => Object.keys(o).length <= 32, 'too many checklist steps'),
  ),
  complete: v.boolean(),
});

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

/** Someone in the waiting room, as the host sees them. */
export const WaitingEntry = v.strictObject({
  id: Id,
  role: Role,
  displayName: DisplayName,
  since: uint(Number.MAX_SAFE_INTEGER),
  checklist: v.optional(ChecklistStatus),
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
});

export const ReasonText = str(200);
