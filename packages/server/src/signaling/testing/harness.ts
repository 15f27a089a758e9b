/**
 * Starts a real server on 127.0.0.1 for tests (fake media engine unless one is given), creates
 * sessions, mints tokens and joins participants.
 * Exported by `@alcove/server/testing`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResponseData, Role } from '@alcove/protocol';
import { mintJoinToken } from '../../auth/tokens.js';
import { createLogger } from '../../logger.js';
import { FakeMediaEngine } from '../../media/fake-engine.js';
import type { SessionPolicyInput } from '../../sessions/types.js';
import { createAlcoveServer, type AlcoveServer, type AlcoveServerOptions } from '../../server.js';
import { TestClient } from './ws-test-client.js';

/** The HS256 secret test servers use. */
export const TEST_SECRET = 'test-secret-test-secret-test-secret-0123456789';

/** A running test server. */
export interface TestServer {
  readonly server: AlcoveServer;
  readonly engine: FakeMediaEngine;
  /** Every log line written. */
  readonly logLines: string[];
  readonly dataDir: string;
  createSession(policy?: SessionPolicyInput): string;
  token(sessionId: string, pid: string, role: Role, name?: string, ttlS?: number): Promise<string>;
  connect(options?: { origin?: string; localAddress?: string }): Promise<TestClient>;
  /** Connects and joins; returns the client and the join result. */
  join(sessionId: string, pid: string, role: Role, name?: string): Promise<{ client: TestClient; result: ResponseData<'session.join'> }>;
  close(): Promise<void>;
}

/** See the file header. */
export async function startTestServer(overrides: Partial<AlcoveServerOptions> = {}): Promise<TestServer> {
  const engine = new FakeMediaEngine();
  const logLines: string[] = [];
  const dataDir = mkdtempSync(join(tmpdir(), 'alcove-test-'));
  const server = await createAlcoveServer({
    port: 0,
    tokens: { hs256Secret: TEST_SECRET },
    apiKeys: ['test-api-key-0123456789abcdef'],
    dataDir,
    logger: createLogger({ level: 'debug', sink: (line) => logLines.push(line) }),
    createWorker: engine.createWorker,
    enableFaultHooks: true,
    ...overrides,
    // Tests connect many sockets from 127.0.0.1 at once: per-address limits are generous unless a
    // test sets them (the hardening tests do).
    limits: {
      maxConnectionsPerAddress: 500,
      maxPendingPerAddress: 200,
      joinRateLimit: { burst: 1000, perMinute: 60_000 },
      ...overrides.limits,
    },
    live: { graceMs: 2000, heartbeatMs: 10_000, ...overrides.live },
  });
  await server.start();
  const clients: TestClient[] = [];
  const connect = async (options: { origin?: string; localAddress?: string } = {}): Promise<TestClient> => {
    const c = await TestClient.connect(server.wsUrl as string, options);
    clients.push(c);
    return c;
  };
  const token = (sid: string, pid: string, role: Role, name = `Name ${pid}`, ttlS = 600): Promise<string> =>
    mintJoinToken({ sid, pid, role, name }, { hs256Secret: TEST_SECRET, ttlS });
  return {
    server,
    engine,
    logLines,
    dataDir,
    createSession: (policy = {}) => server.registry.create(policy).id,
    token,
    connect,
    async join(sid, pid, role, name) {
      const client = await connect();
      const result = await client.call('session.join', { token: await token(sid, pid, role, name), e2ee: true });
      return { client, result };
    },
    async close() {
      for (const c of clients) c.drop();
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
      // Every frame any client received must match the protocol's schemas.
      const errors = clients.flatMap((c) => c.schemaErrors);
      if (errors.length > 0) throw new Error(`frames off the protocol schema: ${errors.slice(0, 5).join('; ')}`);
    },
  };
}
