/**
 * Entry point of a worker thread: runs one {@link Engine} and talks to the main thread's
 * `Worker` proxy over `parentPort`.
 * @internal
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ChannelEvent, ChannelResponse, EngineSettings, FromEngine, ToEngine } from '../worker/channel-messages.js';
import { Engine } from './engine.js';

const port = parentPort;
if (!port) throw new Error('@alcove/sfu engine must run in a worker thread');

const post = (m: FromEngine): void => port.postMessage(m);
const engine = new Engine((targetId, event, data) => {
  const m: ChannelEvent = { kind: 'evt', targetId, event, data };
  post(m);
});

port.on('message', (m: ToEngine) => {
  if (m.kind === 'notif') {
    try {
      engine.notify(m.method, m.handlerId, (m.data ?? {}) as Record<string, unknown>);
    } catch {
      engine.drops.internalErrors++;
    }
    return;
  }
  if (m.method === 'worker.__crash') {
    // Test hook: an uncaught exception ends the thread, the proxy emits `died`.
    setImmediate(() => {
      throw new Error('engine crash requested by test');
    });
    return;
  }
  let res: ChannelResponse;
  try {
    const data = engine.request(m.method, m.handlerId, (m.data ?? {}) as Record<string, unknown>);
    res = { kind: 'res', id: m.id, ok: true, data };
  } catch (e) {
    const err = e as Error;
    res = { kind: 'res', id: m.id, ok: false, error: { name: err.name, message: err.message } };
  }
  post(res);
  if (m.method === 'worker.close') process.exit(0);
});

await engine.start(workerData as EngineSettings);
post({ kind: 'ready' });
