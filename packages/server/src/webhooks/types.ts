import type { CheckStatus, Role } from '@alcove/protocol';

/**
 * The webhook events and their `data`. Data carries ids, roles, codes and times only: no display
 * names, no checklist answers (statuses, the signed consent receipt and the licensure outcome only),
 * no addresses.
 */
export interface WebhookEventMap {
  'session.created': { sessionId: string };
  'session.ended': { sessionId: string; reason: string };
  'session.locked': { sessionId: string };
  'session.unlocked': { sessionId: string };
  'participant.waiting': { sessionId: string; participantId: string; role: Role };
  'participant.admitted': { sessionId: string; participantId: string; role: Role };
  'participant.denied': { sessionId: string; participantId: string; role: Role };
  'participant.joined': { sessionId: string; participantId: string; role: Role };
  'participant.left': { sessionId: string; participantId: string; role: Role };
  'participant.removed': { sessionId: string; participantId: string; role: Role };
  'participant.reconnected': { sessionId: string; participantId: string; role: Role };
  /**
   * A client's checklist became complete (again only when its statuses changed). `steps`: every
   * step the policy defines, with its status; never an answer.
   */
  'checklist.completed': { sessionId: string; participantId: string; steps: Record<string, CheckStatus> };
  /**
   * A client signed the consent document: the receipt as signed, verifiable with
   * `verifyConsentReceipt` (Ed25519 over `consentReceiptMessage` of `@alcove/protocol`).
   */
  'consent.recorded': {
    sessionId: string;
    participantId: string;
    documentVersion: string;
    /** Lowercase hex SHA-256 of the consent document. */
    documentSha256: string;
    /** Unix ms when the client acknowledged. */
    signedAt: number;
    /** Ed25519 public key of the client's device (base64). */
    identityKey: string;
    /** Ed25519 signature (base64). */
    signature: string;
  };
  /** The licensure check's outcome changed. `jurisdiction` only when the policy shares it. */
  'licensure.checked': { sessionId: string; participantId: string; outcome: 'pass' | 'warn' | 'block'; jurisdiction?: string };
  'e2ee.verified': { sessionId: string; participantIds: [string, string] };
}

/** A webhook event type. */
export type WebhookEventType = keyof WebhookEventMap;

/** Every webhook event type. */
export const WEBHOOK_EVENT_TYPES: readonly WebhookEventType[] = [
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
  'checklist.completed',
  'consent.recorded',
  'licensure.checked',
  'e2ee.verified',
];

/** The JSON body of a webhook delivery. */
export interface WebhookEvent<T extends WebhookEventType = WebhookEventType> {
  /** Unique event id; the same value is sent as `Alcove-Webhook-Id` on every attempt (idempotency key). */
  readonly id: string;
  readonly type: T;
  /** ISO-8601 UTC time the event happened. */
  readonly createdAt: string;
  readonly data: WebhookEventMap[T];
}

/** Header names. */
export const WEBHOOK_ID_HEADER = 'Alcove-Webhook-Id';
export const WEBHOOK_SIGNATURE_HEADER = 'Alcove-Signature';
export const WEBHOOK_ATTEMPT_HEADER = 'Alcove-Webhook-Attempt';
