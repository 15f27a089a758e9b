/**
 * The admin API's shapes as valibot schemas: request bodies, path parameters, query strings and
 * responses. The handler validates with them and the OpenAPI document is generated from them, so the
 * two cannot drift. Shared pieces (ids, roles, display names, jurisdictions, checklist parts) are the
 * protocol's own schemas — the same ones the signalling server validates with.
 * @packageDocumentation
 */
import { schemas as p } from '@alcove/protocol';
import * as v from 'valibot';
import { CHECKLIST_POLICY_LIMITS } from '../sessions/checklist-policy.js';
import { POLICY_LIMITS } from '../sessions/policy.js';
import { ATTENDANCE_EVENTS } from '../sessions/types.js';
import { WEBHOOK_EVENT_TYPES } from '../webhooks/types.js';
import type { AdminErrorCode } from './types.js';

/** Largest page a list route returns. */
export const MAX_PAGE_SIZE = 200;
/** Page size when `limit` is not given. */
export const DEFAULT_PAGE_SIZE = 50;

// --- building blocks ---------------------------------------------------------------------------

/** A session id: 22 characters of base64url (128 random bits) for sessions this server creates. */
export const SessionId = v.pipe(p.Id, v.description('Session id (1–64 of A–Z a–z 0–9 _ -; the server creates 22-character ones).'));
/** A participant id. */
export const ParticipantId = v.pipe(p.Id, v.description('Participant id (1–64 of A–Z a–z 0–9 _ -), stable for one person in one session.'));
/** A token id (the token's `jti`). */
export const TokenId = v.pipe(
  v.string(),
  v.regex(/^tok_[A-Za-z0-9_-]{16,43}$/),
  v.description('Token id: `tok_` + base64url (the `jti` claim).'),
);
/** A short code-like reason. */
export const ReasonCode = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_.:-]{1,64}$/), v.description('A short code, e.g. `appointment-over`.'));
/** Unix time in milliseconds. */
export const UnixMs = v.pipe(v.number(), v.integer(), v.minValue(0), v.description('Unix time, milliseconds.'));
/** An opaque paging cursor. */
export const Cursor = v.pipe(v.string(), v.regex(/^[A-Za-z0-9_-]{1,200}$/), v.description('Opaque cursor from the previous page.'));
/** A decimal integer in a query string. */
const QueryInt = (min: number, max: number, what: string) =>
  v.pipe(v.string(), v.regex(/^\d{1,15}$/), v.description(`${what} (decimal integer ${min}–${max}).`));
const Limit = v.pipe(v.string(), v.regex(/^\d{1,4}$/), v.description(`Page size, 1–${MAX_PAGE_SIZE}; default ${DEFAULT_PAGE_SIZE}.`));

/** The stable error codes of the admin API. */
export const ADMIN_ERROR_CODES = [
  'UNAUTHENTICATED',
  'NOT_ALLOWED',
  'SESSION_NOT_FOUND',
  'PARTICIPANT_NOT_FOUND',
  'TOKEN_NOT_FOUND',
  'NOT_FOUND',
  'METHOD_NOT_ALLOWED',
  'SESSION_ENDED',
  'REMOVED',
  'NOT_WAITING',
  'NOT_LIVE',
  'INVALID_STATE',
  'CHECKLIST_INCOMPLETE',
  'LICENSURE_BLOCKED',
  'IDEMPOTENCY_CONFLICT',
  'MESSAGE_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'INVALID_JSON',
  'INVALID_MESSAGE',
  'INVALID_POLICY',
  'TOO_MANY_SESSIONS',
  'RATE_LIMITED',
  'NOT_CONFIGURED',
  'INTERNAL_ERROR',
] as const satisfies readonly AdminErrorCode[];
/** One admin API error code (the same as {@link AdminErrorCode}). */
export type AdminErrorCodeName = (typeof ADMIN_ERROR_CODES)[number];
// The list names every code of the public type (and, by `satisfies`, nothing else).
const EVERY_CODE: Exclude<AdminErrorCode, AdminErrorCodeName> extends never ? true : never = true;
void EVERY_CODE;

/** HTTP status and meaning of every admin error code. */
export const ADMIN_ERRORS: Readonly<Record<AdminErrorCodeName, { readonly status: number; readonly message: string }>> = {
  UNAUTHENTICATED: { status: 401, message: 'A valid API key is required.' },
  NOT_ALLOWED: { status: 403, message: 'A join token is not an API key.' },
  SESSION_NOT_FOUND: { status: 404, message: 'No such session.' },
  PARTICIPANT_NOT_FOUND: { status: 404, message: 'No such participant in this session.' },
  TOKEN_NOT_FOUND: { status: 404, message: 'No token with this id was minted for this session.' },
  NOT_FOUND: { status: 404, message: 'No such route.' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'Method not allowed.' },
  SESSION_ENDED: { status: 409, message: 'The session has ended.' },
  REMOVED: { status: 409, message: 'This participant was removed or denied and cannot be invited again.' },
  NOT_WAITING: { status: 409, message: 'Nobody with this id is in the waiting room.' },
  NOT_LIVE: { status: 409, message: 'The participant is not connected to the session now.' },
  INVALID_STATE: { status: 409, message: 'The action does not apply in the current state.' },
  CHECKLIST_INCOMPLETE: { status: 409, message: 'Required checklist steps are not done.' },
  LICENSURE_BLOCKED: { status: 409, message: 'The client is outside the licensed jurisdictions and the policy blocks admission.' },
  IDEMPOTENCY_CONFLICT: { status: 409, message: 'This Idempotency-Key was used with a different request.' },
  MESSAGE_TOO_LARGE: { status: 413, message: 'The request body is too large.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'The request body must be application/json.' },
  INVALID_JSON: { status: 400, message: 'The body is not valid JSON.' },
  INVALID_MESSAGE: { status: 400, message: 'The request is not valid.' },
  INVALID_POLICY: { status: 400, message: 'The session policy is not valid.' },
  TOO_MANY_SESSIONS: { status: 429, message: 'The server holds its maximum number of sessions.' },
  RATE_LIMITED: { status: 429, message: 'Too many failed authentications; try again later.' },
  NOT_CONFIGURED: { status: 501, message: 'This server has no token signing key.' },
  INTERNAL_ERROR: { status: 500, message: 'The server failed to handle the request.' },
};

// --- policy ------------------------------------------------------------------------------------

const b = v.boolean();
const intIn = (min: number, max: number) => v.pipe(v.number(), v.integer(), v.minValue(min), v.maxValue(max));
const text = (max: number) => v.pipe(v.string(), v.minLength(1), v.maxLength(max));

/** A checklist step as an integrator writes it: a step id, or an object. */
export const ChecklistStepInput = v.union([
  p.StepId,
  v.strictObject({
    id: p.StepId,
    required: v.optional(b),
    allowWarning: v.optional(b),
    title: v.optional(text(CHECKLIST_POLICY_LIMITS.title)),
    text: v.optional(text(CHECKLIST_POLICY_LIMITS.text)),
  }),
]);

/** The consent document as an integrator writes it (exactly one of `text` and `url`). */
export const ConsentDocumentInput = v.strictObject({
  version: p.ConsentVersion,
  sha256: p.Sha256Hex,
  text: v.optional(text(CHECKLIST_POLICY_LIMITS.consentText)),
  url: v.optional(v.pipe(v.string(), v.maxLength(CHECKLIST_POLICY_LIMITS.consentUrl), v.regex(/^https:\/\/[^\s]+$/))),
  rememberOnDevice: v.optional(b),
});

/** The pre-session checklist as an integrator writes it. */
export const ChecklistInput = v.strictObject({
  steps: v.optional(v.pipe(v.array(ChecklistStepInput), v.maxLength(CHECKLIST_POLICY_LIMITS.steps))),
  requiredBeforeAdmission: v.optional(b),
  consent: v.optional(ConsentDocumentInput),
  licensure: v.optional(p.LicensureMode),
  shareJurisdiction: v.optional(b),
  cancellationPolicy: v.optional(text(CHECKLIST_POLICY_LIMITS.cancellationPolicy)),
  prefillLocation: v.optional(b),
});

const ScreenShare = v.picklist(['host', 'everyone', 'nobody']);

/** A session policy as an integrator sends it (every field optional; secure defaults). */
export const SessionPolicyInput = v.strictObject({
  waitingRoom: v.optional(v.pipe(b, v.description('Default true: everyone but hosts waits to be admitted.'))),
  e2eeRequired: v.optional(v.pipe(b, v.description('Default true: only end-to-end encrypted clients may join.'))),
  recording: v.optional(v.pipe(v.literal(false), v.description('Always false: the server never records.'))),
  maxParticipants: v.optional(
    v.pipe(intIn(POLICY_LIMITS.maxParticipants.min, POLICY_LIMITS.maxParticipants.max), v.description('Default 6.')),
  ),
  idleTimeoutS: v.optional(
    v.pipe(
      intIn(POLICY_LIMITS.idleTimeoutS.min, POLICY_LIMITS.idleTimeoutS.max),
      v.description('Seconds with nobody connected before the session ends by itself. Default 1800.'),
    ),
  ),
  jurisdictions: v.optional(v.pipe(v.array(p.Jurisdiction), v.maxLength(POLICY_LIMITS.jurisdictions.max))),
  checklist: v.optional(ChecklistInput),
  screenShare: v.optional(v.pipe(ScreenShare, v.description('Who may share a screen. Default `host`.'))),
});

/** A resolved session policy (every field present). */
export const SessionPolicy = v.strictObject({
  waitingRoom: b,
  e2eeRequired: b,
  recording: v.literal(false),
  maxParticipants: v.number(),
  idleTimeoutS: v.number(),
  jurisdictions: v.array(v.string()),
  checklist: v.strictObject({
    steps: v.array(p.ChecklistStepDef),
    requiredBeforeAdmission: b,
    consent: v.optional(p.ConsentDocument),
    licensure: p.LicensureMode,
    shareJurisdiction: b,
    cancellationPolicy: v.optional(v.string()),
    prefillLocation: b,
  }),
  screenShare: ScreenShare,
});

/** The policy fields that may change after creation. */
export const PolicyUpdate = v.pipe(
  v.strictObject({
    waitingRoom: v.optional(b),
    maxParticipants: v.optional(intIn(POLICY_LIMITS.maxParticipants.min, POLICY_LIMITS.maxParticipants.max)),
    idleTimeoutS: v.optional(intIn(POLICY_LIMITS.idleTimeoutS.min, POLICY_LIMITS.idleTimeoutS.max)),
    screenShare: v.optional(ScreenShare),
  }),
  v.check((o) => Object.keys(o).length > 0, 'Give at least one field to change.'),
);

// --- resources ---------------------------------------------------------------------------------

/** A session as the admin API returns it. */
export const SessionView = v.strictObject({
  id: SessionId,
  state: v.picklist(['open', 'ended']),
  locked: b,
  policy: SessionPolicy,
  createdAt: UnixMs,
  endedAt: v.optional(UnixMs),
  endReason: v.optional(v.string()),
});

/** Where a participant stands. */
export const ParticipantStatus = v.picklist(['invited', 'waiting', 'admitted', 'reconnecting', 'left', 'removed', 'denied']);

const AttendanceEvent = v.strictObject({ event: v.picklist(ATTENDANCE_EVENTS), at: UnixMs });

/** Attendance of one participant. */
export const ParticipantAttendance = v.strictObject({
  participantId: ParticipantId,
  role: v.optional(p.Role),
  invitedAt: v.optional(UnixMs),
  neverJoined: b,
  firstJoinedAt: v.optional(UnixMs),
  lastLeftAt: v.optional(UnixMs),
  reconnects: v.pipe(v.number(), v.integer(), v.minValue(0)),
  removed: b,
  denied: b,
  events: v.array(AttendanceEvent),
});

/** A participant: its attendance plus where it stands now. */
export const ParticipantView = v.strictObject({
  ...ParticipantAttendance.entries,
  status: ParticipantStatus,
  connected: v.pipe(b, v.description('Whether a signalling connection is open now.')),
  waitingSince: v.optional(UnixMs),
});

/** One audit record of a session (participant ids are pseudonyms). */
export const AuditEventView = v.strictObject({
  seq: v.pipe(v.number(), v.integer(), v.minValue(1)),
  at: v.pipe(v.string(), v.description('ISO-8601 UTC.')),
  type: v.string(),
  sid: v.optional(v.string()),
  pid: v.optional(v.pipe(v.string(), v.description('Pseudonym of the participant id (`p_` + 32 hex).'))),
  by: v.optional(v.string()),
  actor: v.optional(v.picklist(['host', 'admin', 'system', 'participant'])),
  role: v.optional(p.Role),
  reason: v.optional(v.string()),
  detail: v.optional(v.record(v.string(), v.union([v.string(), v.number(), v.boolean()]))),
  prev: v.string(),
  hash: v.string(),
});

/** One webhook delivery (all attempts of one event to one endpoint). */
export const WebhookDeliveryView = v.strictObject({
  eventId: v.string(),
  type: v.picklist(WEBHOOK_EVENT_TYPES as unknown as [string, ...string[]]),
  sessionId: v.optional(v.string()),
  endpointIndex: v.pipe(v.number(), v.integer(), v.minValue(0), v.description('Index of the receiver in the list `endpointScope` names.')),
  endpointScope: v.pipe(
    v.picklist(['tenant', 'deployment']),
    v.description("`tenant`: one of your tenant's own receivers; `deployment`: one of the server's deployment-level receivers."),
  ),
  outcome: v.pipe(v.picklist(['pending', 'delivered', 'failed', 'refused']), v.description('`refused`: the address is not allowed.')),
  attempts: v.array(
    v.strictObject({
      at: UnixMs,
      status: v.optional(v.pipe(v.number(), v.integer())),
      error: v.optional(v.picklist(['timeout', 'network', 'refused-address'])),
      durationMs: v.pipe(v.number(), v.minValue(0)),
    }),
  ),
  createdAt: UnixMs,
  finishedAt: v.optional(UnixMs),
});

const Page = <T extends v.GenericSchema>(key: string, item: T) =>
  v.strictObject({
    [key]: v.array(item),
    nextCursor: v.optional(v.pipe(v.string(), v.description('Present when there is a next page.'))),
  } as Record<string, v.GenericSchema>);

// --- requests and responses --------------------------------------------------------------------

export const CreateSessionBody = v.strictObject({ policy: v.optional(SessionPolicyInput) });
export const SessionResponse = v.strictObject({ session: SessionView });
export const SessionListResponse = Page('sessions', SessionView);
export const SessionListQuery = v.strictObject({
  state: v.optional(v.picklist(['open', 'ended'])),
  locked: v.optional(v.picklist(['true', 'false'])),
  createdAfter: v.optional(QueryInt(0, Number.MAX_SAFE_INTEGER, 'Only sessions created at or after this unix ms')),
  createdBefore: v.optional(QueryInt(0, Number.MAX_SAFE_INTEGER, 'Only sessions created before this unix ms')),
  limit: v.optional(Limit),
  cursor: v.optional(Cursor),
});
export const PageQuery = v.strictObject({ limit: v.optional(Limit), cursor: v.optional(Cursor) });
export const ParticipantListQuery = v.strictObject({
  status: v.optional(ParticipantStatus),
  limit: v.optional(Limit),
  cursor: v.optional(Cursor),
});
export const AuditQuery = v.strictObject({
  participantId: v.optional(ParticipantId),
  limit: v.optional(Limit),
  cursor: v.optional(Cursor),
});
export const DeliveryQuery = v.strictObject({
  outcome: v.optional(v.picklist(['pending', 'delivered', 'failed', 'refused'])),
  sessionId: v.optional(SessionId),
  limit: v.optional(Limit),
  cursor: v.optional(Cursor),
});
export const EndSessionBody = v.strictObject({ reason: v.optional(ReasonCode) });
export const EmptyBody = v.strictObject({});
export const MintTokenBody = v.strictObject({
  participantId: v.optional(v.pipe(ParticipantId, v.description('Default: a fresh random id.'))),
  role: p.Role,
  displayName: v.pipe(
    p.DisplayName,
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to refuse control characters in display names
    v.regex(/^[^\u0000-\u001f\u007f]*$/),
    v.description('1–80 characters without control characters; goes into the token only (never stored or logged).'),
  ),
  credentials: v.optional(
    v.pipe(
      p.CredentialsLine,
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to refuse control characters in credentials lines
      v.regex(/^[^\u0000-\u001f\u007f]*$/),
      v.description(
        "Hosts only: a credentials line waiting guests see under the host's name, e.g. `Licensed clinical psychologist` (1–120 characters without control characters; the token's `cred` claim, never stored or logged).",
      ),
    ),
  ),
  ttlS: v.optional(
    v.pipe(v.number(), v.integer(), v.minValue(1), v.description('Lifetime, seconds. Default 3600; at most the server maximum.')),
  ),
});
export const MintTokenResponse = v.strictObject({
  token: v.string(),
  tokenId: TokenId,
  participantId: ParticipantId,
  expiresAt: v.pipe(v.number(), v.integer(), v.description('Unix seconds.')),
});
export const RevokeTokenResponse = v.strictObject({ tokenId: TokenId, participantId: ParticipantId, revokedAt: UnixMs });
export const RevokeAllResponse = v.strictObject({
  participantId: ParticipantId,
  revokedAt: UnixMs,
  tokens: v.pipe(v.number(), v.integer(), v.description('Tokens minted through the API that are now refused.')),
});
export const ParticipantListResponse = Page('participants', ParticipantView);
export const ParticipantResponse = v.strictObject({ participant: ParticipantView });
export const MuteBody = v.strictObject({ kind: p.MediaKind });
export const MuteResponse = v.strictObject({ participantId: ParticipantId, kind: p.MediaKind, requested: v.literal(true) });
export const AttendanceResponse = Page('attendance', ParticipantAttendance);
export const AuditResponse = Page('events', AuditEventView);
export const DeliveryListResponse = Page('deliveries', WebhookDeliveryView);
export const HealthResponse = v.strictObject({ status: v.literal('ok') });
export const ErrorResponse = v.strictObject({
  error: v.strictObject({ code: v.picklist(ADMIN_ERROR_CODES), message: v.string() }),
});

export const SessionParams = v.strictObject({ sessionId: SessionId });
export const ParticipantParams = v.strictObject({ sessionId: SessionId, participantId: ParticipantId });
export const TokenParams = v.strictObject({ sessionId: SessionId, tokenId: TokenId });

/** Every webhook's `data`, as schemas (documentation; the dispatcher's types are the contract). */
const WithParticipant = v.strictObject({ sessionId: SessionId, participantId: ParticipantId, role: p.Role });
export const WEBHOOK_DATA_SCHEMAS: Readonly<Record<(typeof WEBHOOK_EVENT_TYPES)[number], v.GenericSchema>> = {
  'session.created': v.strictObject({ sessionId: SessionId }),
  'session.ended': v.strictObject({ sessionId: SessionId, reason: v.string() }),
  'session.locked': v.strictObject({ sessionId: SessionId }),
  'session.unlocked': v.strictObject({ sessionId: SessionId }),
  'participant.waiting': WithParticipant,
  'participant.admitted': WithParticipant,
  'participant.denied': WithParticipant,
  'participant.joined': WithParticipant,
  'participant.left': WithParticipant,
  'participant.removed': WithParticipant,
  'participant.reconnected': WithParticipant,
  'checklist.completed': v.strictObject({ sessionId: SessionId, participantId: ParticipantId, steps: v.record(p.StepId, p.CheckStatus) }),
  'consent.recorded': v.strictObject({
    sessionId: SessionId,
    participantId: ParticipantId,
    documentVersion: p.ConsentVersion,
    documentSha256: p.Sha256Hex,
    signedAt: UnixMs,
    identityKey: v.string(),
    signature: v.string(),
  }),
  'licensure.checked': v.strictObject({
    sessionId: SessionId,
    participantId: ParticipantId,
    outcome: v.picklist(['pass', 'warn', 'block']),
    jurisdiction: v.optional(p.Jurisdiction),
  }),
  'e2ee.verified': v.strictObject({ sessionId: SessionId, participantIds: v.tuple([ParticipantId, ParticipantId]) }),
};
