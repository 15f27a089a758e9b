import { EventEmitter as NodeEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
// The EventEmitter that replaces the `events` package inside core's bundled mediasoup-client.
import { EventEmitter as StubEmitter } from '../../build/stubs/events.js';

type Emitter = InstanceType<typeof NodeEmitter>;

/** Runs the same steps on an emitter and returns what happened, to compare the stub with Node's. */
function scenario(e: Emitter): unknown[] {
  const log: unknown[] = [];
  const a = (...args: unknown[]) => log.push(['a', ...args]);
  const b = (...args: unknown[]) => log.push(['b', ...args]);
  const c = (...args: unknown[]) => log.push(['c', ...args]);
  e.setMaxListeners(Number.POSITIVE_INFINITY);
  log.push(e.emit('x', 0));
  e.on('x', a);
  e.prependListener('x', b);
  e.once('x', c);
  e.prependOnceListener('x', a);
  log.push(e.listenerCount('x'), e.listeners('x').length, e.rawListeners('x').length);
  log.push(e.listeners('x').map((f) => (f === a ? 'a' : f === b ? 'b' : f === c ? 'c' : '?')));
  log.push(e.emit('x', 1, 2));
  log.push(e.emit('x', 3));
  // A listener added or removed during an emit does not change that emit.
  e.on('y', function (this: unknown) {
    log.push(['self', this === e]);
    e.on('y', a);
    e.off('y', b);
  });
  e.on('y', b);
  log.push(e.emit('y', 4));
  log.push(e.emit('y', 5));
  // off removes the most recent match only.
  e.on('z', a);
  e.on('z', b);
  e.on('z', a);
  e.off('z', a);
  log.push(e.emit('z', 6));
  e.once('w', a);
  e.removeListener('w', a);
  log.push(e.emit('w', 7), e.listenerCount('w'));
  e.removeAllListeners('z');
  log.push(e.listenerCount('z'), e.listenerCount('x'));
  e.removeAllListeners();
  log.push(e.listenerCount('x'), e.listenerCount('y'));
  // A listener that throws: the error reaches the caller of emit.
  e.on('t', () => {
    throw new Error('boom');
  });
  try {
    e.emit('t');
  } catch (err) {
    log.push(['threw', (err as Error).message]);
  }
  // emit('error') without a listener throws.
  try {
    e.emit('error', new Error('unhandled'));
  } catch (err) {
    log.push(['error threw', (err as Error).message]);
  }
  e.on('error', a);
  log.push(e.emit('error', 'handled'));
  log.push(e.on('q', a) === e, e.off('q', a) === e, e.once('q', a) === e, e.removeAllListeners('q') === e);
  return log;
}

describe("the events stub in core's mediasoup-client bundle", () => {
  it('behaves as node:events for every call mediasoup-client makes', () => {
    const expected = scenario(new NodeEmitter());
    expect(scenario(new StubEmitter() as unknown as Emitter)).toEqual(expected);
    expect(expected.length).toBeGreaterThan(15);
  });

  it('refuses a listener that is not a function, as Node does', () => {
    expect(() => new StubEmitter().on('x', undefined as never)).toThrow(TypeError);
    expect(() => new NodeEmitter().on('x', undefined as never)).toThrow(TypeError);
  });

  it('a subclass (as EnhancedEventEmitter) reaches the methods through super', () => {
    class Enhanced extends StubEmitter {
      safeEmit(name: string, ...args: unknown[]): boolean {
        try {
          return super.emit(name, ...args);
        } catch {
          return Boolean(super.listenerCount(name));
        }
      }
    }
    const e = new Enhanced();
    const got: unknown[] = [];
    e.on('connect', (v: unknown) => got.push(v));
    e.on('connect', () => {
      throw new Error('listener failed');
    });
    expect(e.safeEmit('connect', 1)).toBe(true);
    expect(got).toEqual([1]);
  });
});
