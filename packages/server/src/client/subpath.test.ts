import { describe, expect, it } from 'vitest';
import * as local from './index.js';

// Resolved through the `@alcove/server/client` alias in vitest.workspace.ts (as examples import it).
// A variable specifier keeps `tsc` from resolving it to the (possibly unbuilt) dist.
const SPECIFIER = '@alcove/server/client';

describe('@alcove/server/client', () => {
  it('resolves to the client entry with the integrator API', async () => {
    const client = (await import(SPECIFIER)) as typeof local;
    expect(client.AlcoveAdminClient).toBe(local.AlcoveAdminClient);
    expect(typeof client.mintJoinToken).toBe('function');
    expect(typeof client.verifyWebhook).toBe('function');
    expect(typeof client.verifyConsentReceipt).toBe('function');
    expect(Object.keys(client).sort()).toEqual([
      'ATTENDANCE_EVENTS',
      'AUDIT_ENTRY_TYPES',
      'AdminApiError',
      'AlcoveAdminClient',
      'WEBHOOK_ID_HEADER',
      'WEBHOOK_SIGNATURE_HEADER',
      'WebhookVerificationError',
      'createWebhookReceiver',
      'memoryWebhookIdStore',
      'mintJoinToken',
      'verifyConsentReceipt',
      'verifyWebhook',
    ]);
  });
});
