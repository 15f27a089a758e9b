import type { Role } from '@alcove/protocol';

/**
 * The webhook events and their `data`. Data carries ids, roles, codes and times only: no display
 * names, no checklist answers (status only), no addresses.
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
  'checklist.completed': { sessionId: string; participantId: string; complete: boolean; steps: Record<string, 'pending' | 'passed' | 'failed' | 'skipped'> };
  'consent.recorded': { sessionId: string; participantId: string; documentVersion: string; receiptHash: string };
  'e2ee.verified': { sessionId: string; participantIds: [string, string] };
}

/** A webhook event type. */
export type WebhookEventType = keyof WebhookEventMap;

/** Every webhook event type. */
export const WEBHOOK_EVENT_TYPES: readonly WebhookEventType[] = [
  'session.created', 'session.ended', 'session.locked', 'session.unlocked',
  'participant.waiting', 'participant.admitted', 'participant.denied', 'participant.joined', 'participant.left',
  'participant.removed', 'participant.reconnected', 'checklist.completed', 'consent.recorded', 'e2ee.verified',
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
