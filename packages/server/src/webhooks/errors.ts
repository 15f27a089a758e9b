/** Codes of {@link WebhookVerificationError}. */
export type WebhookVerificationCode = 'INVALID_SIGNATURE' | 'TIMESTAMP_OUT_OF_TOLERANCE' | 'MALFORMED_WEBHOOK';

/** Thrown by `verifyWebhook` when a delivery must not be trusted. */
export class WebhookVerificationError extends Error {
  readonly code: WebhookVerificationCode;
  constructor(code: WebhookVerificationCode, message: string) {
    super(message);
    this.name = 'WebhookVerificationError';
    this.code = code;
  }
}

/** A misconfigured webhook endpoint (bad URL, insecure scheme, short secret). Thrown at setup. */
export class WebhookConfigError extends Error {
  readonly code = 'WEBHOOK_CONFIG_INVALID' as const;
  constructor(message: string) {
    super(message);
    this.name = 'WebhookConfigError';
  }
}
