import { describe, expect, it } from 'vitest';
import * as entry from '../index.js';
import * as local from './index.js';

// Resolved through the `@alcove/server/testing` alias in vitest.workspace.ts (as an integrator's tests import it).
// A variable specifier keeps `tsc` from resolving it to the (possibly unbuilt) dist.
const SPECIFIER = '@alcove/server/testing';

describe('@alcove/server/testing', () => {
  it('resolves to the testing entry: fake engine, test server and clients, fuzzer, checklist fixtures', async () => {
    const testing = (await import(SPECIFIER)) as typeof local;
    expect(testing.FakeMediaEngine).toBe(local.FakeMediaEngine);
    expect(Object.keys(testing).sort()).toEqual([
      'CONSENT_SHA256',
      'CONSENT_TEXT',
      'CONSENT_VERSION',
      'FULL_CHECKLIST',
      'FakeMediaEngine',
      'MessageFuzzer',
      'TEST_SECRET',
      'TestClient',
      'allPassed',
      'newIdentity',
      'prng',
      'signReceipt',
      'startTestServer',
    ]);
  });

  it('runs a test server on the fake engine that a test client joins', async () => {
    const ts = await local.startTestServer();
    try {
      const sid = ts.createSession({ waitingRoom: false });
      const { result } = await ts.join(sid, 'host-1', 'host');
      expect(result.state).toBe('joined');
      expect(ts.engine.stats.routers).toBe(1);
    } finally {
      await ts.close();
    }
  });
});

describe('@alcove/server', () => {
  it('keeps internals and test helpers out of the public entry', () => {
    const names = Object.keys(entry);
    for (const internal of [
      'Room',
      'RoomManager',
      'Participant',
      'MediaRoom',
      'SignalingServer',
      'RequestError',
      'METHOD_RULES',
      'HOST_METHODS',
      'checkPermission',
      'mayPublishSource',
      'routerCodecs',
      'checkProducerParameters',
      'AUDIO_LEVEL_URI',
      'createSfuWorker',
      'NetworkTests',
      'ChecklistDesk',
      'CHECKLIST_RELAY_LIMITS',
      'FakeMediaEngine',
      'startTestServer',
      'TestClient',
    ]) {
      expect(names).not.toContain(internal);
    }
    for (const api of [
      'createAlcoveServer',
      'serverOptionsFromConfig',
      'mintJoinToken',
      'AlcoveAdminClient',
      'verifyConsentReceipt',
      'verifyWebhook',
      'createLogger',
    ]) {
      expect(names).toContain(api);
    }
  });
});
