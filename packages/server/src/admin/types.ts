import type { MediaKind, Role } from '@alcove/protocol';
import type { AuditRecord } from '../audit/types.js';
import type { ParticipantAttendance, SessionPolicy, SessionPolicyInput, SessionState } from '../sessions/types.js';
import type { ScopedWebhookDeliveryRecord } from '../webhooks/tenant-router.js';

/** A session as the admin API returns it. */
export interface SessionView {
  readonly id: string;
  readonly state: SessionState;
  readonly locked: boolean;
  readonly policy: SessionPolicy;
  /** Unix ms. */
  readonly createdAt: number;
  readonly endedAt?: number;
  readonly endReason?: string;
}

/** `POST /v1/sessions` body. */
export interface CreateSessionRequest {
  readonly policy?: SessionPolicyInput;
}

/** `PATCH /v1/sessions/:id/policy` body: the fields that may change after creation. */
export interface PolicyUpdateRequest {
  readonly waitingRoom?: boolean;
  readonly maxParticipants?: number;
  readonly idleTimeoutS?: number;
  readonly screenShare?: 'host' | 'everyone' | 'nobody';
}

/** `POST /v1/sessions/:id/end` body. */
export interface EndSessionRequest {
  /** Short code; default `admin`. */
  readonly reason?: string;
}

/** `GET /v1/sessions` filters and paging. */
export interface ListSessionsRequest {
  readonly state?: SessionState;
  readonly locked?: boolean;
  /** Unix ms, inclusive. */
  readonly createdAfter?: number;
  /** Unix ms, exclusive. */
  readonly createdBefore?: number;
  /** 1–200; default 50. */
  readonly limit?: number;
  readonly cursor?: string;
}

/** Paging of list routes. */
export interface PageRequest {
  /** 1–200; default 50. */
  readonly limit?: number;
  /** `nextCursor` of the previous page. */
  readonly cursor?: string;
}

/** One page of a list. */
export type Page<K extends string, T> = { readonly [P in K]: readonly T[] } & {
  /** Present when there is a next page. */
  readonly nextCursor?: string;
};

/** `POST /v1/sessions/:id/tokens` body. */
export interface MintTokenRequest {
  /** Default: a fresh random id. */
  readonly participantId?: string;
  readonly role: Role;
  /** 1–80 characters; goes into the token only (never stored, never logged). */
  readonly displayName: string;
  /**
   * Hosts only: a credentials line waiting guests see under the host's name (1–120 characters, no
   * control characters); goes into the token's `cred` claim only (never stored, never logged).
   */
  readonly credentials?: string;
  /** Lifetime in seconds; default 3 600, at most the server's maximum. */
  readonly ttlS?: number;
}

/** `POST /v1/sessions/:id/tokens` response. */
export interface MintTokenResponse {
  readonly token: string;
  /** The token's id (its `jti`), for `POST …/tokens/:tokenId/revoke`. */
  readonly tokenId: string;
  readonly participantId: string;
  /** Unix seconds. */
  readonly expiresAt: number;
}

/** `POST /v1/sessions/:id/tokens/:tokenId/revoke` response. */
export interface RevokeTokenResponse {
  readonly tokenId: string;
  readonly participantId: string;
  /** Unix ms. */
  readonly revokedAt: number;
}

/** `POST /v1/sessions/:id/participants/:pid/revoke-tokens` response. */
export interface RevokeParticipantTokensResponse {
  readonly participantId: string;
  /** Unix ms. */
  readonly revokedAt: number;
  /** Tokens minted through the API that this caught (tokens minted elsewhere are refused too). */
  readonly tokens: number;
}

/** Where a participant stands now. */
export type ParticipantStatus = 'invited' | 'waiting' | 'admitted' | 'reconnecting' | 'left' | 'removed' | 'denied';

/** A participant: its attendance and where it stands now. */
export interface ParticipantView extends ParticipantAttendance {
  readonly status: ParticipantStatus;
  /** Whether a signalling connection is open now. */
  readonly connected: boolean;
  /** Unix ms it entered the waiting room (while waiting). */
  readonly waitingSince?: number;
}

/** `GET /v1/sessions/:id/participants` response. */
export type ParticipantsResponse = Page<'participants', ParticipantView>;

/** `POST …/participants/:pid/mute` response. */
export interface MuteResponse {
  readonly participantId: string;
  readonly kind: MediaKind;
  readonly requested: true;
}

/** `GET /v1/sessions/:id/attendance` response. */
export type AttendanceResponse = Page<'attendance', ParticipantAttendance>;

/** `GET /v1/sessions/:id/audit` response (participant ids are pseudonyms). */
export type AuditEventsResponse = Page<'events', AuditRecord>;

/** `GET /v1/webhooks/deliveries` response. */
export type WebhookDeliveriesResponse = Page<'deliveries', ScopedWebhookDeliveryRecord>;

/** Error body of every failed admin call. */
export interface AdminErrorBody {
  readonly error: { readonly code: AdminErrorCode; readonly message: string };
}

/**
 * Admin API error codes; `ADMIN_ERRORS` (in `@alcove/server`) gives each one's HTTP status and the
 * integration guide its meaning.
 */
export type AdminErrorCode =
  | 'UNAUTHENTICATED'
  | 'NOT_ALLOWED'
  | 'SESSION_NOT_FOUND'
  | 'PARTICIPANT_NOT_FOUND'
  | 'TOKEN_NOT_FOUND'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'SESSION_ENDED'
  | 'REMOVED'
  | 'NOT_WAITING'
  | 'NOT_LIVE'
  | 'INVALID_STATE'
  | 'CHECKLIST_INCOMPLETE'
  | 'LICENSURE_BLOCKED'
  | 'IDEMPOTENCY_CONFLICT'
  | 'MESSAGE_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'INVALID_JSON'
  | 'INVALID_MESSAGE'
  | 'INVALID_POLICY'
  | 'TOO_MANY_SESSIONS'
  | 'RATE_LIMITED'
  | 'NOT_CONFIGURED'
  | 'INTERNAL_ERROR';

/** A participant of the live room, as the admin API sees it. */
export interface LiveParticipant {
  readonly id: string;
  readonly role: Role;
  readonly state: 'waiting' | 'admitted';
  readonly connected: boolean;
  /** Unix ms it entered the waiting room. */
  readonly since: number;
}

/**
 * What the admin API needs from the live side (rooms). Actions throw an error with a `code`
 * (`NOT_FOUND`, `CHECKLIST_INCOMPLETE`, `LICENSURE_BLOCKED`, `INVALID_STATE`…) when they do not
 * apply; the admin API maps them to its own codes.
 */
export interface AdminLiveOps {
  /** Participants of the live room, or `undefined` when the session has no live room. */
  participants(sessionId: string): readonly LiveParticipant[] | undefined;
  admit(sessionId: string, participantId: string): void;
  deny(sessionId: string, participantId: string): void;
  /** Removes a connected (or reconnecting) participant; false when it is not in the live room. */
  remove(sessionId: string, participantId: string): boolean;
  requestMute(sessionId: string, participantId: string, kind: MediaKind): void;
  /** Locks or unlocks the live room (tells everyone); false when there is none. */
  setLocked(sessionId: string, locked: boolean): boolean;
  /** Applies a screen-share change to the live room, if any. */
  setScreenShare(sessionId: string, allowed: 'host' | 'everyone' | 'nobody'): void;
  /** Ends the live room (notify, disconnect), after the registry ended the session. */
  end(sessionId: string, reason: string): void | Promise<void>;
}
