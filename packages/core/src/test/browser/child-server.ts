/**
 * The real Alcove server in a process of its own, for tests that must inspect everything the server
 * holds: its heap (a V8 heap snapshot on request), its log lines (stdout), its audit trail and the
 * webhook bodies it sends (to a receiver in this process, written to `webhooks.jsonl`). The test
 * process types the canaries into the browser, so only a separate process proves the server never
 * held them.
 *
 * Started by {@link startChildServer} with `node --import tsx`; talks over IPC:
 * - → `{ type: 'create', policy }`, ← `{ type: 'created', sessionId }`
 * - → `{ type: 'snapshot' }`, ← `{ type: 'snapshot', path }`
 * - ← `{ type: 'ready', wsUrl }` once listening.
 */
import { appendFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { createAlcoveServer } from '@alcove/server';

const dataDir = process.env.ALCOVE_TEST_DATA_DIR;
const secret = process.env.ALCOVE_TEST_SECRET;
if (!dataDir || !secret || !process.send) {
  console.error('child-server: needs ALCOVE_TEST_DATA_DIR, ALCOVE_TEST_SECRET and an IPC channel');
  process.exit(2);
}
const send = (m: unknown): void => void process.send?.(m);

const hooks = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    appendFileSync(join(dataDir, 'webhooks.jsonl'), `${Buffer.concat(chunks).toString('utf8')}\n`);
    res.writeHead(204).end();
  });
});
await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
const hookPort = (hooks.address() as { port: number }).port;

const server = await createAlcoveServer({
  port: 0,
  dataDir,
  tokens: { hs256Secret: secret },
  allowedOrigins: ['*'],
  logLevel: 'debug',
  // The receiver is on loopback: the operator's explicit opt-in to private addresses.
  webhooks: {
    endpoints: [{ url: `http://127.0.0.1:${hookPort}/hooks`, secret: 'webhook-secret-0123456789abcdef' }],
    allowPrivateNetworks: true,
  },
});
await server.start();

process.on('message', (m: { type: string; policy?: unknown }) => {
  if (m.type === 'create') {
    try {
      const s = server.registry.create(m.policy as never);
      send({ type: 'created', sessionId: s.id });
    } catch (e) {
      send({ type: 'error', message: e instanceof Error ? e.message : String(e) });
    }
  } else if (m.type === 'snapshot') {
    send({ type: 'snapshot', path: writeHeapSnapshot(join(dataDir, `server-${Date.now()}.heapsnapshot`)) });
  } else if (m.type === 'stop') {
    void server.close().then(() => {
      hooks.close();
      process.exit(0);
    });
  }
});
send({ type: 'ready', wsUrl: server.wsUrl });
