/**
 * `@alcove/server/testing`: what tests of an Alcove integration need from the server — an in-memory
 * media engine with mediasoup's API shape ({@link FakeMediaEngine}), a test server on 127.0.0.1
 * ({@link startTestServer}), a recording WebSocket client ({@link TestClient}), a signalling fuzzer
 * and checklist fixtures. Node only; never use it in production. The types these helpers take and
 * return (`AlcoveServer`, `AlcoveServerOptions`, the `Engine*` interfaces…) are `@alcove/server`'s.
 * @example
 * ```ts
 * import { startTestServer } from '@alcove/server/testing';
 * const ts = await startTestServer();
 * const sid = ts.createSession({ waitingRoom: false });
 * const { client } = await ts.join(sid, 'host-1', 'host');
 * await client.close();
 * await ts.close();
 * ```
 * @packageDocumentation
 * @module @alcove/server/testing
 */
export { FakeMediaEngine } from '../media/fake-engine.js';
export type { FakeConsumer, FakeEngineStats, FakeInboundStats, FakeProducer, FakeRouter, FakeTransport } from '../media/fake-engine.js';
export { TEST_SECRET, startTestServer } from '../signaling/testing/harness.js';
export type { TestServer } from '../signaling/testing/harness.js';
export { TestClient } from '../signaling/testing/ws-test-client.js';
export type { Frame, TestResponse } from '../signaling/testing/ws-test-client.js';
export { MessageFuzzer, prng } from '../signaling/testing/fuzz.js';
export {
  CONSENT_SHA256,
  CONSENT_TEXT,
  CONSENT_VERSION,
  FULL_CHECKLIST,
  allPassed,
  newIdentity,
  signReceipt,
} from '../signaling/testing/checklist-fixtures.js';
export type { TestIdentity } from '../signaling/testing/checklist-fixtures.js';
