/**
 * `@alcove/protocol`: Alcove's wire contract — the signalling envelope and every message as valibot
 * schemas with inferred types, the error-code table, join-token claims and E2EE frame constants.
 * Isomorphic (browser and Node), no side effects.
 * @packageDocumentation
 * @module @alcove/protocol
 */
export { ERROR_CODES, ERROR_CODE_LIST, isErrorCode } from './errors.js';
export type { ErrorCode, ProtocolError, WireError } from './errors.js';
export { strictJsonParse } from './json.js';
export type { JsonLimits, JsonResult } from './json.js';
export {
  DEFAULT_MAX_DEPTH,
  DEFAULT_MAX_MESSAGE_BYTES,
  MAX_REQUEST_ID,
  PROTOCOL_VERSION,
  createNotification,
  createRequest,
  errorResponse,
  isNotificationMethod,
  isRequestMethod,
  okResponse,
} from './envelope.js';
export type { ClientMessage, ErrorResponse, Notification, OkResponse, Request, Response, ServerMessage } from './envelope.js';
export { parseClientMessage, parseMessage, parseServerMessage } from './parse.js';
export type { ParseOptions, ParseResult, ServerParseOptions } from './parse.js';
export { REQUEST_DATA, REQUEST_RESULTS, REQUESTS } from './schemas/requests.js';
export type { RequestData, RequestMethod, ResponseData } from './schemas/requests.js';
export { NOTIFICATIONS } from './schemas/notifications.js';
export type { NotificationData, NotificationMethod } from './schemas/notifications.js';
export * as schemas from './schemas/all.js';
export {
  JOIN_TOKEN_ALGORITHMS,
  JOIN_TOKEN_AUDIENCE,
  JoinTokenClaimsSchema,
  MAX_CREDENTIALS_LENGTH,
  MAX_JOIN_TOKEN_TTL_S,
  ROLES,
  TOKEN_CLOCK_SKEW_S,
} from './token.js';
export type { JoinTokenClaims, Role } from './token.js';
export * from './e2ee.js';
export {
  CHECKLIST_LIMITS,
  CHECKLIST_STEP_IDS,
  CUSTOM_STEP_RE,
  NETWORK_TEST_LIMITS,
  consentReceiptMessage,
  isChecklistStepId,
} from './checklist.js';
export type { BuiltInStepId, ConsentReceiptFields } from './checklist.js';
export { CHAT_LIMITS } from './schemas/chat.js';
export type * from './types.js';
// Test fixtures (one valid request per method) are the `@alcove/protocol/fixtures` entry.
