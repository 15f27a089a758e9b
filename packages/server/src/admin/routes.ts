/**
 * The admin API's route table: every route's method, path, schemas, success status and error codes.
 * The handler dispatches from it and validates with its schemas; {@link buildOpenApi} turns it into
 * the OpenAPI 3.1 document. One source of truth for both.
 * @packageDocumentation
 */
import type * as v from 'valibot';
import * as S from './schemas.js';

/** One admin route. */
export interface AdminRoute {
  readonly method: 'GET' | 'POST' | 'PATCH';
  /** OpenAPI path template, e.g. `/v1/sessions/{sessionId}`. */
  readonly path: string;
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tag: 'sessions' | 'participants' | 'tokens' | 'records' | 'webhooks' | 'meta';
  /** Whether an API key is required. */
  readonly auth: boolean;
  readonly params?: v.ObjectSchema<v.ObjectEntries, undefined> | v.StrictObjectSchema<v.ObjectEntries, undefined>;
  readonly query?: v.StrictObjectSchema<v.ObjectEntries, undefined>;
  /** Request body (JSON). An absent or empty body is read as `{}`. */
  readonly body?: v.GenericSchema;
  /** Accepts an `Idempotency-Key` header. */
  readonly idempotent?: boolean;
  readonly success: { readonly status: number; readonly schema: v.GenericSchema; readonly description: string };
  /** Error codes this route can answer besides the ones every authenticated route can. */
  readonly errors: readonly S.AdminErrorCodeName[];
}

/** Codes every authenticated route can answer. */
export const COMMON_ERRORS: readonly S.AdminErrorCodeName[] = ['UNAUTHENTICATED', 'NOT_ALLOWED', 'RATE_LIMITED', 'INTERNAL_ERROR'];
const BODY: readonly S.AdminErrorCodeName[] = ['INVALID_JSON', 'INVALID_MESSAGE', 'UNSUPPORTED_MEDIA_TYPE', 'MESSAGE_TOO_LARGE'];
const SESSION: readonly S.AdminErrorCodeName[] = ['SESSION_NOT_FOUND', 'INVALID_MESSAGE'];

/** Every route of the admin API, in documentation order (typed by its literal, for the handler's table). */
export const ROUTE_TABLE = [
  {
    method: 'GET',
    path: '/v1/health',
    operationId: 'health',
    summary: 'Liveness check',
    tag: 'meta',
    auth: false,
    success: { status: 200, schema: S.HealthResponse, description: 'The server is up.' },
    errors: [],
  },
  {
    method: 'GET',
    path: '/v1/openapi.json',
    operationId: 'openapi',
    summary: 'This API description (OpenAPI 3.1)',
    tag: 'meta',
    auth: false,
    success: { status: 200, schema: S.EmptyBody, description: 'The OpenAPI document.' },
    errors: [],
  },
  {
    method: 'POST',
    path: '/v1/sessions',
    operationId: 'createSession',
    summary: 'Create a session',
    description:
      'Creates a session with the given policy (secure defaults for anything not given). With an `Idempotency-Key` header, a retry with the same key and body within 24 hours returns the first answer instead of creating a second session.',
    tag: 'sessions',
    auth: true,
    body: S.CreateSessionBody,
    idempotent: true,
    success: { status: 201, schema: S.SessionResponse, description: 'The new session.' },
    errors: [...BODY, 'INVALID_POLICY', 'TOO_MANY_SESSIONS', 'IDEMPOTENCY_CONFLICT'],
  },
  {
    method: 'GET',
    path: '/v1/sessions',
    operationId: 'listSessions',
    summary: 'List sessions',
    description: 'Newest first. Filters combine with AND. Follow `nextCursor` for the next page.',
    tag: 'sessions',
    auth: true,
    query: S.SessionListQuery,
    success: { status: 200, schema: S.SessionListResponse, description: 'One page of sessions.' },
    errors: ['INVALID_MESSAGE'],
  },
  {
    method: 'GET',
    path: '/v1/sessions/{sessionId}',
    operationId: 'getSession',
    summary: 'Get a session',
    tag: 'sessions',
    auth: true,
    params: S.SessionParams,
    success: { status: 200, schema: S.SessionResponse, description: 'The session.' },
    errors: SESSION,
  },
  {
    method: 'PATCH',
    path: '/v1/sessions/{sessionId}/policy',
    operationId: 'updatePolicy',
    summary: 'Change a session policy',
    description:
      'Changes `waitingRoom`, `maxParticipants`, `idleTimeoutS` or `screenShare` of an open session. Connected participants are told of a screen-share change at once; the others apply to the next join.',
    tag: 'sessions',
    auth: true,
    params: S.SessionParams,
    body: S.PolicyUpdate,
    success: { status: 200, schema: S.SessionResponse, description: 'The session with its new policy.' },
    errors: [...SESSION, ...BODY, 'INVALID_POLICY', 'SESSION_ENDED'],
  },
  {
    method: 'POST',
    path: '/v1/sessions/{sessionId}/end',
    operationId: 'endSession',
    summary: 'End a session',
    description: 'Idempotent. Connected participants are told and disconnected; tokens and resume tickets stop working.',
    tag: 'sessions',
    auth: true,
    params: S.SessionParams,
    body: S.EndSessionBody,
    success: { status: 200, schema: S.SessionResponse, description: 'The ended session.' },
    errors: [...SESSION, ...BODY],
  },
  {
    method: 'POST',
    path: '/v1/sessions/{sessionId}/lock',
    operationId: 'lockSession',
    summary: 'Lock a session',
    description: 'Nobody new may enter (hosts excepted), the waiting room included. Idempotent.',
    tag: 'sessions',
    auth: true,
    params: S.SessionParams,
    body: S.EmptyBody,
    success: { status: 200, schema: S.SessionResponse, description: 'The locked session.' },
    errors: [...SESSION, ...BODY, 'SESSION_ENDED'],
  },
  {
    method: 'POST',
    path: '/v1/sessions/{sessionId}/unlock',
    operationId: 'unlockSession',
    summary: 'Unlock a session',
    tag: 'sessions',
    auth: true,
    params: S.SessionParams,
    body: S.EmptyBody,
    success: { status: 200, schema: S.SessionResponse, description: 'The unlocked session.' },
    errors: [...SESSION, ...BODY, 'SESSION_ENDED'],
  },
  {
    method: 'GET',
    path: '/v1/sessions/{sessionId}/participants',
    operationId: 'listParticipants',
    summary: 'List participants',
    description: 'Everyone invited (a token minted) or seen, in first-seen order, with where they stand now.',
    tag: 'participants',
    auth: true,
    params: S.SessionParams,
    query: S.ParticipantListQuery,
    success: { status: 200, schema: S.ParticipantListResponse, description: 'One page of participants.' },
    errors: SESSION,
  },
  {
    method: 'GET',
    path: '/v1/sessions/{sessionId}/participants/{participantId}',
    operationId: 'getParticipant',
    summary: 'Get a participant',
    tag: 'participants',
    auth: true,
    params: S.ParticipantParams,
    success: { status: 200, schema: S.ParticipantResponse, description: 'The participant.' },
    errors: [...SESSION, 'PARTICIPANT_NOT_FOUND'],
  },
  {
    method: 'POST',
    path: '/v1/sessions/{sessionId}/participants/{participantId}/admit',
    operationId: 'admitParticipant',
    summary: 'Admit a waiting participant',
    description: 'The same as a host admitting: the checklist requirements of the policy apply.',
    tag: 'participants',
    auth: true,
    params: S.ParticipantParams,
    body: S.EmptyBody,
    success: { status: 200, schema: S.ParticipantResponse, description: 'The admitted participant.' },
    errors: [...SESSION, ...BODY, 'SESSION_ENDED', 'NOT_WAITING', 'CHECKLIST_INCOMPLETE', 'LICENSURE_BLOCKED'],
  },
  {
    method: 'POST',
    path: '/v1/sessions/{sessionId}/participants/{participantId}/deny',
    operationId: 'denyParticipant',
    summary: 'Deny a waiting participant',
    description: 'The participant is turned away and barred from this session for good.',
    tag: 'participants',
    auth: true,
    params: S.ParticipantParams,
    body: S.EmptyBody,
    success: { status: 200, schema: S.ParticipantResponse, description: 'The denied participant.' },
    errors: [...SESSION, ...BODY, 'SESSION_ENDED', 'NOT_WAITING'],
  },
  {
    method: 'POST',
    path: '/v1/sessions/{sessionId}/participants/{participantId}/remove',
    operationId: 'removeParticipant',
    summary: 'Remove a participant',
    description:
      'Disconnects the participant if connected and bars it from this session for good (its tokens and resume ticket stop working). Works whether or not it is connected now; idempotent.',
    tag: 'participants',
    auth: true,
    params: S.ParticipantParams,
    body: S.EmptyBody,
    success: { status: 200, schema: S.ParticipantResponse, description: 'The removed participant.' },
    errors: [...SESSION, ...BODY, 'SESSION_ENDED'],
  },
  {
    method: 'POST',
    path: '/v1/sessions/{sessionId}/participants/{participantId}/mute',
    operationId: 'requestMute',
    summary: 'Ask a participant to mute',
    description: 'The participant is asked to mute its microphone (`audio`) or camera (`video`); the client decides.',
    tag: 'participants',
    auth: true,
    params: S.ParticipantParams,
    body: S.MuteBody,
    success: { status: 202, schema: S.MuteResponse, description: 'The request was sent.' },
    errors: [...SESSION, ...BODY, 'SESSION_ENDED', 'NOT_LIVE'],
  },
  {
    method: 'POST',
    path: '/v1/sessions/{sessionId}/participants/{participantId}/revoke-tokens',
    operationId: 'revokeParticipantTokens',
    summary: 'Revoke every token of a participant',
    description:
      'Every join token for this participant issued until now is refused from now on (tokens minted afterwards work). A connected participant stays connected; remove it to disconnect it.',
    tag: 'tokens',
    auth: true,
    params: S.ParticipantParams,
    body: S.EmptyBody,
    success: { status: 200, schema: S.RevokeAllResponse, description: 'The revocation.' },
    errors: [...SESSION, ...BODY],
  },
  {
    method: 'POST',
    path: '/v1/sessions/{sessionId}/tokens',
    operationId: 'mintToken',
    summary: 'Mint a join token',
    tag: 'tokens',
    auth: true,
    params: S.SessionParams,
    body: S.MintTokenBody,
    success: { status: 201, schema: S.MintTokenResponse, description: 'The token (hand it to that participant only).' },
    errors: [...SESSION, ...BODY, 'SESSION_ENDED', 'REMOVED', 'NOT_CONFIGURED'],
  },
  {
    method: 'POST',
    path: '/v1/sessions/{sessionId}/tokens/{tokenId}/revoke',
    operationId: 'revokeToken',
    summary: 'Revoke one token',
    description: 'The token (by its `tokenId`) is refused from now on. Idempotent.',
    tag: 'tokens',
    auth: true,
    params: S.TokenParams,
    body: S.EmptyBody,
    success: { status: 200, schema: S.RevokeTokenResponse, description: 'The revocation.' },
    errors: [...SESSION, ...BODY, 'TOKEN_NOT_FOUND'],
  },
  {
    method: 'GET',
    path: '/v1/sessions/{sessionId}/attendance',
    operationId: 'attendance',
    summary: 'Attendance',
    description: 'Invited, joined, left, reconnects and never-joined, per participant, with every event.',
    tag: 'records',
    auth: true,
    params: S.SessionParams,
    query: S.PageQuery,
    success: { status: 200, schema: S.AttendanceResponse, description: 'One page of attendance records.' },
    errors: SESSION,
  },
  {
    method: 'GET',
    path: '/v1/sessions/{sessionId}/audit',
    operationId: 'auditEvents',
    summary: "The session's audit events",
    description:
      'The audit records of this session in order (participant ids are pseudonyms; filter by `participantId` to get one participant’s). Each record carries its chain hashes; `alcove-server audit verify` checks the whole file.',
    tag: 'records',
    auth: true,
    params: S.SessionParams,
    query: S.AuditQuery,
    success: { status: 200, schema: S.AuditResponse, description: 'One page of audit records.' },
    errors: [...SESSION, 'NOT_CONFIGURED'],
  },
  {
    method: 'GET',
    path: '/v1/webhooks/deliveries',
    operationId: 'webhookDeliveries',
    summary: 'Webhook delivery log',
    description:
      'Recent deliveries of your sessions’ events (newest first, the last 1000 kept in memory), with each attempt and its outcome: those to your tenant’s own receivers (`endpointScope` `tenant`), and, when it has none, those to the server’s deployment-level receivers (`deployment`). Never another tenant’s.',
    tag: 'webhooks',
    auth: true,
    query: S.DeliveryQuery,
    success: { status: 200, schema: S.DeliveryListResponse, description: 'One page of deliveries.' },
    errors: ['INVALID_MESSAGE'],
  },
] as const satisfies readonly AdminRoute[];

/** Every route of the admin API, in documentation order: what the handler serves and the OpenAPI document describes. */
export const ADMIN_ROUTES: readonly AdminRoute[] = ROUTE_TABLE;

/** An operation id of {@link ADMIN_ROUTES}. */
export type AdminOperationId = (typeof ROUTE_TABLE)[number]['operationId'];
