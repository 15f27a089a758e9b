import type { Role } from '@alcove/protocol';
import type { ParticipantAttendance, SessionPolicy, SessionPolicyInput, SessionState } from '../sessions/types.js';

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

/** `POST /v1/sessions/:id/end` body. */
export interface EndSessionRequest {
  /** Short code; default `admin`. */
  readonly reason?: string;
}

/** `POST /v1/sessions/:id/tokens` body. */
export interface MintTokenRequest {
  /** Default: a fresh random id. */
  readonly participantId?: string;
  readonly role: Role;
  /** 1–80 characters; goes into the token only (never stored, never logged). */
  readonly displayName: string;
  /** Lifetime in seconds; default 3 600, at most the server's maximum. */
  readonly ttlS?: number;
}

/** `POST /v1/sessions/:id/tokens` response. */
export interface MintTokenResponse {
  readonly token: string;
  readonly participantId: string;
  /** Unix seconds. */
  readonly expiresAt: number;
}

/** `GET /v1/sessions/:id/participants` response. */
export interface ParticipantsResponse {
  readonly participants: readonly ParticipantAttendance[];
  /** Participant ids connected right now (when the live side reports it). */
  readonly live?: readonly string[];
}

/** Error body of every failed admin call. */
export interface AdminErrorBody {
  readonly error: { readonly code: string; readonly message: string };
}

/** Admin API error codes (HTTP status in brackets). */
export type AdminErrorCode =
  | 'UNAUTHENTICATED' // 401
  | 'NOT_ALLOWED' // 403 (a join token used as an API key)
  | 'SESSION_NOT_FOUND' // 404 (also: not yours)
  | 'NOT_FOUND' // 404 (no such route)
  | 'METHOD_NOT_ALLOWED' // 405
  | 'SESSION_ENDED' // 409
  | 'REMOVED' // 409 (minting for a removed / denied participant)
  | 'MESSAGE_TOO_LARGE' // 413
  | 'UNSUPPORTED_MEDIA_TYPE' // 415
  | 'INVALID_JSON' // 400
  | 'INVALID_MESSAGE' // 400
  | 'INVALID_POLICY' // 400
  | 'TOO_MANY_SESSIONS' // 429
  | 'RATE_LIMITED' // 429 (too many failed authentications from one address)
  | 'NOT_CONFIGURED' // 501 (token minting without a signing key)
  | 'INTERNAL_ERROR'; // 500
