/**
 * `@alcove/server/client`: what an integrator's back end needs — typed admin API calls, join-token
 * minting, webhook verification and consent-receipt verification. Node only; no server code is pulled in.
 * @packageDocumentation
 */
export { AdminApiError, AlcoveAdminClient } from './admin-client.js';
export type { AlcoveAdminClientOptions, CreateSessionOptions } from './admin-client.js';
export { mintJoinToken } from '../auth/tokens.js';
export type { JoinTokenInput, MintJoinTokenOptions } from '../auth/tokens.js';
export { verifyWebhook } from '../webhooks/signature.js';
export type { VerifyWebhookInput } from '../webhooks/signature.js';
export { WebhookVerificationError } from '../webhooks/errors.js';
export type { WebhookVerificationCode } from '../webhooks/errors.js';
export { createWebhookReceiver, memoryWebhookIdStore } from '../webhooks/receiver.js';
export type { WebhookIdStore, WebhookReceipt, WebhookReceiver, WebhookReceiverOptions } from '../webhooks/receiver.js';
export type { WebhookAttemptRecord, WebhookDeliveryRecord } from '../webhooks/dispatcher.js';
export type { ScopedWebhookDeliveryRecord, WebhookEndpointScope } from '../webhooks/tenant-router.js';
export { AUDIT_ENTRY_TYPES } from '../audit/types.js';
export { ATTENDANCE_EVENTS } from '../sessions/types.js';
export type { AuditActor, AuditEntryType, AuditRecord } from '../audit/types.js';
export { verifyConsentReceipt } from '../checklist/consent-receipt.js';
export type { ConsentReceiptRecord } from '../checklist/consent-receipt.js';
export type { WebhookEvent, WebhookEventMap, WebhookEventType } from '../webhooks/types.js';
export { WEBHOOK_ID_HEADER, WEBHOOK_SIGNATURE_HEADER } from '../webhooks/types.js';
export type {
  AdminErrorBody,
  AdminErrorCode,
  AttendanceResponse,
  AuditEventsResponse,
  CreateSessionRequest,
  EndSessionRequest,
  ListSessionsRequest,
  MintTokenRequest,
  MintTokenResponse,
  MuteResponse,
  Page,
  PageRequest,
  ParticipantStatus,
  ParticipantView,
  ParticipantsResponse,
  PolicyUpdateRequest,
  RevokeParticipantTokensResponse,
  RevokeTokenResponse,
  SessionView,
  WebhookDeliveriesResponse,
} from '../admin/types.js';
export type {
  ChecklistConfig,
  ChecklistInput,
  ChecklistStepConfig,
  ChecklistStepInput,
  ConsentDocumentConfig,
  ConsentDocumentInput,
  LicensureMode,
  AttendanceEvent,
  AttendanceEventKind,
  ParticipantAttendance,
  ScreenSharePolicy,
  SessionPolicy,
  SessionPolicyInput,
  SessionState,
} from '../sessions/types.js';
