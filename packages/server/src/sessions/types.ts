import type { Role } from '@alcove/protocol';

/** Who may share a screen. */
export type ScreenSharePolicy = 'host' | 'everyone' | 'nobody';

/** Pre-session checklist configuration (step ids only; the answers never reach the server). */
export interface ChecklistConfig {
  /** Step ids in order, e.g. `consent`, `location`, `emergency-contact`, `private-space`, `camera`. */
  readonly steps: readonly string[];
  /** Whether a client must complete the checklist before the host may admit them. Default false. */
  readonly requiredBeforeAdmission: boolean;
}

/** A session's policy, every field resolved (see {@link SessionPolicyInput} for defaults). */
export interface SessionPolicy {
  readonly waitingRoom: boolean;
  readonly e2eeRequired: boolean;
  /** Always false: the reference server never records. */
  readonly recording: false;
  readonly maxParticipants: number;
  /** Seconds with nobody connected after which the session ends by itself. */
  readonly idleTimeoutS: number;
  /** The therapist's licensed jurisdictions (ISO 3166-1/-2 codes such as `US-CA`, `DE`). */
  readonly jurisdictions: readonly string[];
  readonly checklist: ChecklistConfig;
  readonly screenShare: ScreenSharePolicy;
}

/**
 * Policy as an integrator sends it; every field optional. Defaults (secure by default): waiting room
 * on, E2EE required, recording off, `maxParticipants` 6 (2…100), `idleTimeoutS` 1800 (60…86 400),
 * no jurisdictions, empty checklist, screen share by the host only.
 */
export interface SessionPolicyInput {
  readonly waitingRoom?: boolean;
  readonly e2eeRequired?: boolean;
  readonly recording?: false;
  readonly maxParticipants?: number;
  readonly idleTimeoutS?: number;
  readonly jurisdictions?: readonly string[];
  readonly checklist?: { readonly steps?: readonly string[]; readonly requiredBeforeAdmission?: boolean };
  readonly screenShare?: ScreenSharePolicy;
}

/** Lifecycle of a session record. */
export type SessionState = 'open' | 'ended';

/** Why a session ended (code-like; never free text). */
export type SessionEndReason = 'host' | 'admin' | 'idle' | 'shutdown' | (string & {});

/** A session as the registry holds it (an immutable snapshot; mutate through the registry). */
export interface SessionRecord {
  /** ≥ 128-bit random id (base64url). */
  readonly id: string;
  /** Unix ms. */
  readonly createdAt: number;
  readonly policy: SessionPolicy;
  readonly state: SessionState;
  /** When locked nobody new may enter (waiting room included). */
  readonly locked: boolean;
  readonly endedAt?: number;
  readonly endReason?: SessionEndReason;
  /** Admin tenant that created it (API keys of other tenants cannot see it); undefined: visible to all. */
  readonly tenant?: string;
}

/** Attendance events the signalling side records. */
export const ATTENDANCE_EVENTS = ['waiting', 'admitted', 'denied', 'joined', 'left', 'reconnecting', 'reconnected', 'removed'] as const;
/** One attendance event kind. */
export type AttendanceEventKind = (typeof ATTENDANCE_EVENTS)[number];

/** One attendance event. */
export interface AttendanceEvent {
  readonly event: AttendanceEventKind;
  /** Unix ms. */
  readonly at: number;
}

/** Attendance of one participant: invited (token minted) and/or seen by the server. */
export interface ParticipantAttendance {
  readonly participantId: string;
  /** Role given at invitation (token mint through the admin API), when known. */
  readonly role?: Role;
  /** Unix ms the admin API minted its first token. */
  readonly invitedAt?: number;
  /** True when the participant never got past the door (never `joined` nor `admitted`). */
  readonly neverJoined: boolean;
  /** First `joined` / `admitted`, last `left` / `removed`, count of `reconnected`. */
  readonly firstJoinedAt?: number;
  readonly lastLeftAt?: number;
  readonly reconnects: number;
  readonly removed: boolean;
  readonly denied: boolean;
  /** Every event in order (capped per participant). */
  readonly events: readonly AttendanceEvent[];
}
