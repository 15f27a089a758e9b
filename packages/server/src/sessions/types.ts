import type { Role } from '@alcove/protocol';

/** Who may share a screen. */
export type ScreenSharePolicy = 'host' | 'everyone' | 'nobody';

/** One checklist step, resolved (the protocol's `ChecklistStepDef`). */
export interface ChecklistStepConfig {
  /** A built-in id (`consent`, `location`, `emergency-plan`, `environment`, `browser`, `camera`, `microphone`, `speaker`, `network`) or `custom-…`. */
  readonly id: string;
  /** Whether the step must be done for the checklist to be complete. */
  readonly required: boolean;
  /** Whether `warning` counts as done. */
  readonly allowWarning: boolean;
  /** Heading (custom steps; optional override for built-in ones). */
  readonly title?: string;
  /** Body text the client reads and acknowledges (custom steps; optional for built-in ones). */
  readonly text?: string;
}

/** The consent document, resolved (the protocol's `ConsentDocument`). */
export interface ConsentDocumentConfig {
  /** Version label, e.g. `2026-11` or `v3` (`^[A-Za-z0-9._-]{1,40}$`). */
  readonly version: string;
  /** Lowercase hex SHA-256 of the document's exact bytes. */
  readonly sha256: string;
  /** The document itself (UTF-8); exactly one of `text` and `url`. */
  readonly text?: string;
  /** An `https://` URL of the document; exactly one of `text` and `url`. */
  readonly url?: string;
  /** Whether an acknowledgement of this exact version may be remembered on the client's device. */
  readonly rememberOnDevice: boolean;
}

/** What happens when the client's location is outside the therapist's jurisdictions. */
export type LicensureMode = 'off' | 'warn' | 'block';

/**
 * The pre-session checklist, every field resolved (see {@link ChecklistInput} for defaults). The
 * answers never reach the server: it learns step statuses, the signed consent receipt and the
 * licensure outcome only.
 */
export interface ChecklistConfig {
  /** Steps in order; empty when the session has no checklist. */
  readonly steps: readonly ChecklistStepConfig[];
  /** Whether the host may admit a client only once its required steps are done. */
  readonly requiredBeforeAdmission: boolean;
  /** The consent document (present exactly when a `consent` step is). */
  readonly consent?: ConsentDocumentConfig;
  readonly licensure: LicensureMode;
  /** Whether the client's jurisdiction code may leave the session (audit, webhooks). */
  readonly shareJurisdiction: boolean;
  /** The practice's cancellation and no-show policy, acknowledged in the `emergency-plan` step. */
  readonly cancellationPolicy?: string;
  /** Whether the client app may prefill the location from the last session on the device. */
  readonly prefillLocation: boolean;
}

/** One step as an integrator writes it: a built-in id, or an object. */
export type ChecklistStepInput =
  | string
  | {
      readonly id: string;
      /** Default true. */
      readonly required?: boolean;
      /**
       * Default true for `environment`, `browser`, `camera`, `microphone`, `speaker`, `network` and
       * `location`; false for `consent`, `emergency-plan` and custom steps.
       */
      readonly allowWarning?: boolean;
      /** Required for custom steps (≤ 120 characters). */
      readonly title?: string;
      /** Required for custom steps (≤ 4 000 characters). */
      readonly text?: string;
    };

/** The consent document as an integrator writes it. */
export interface ConsentDocumentInput {
  readonly version: string;
  /** Lowercase hex SHA-256 of the document; with `text`, it must be the SHA-256 of its UTF-8 bytes. */
  readonly sha256: string;
  /** The document (≤ 16 000 characters). Exactly one of `text` and `url`. */
  readonly text?: string;
  /** `https://…` (≤ 2 048 characters). Exactly one of `text` and `url`. */
  readonly url?: string;
  /** Default false. */
  readonly rememberOnDevice?: boolean;
}

/**
 * The checklist as an integrator writes it. Defaults: no steps, `requiredBeforeAdmission` false,
 * `licensure` `warn` when the policy has jurisdictions (else `off`), `shareJurisdiction` false,
 * `prefillLocation` true. A `consent` step requires `consent` and vice versa.
 */
export interface ChecklistInput {
  /** At most 32, no duplicates; custom ids are `custom-` and 1–32 of `[a-z0-9-]`. */
  readonly steps?: readonly ChecklistStepInput[];
  readonly requiredBeforeAdmission?: boolean;
  readonly consent?: ConsentDocumentInput;
  /** `warn` or `block` need `jurisdictions`; `block` also needs a `location` step. */
  readonly licensure?: LicensureMode;
  readonly shareJurisdiction?: boolean;
  /** ≤ 4 000 characters. */
  readonly cancellationPolicy?: string;
  readonly prefillLocation?: boolean;
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
 * no jurisdictions, empty checklist (see {@link ChecklistInput}), screen share by the host only.
 */
export interface SessionPolicyInput {
  readonly waitingRoom?: boolean;
  readonly e2eeRequired?: boolean;
  readonly recording?: false;
  readonly maxParticipants?: number;
  readonly idleTimeoutS?: number;
  readonly jurisdictions?: readonly string[];
  readonly checklist?: ChecklistInput;
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
