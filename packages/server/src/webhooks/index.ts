/** Signed webhooks: the dispatcher and the verifier. */
export { WebhookDispatcher } from './dispatcher.js';
export { WebhookOutbox } from './outbox.js';
export type { OutboxEntry } from './outbox.js';
export type {
  WebhookAttemptRecord,
  WebhookDeliveryRecord,
  WebhookDeliveryReport,
  WebhookDispatcherOptions,
  WebhookEndpoint,
  WebhookRetryOptions,
} from './dispatcher.js';
export { TenantWebhookRouter, tenantOutboxFile } from './tenant-router.js';
export type { ScopedWebhookDeliveryRecord, TenantWebhookRouterOptions, WebhookEndpointScope } from './tenant-router.js';
export { isBlockedAddress, isBlockedHostname } from './address-policy.js';
export { createWebhookReceiver, memoryWebhookIdStore } from './receiver.js';
export type { WebhookIdStore, WebhookReceipt, WebhookReceiver, WebhookReceiverOptions } from './receiver.js';
export { WebhookConfigError, WebhookVerificationError } from './errors.js';
export type { WebhookVerificationCode } from './errors.js';
export { signWebhook, verifyWebhook } from './signature.js';
export type { VerifyWebhookInput } from './signature.js';
export * from './types.js';
