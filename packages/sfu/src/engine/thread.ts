/**
 * Entry point of a worker thread: runs one {@link Engine} and talks to the main thread's
 * `Worker` proxy over `parentPort`. Log records are filtered and redacted here, then posted to the
 * main thread, which hands them to the worker's log destination.
 * @internal
 */
import { parentPort, workerData } from 'node:worker_threads';
import { describeError, SfuLogger, SfuLogSettings } from '../common/logger.js';
import type { ChannelEvent, ChannelRequest, ChannelResponse, EngineSettings, FromEngine, ToEngine } from '../worker/channel-messages.js';
import { Engine, type EngineMethod } from './engine.js';

const port = parentPort;
if (!port) throw new Error('@alcove/sfu engine must run in a worker thread');

const settings = workerData as EngineSettings;
const post = (m: FromEngine): void => port.postMessage(m);
const logSettings = new SfuLogSettings({
  level: settings.logLevel,
  tags: settings.logTags,
  write: (record) => post({ kind: 'log', record }),
});
const root = new SfuLogger('alcove-sfu', logSettings);
const log = root.child('engine');
const engine = new Engine((targetId, event, data) => {
  const m: ChannelEvent = { kind: 'evt', targetId, event, data };
  post(m);
}, root);

port.on('message', (m: ToEngine) => {
  if (m.kind === 'notif') {
    try {
      engine.notify(m);
    } catch (e) {
      engine.drops.internalErrors++;
      const l = log.tagged('message');
      if (l.enabled('debug')) l.debug('channel.notificationFailed', { method: m.method, reason: describeError(e) });
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
  if (m.method === 'worker.updateSettings') {
    if (m.data) logSettings.update(m.data as Parameters<SfuLogSettings['update']>[0]);
    post({ kind: 'res', id: m.id, ok: true });
    return;
  }
  let res: ChannelResponse;
  try {
    const data = engine.request(m as ChannelRequest<EngineMethod>);
    res = { kind: 'res', id: m.id, ok: true, data };
  } catch (e) {
    const err = e as Error;
    res = { kind: 'res', id: m.id, ok: false, error: { name: err.name, message: err.message } };
  }
  post(res);
  if (m.method === 'worker.close') process.exit(0);
});

await engine.start(settings);
post({ kind: 'ready' });
