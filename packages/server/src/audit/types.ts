import type { Role } from '@alcove/protocol';

/** Every audit entry type. */
export const AUDIT_ENTRY_TYPES = [
  'session.created',
  'session.ended',
  'session.locked',
  'session.unlocked',
  'participant.waiting',
  'participant.admitted',
  'participant.denied',
  'participant.joined',
  'participant.left',
  'participant.removed',
  'participant.reconnected',
  'host.muteRequested',
  'checklist.completed',
  'consent.recorded',
  'licensure.checked',
  'e2ee.verified',
  'e2ee.notEncrypted',
  'token.rejected',
  'admin.tokenMinted',
  'audit.recovered',
  'admin.sessionRead',
  'admin.participantsRead',
  'session.screenShareChanged',
  'participant.resumeRefused',
  'audit.anchored',
  'admin.sessionsListed',
  'admin.policyUpdated',
  'admin.tokenRevoked',
  'admin.tokensRevoked',
  'admin.attendanceRead',
  'admin.auditRead',
  'admin.deliveriesRead',
  'admin.authFailed',
] as const;
/** An audit entry type. */
export type AuditEntryType = (typeof AUDIT_ENTRY_TYPES)[number];

/** Who caused an entry. */
export type AuditActor = 'host' | 'admin' | 'system' | 'participant';

/**
 * What a caller appends. There is deliberately no field for names, tokens, tickets, keys, chat,
 * checklist answers or addresses. Participant ids (`participantId`, `actorId`) are replaced by an
 * HMAC pseudonym before anything is written; `sessionId` is kept (a random id, no personal data).
 * String values in `reason` and `detail` must be code-like (`^[A-Za-z0-9_.:-]{0,64}$`).
 */
export interface AuditEntry {
  readonly type: AuditEntryType;
  readonly sessionId?: string;
  /** The participant concerned (pseudonymised). */
  readonly participantId?: string;
  /** The participant who acted, e.g. the host who removed someone (pseudonymised). */
  readonly actorId?: string;
  readonly actor?: AuditActor;
  readonly role?: Role;
  /** A short code, e.g. an error code or an end reason. */
  readonly reason?: string;
  /** Further code-like facts (counts, flags, step statuses, a consent document version). At most 16 keys. */
  readonly detail?: Readonly<Record<string, string | number | boolean>>;
}

/** One line of the audit file as written. */
export interface AuditRecord {
  /** 1, 2, 3… without gaps. */
  readonly seq: number;
  /** ISO-8601 UTC time of the append. */
  readonly at: string;
  readonly type: AuditEntryType;
  readonly sid?: string;
  /** Pseudonym of `participantId`: `p_` + 32 hex chars of HMAC-SHA-256(key, participantId). */
  readonly pid?: string;
  /** Pseudonym of `actorId`. */
  readonly by?: string;
  readonly actor?: AuditActor;
  readonly role?: Role;
  readonly reason?: string;
  readonly detail?: Readonly<Record<string, string | number | boolean>>;
  /** `hash` of the previous line (64 zeros for the first). */
  readonly prev: string;
  /** SHA-256 hex over `prev + "\n" + ` the canonical JSON of this record without `hash`. */
  readonly hash: string;
}

/** The result of {@link verifyAuditFile}. */
export type AuditVerifyResult =
  | {
      readonly ok: true;
      readonly entries: number;
      readonly lastHash: string;
      /** Keyed checkpoints (`audit.anchored` lines) in the file. */
      readonly checkpoints?: number;
      /** Whether the checkpoints and head were checked with the deployment's key. */
      readonly keyed?: boolean;
    }
  | { readonly ok: false; readonly line: number; readonly reason: string };
