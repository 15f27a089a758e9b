import { describe, expect, it, vi } from 'vitest';
import { AlcoveError } from '../session/errors.js';
import { LOG_LEVELS, createLogger, errorReason, isLoggableField, redactLogString, silentLogger, type LogRecord } from './logger.js';
import { SwallowedErrors, addCounts } from './swallowed-errors.js';

const recorder = (level?: (typeof LOG_LEVELS)[number]) => {
  const records: LogRecord[] = [];
  const log = createLogger({ ...(level ? { level } : {}), sink: (r) => records.push(r) });
  return { log, records };
};

describe('createLogger', () => {
  it('writes warn and above by default, and each level and above when set', () => {
    const { log, records } = recorder();
    expect(log.level).toBe('warn');
    log.debug('a.debug');
    log.info('a.info');
    log.warn('a.warn');
    log.error('a.error');
    expect(records.map((r) => r.event)).toEqual(['a.warn', 'a.error']);
    const seen: Record<string, string[]> = {};
    for (const level of LOG_LEVELS) {
      const r = recorder(level);
      for (const l of ['debug', 'info', 'warn', 'error'] as const) r.log[l](`x.${l}`);
      seen[level] = r.records.map((x) => x.level);
      expect(r.log.enabled('debug')).toBe(level === 'debug');
    }
    expect(seen).toEqual({
      debug: ['debug', 'info', 'warn', 'error'],
      info: ['info', 'warn', 'error'],
      warn: ['warn', 'error'],
      error: ['error'],
      none: [],
    });
    expect(() => createLogger({ level: 'verbose' as never })).toThrow(TypeError);
  });

  it('namespaces records by area (alcove:media, alcove:media:stats) and keeps one child per area', () => {
    const { log, records } = recorder('debug');
    const media = log.child('media');
    expect(log.child('media')).toBe(media);
    media.debug('media.closeProducerFailed');
    media.child('stats').info('media.statsFailed');
    log.child('e2ee').warn('e2ee.relayFailed');
    log.child('Not An Area').error('x.y');
    expect(records.map((r) => `${r.namespace} ${r.event}`)).toEqual([
      'alcove:media media.closeProducerFailed',
      'alcove:media:stats media.statsFailed',
      'alcove:e2ee e2ee.relayFailed',
      'alcove:invalid x.y',
    ]);
  });

  it('never lets a canary in a sensitive field or a secret-looking value reach the sink', () => {
    const { log, records } = recorder('debug');
    const canary = 'CANARY-7f3a';
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJDQU5BUlkifQ.c2lnbmF0dXJlc2lnbmF0dXJl';
    log.child('checklist').error('checklist.sealFailed', {
      token: canary,
      joinToken: canary,
      resume_ticket: canary,
      displayName: `Dr ${canary}`,
      name: canary,
      text: canary,
      chatText: canary,
      payload: canary,
      answers: canary,
      location: canary,
      callbackPhone: canary,
      emergencyContact: canary,
      address: canary,
      identityKey: canary,
      deviceLabel: canary,
      note: canary,
      detail: `reason ${jwt}`,
      digest: 'a'.repeat(64),
      participantId: 'client-1',
      count: 3,
      ok: true,
    });
    log.warn(`user ${canary} left`); // an event that is not a constant identifier
    const written = JSON.stringify(records);
    expect(written).not.toContain(canary);
    expect(written).not.toContain(jwt);
    expect(written).not.toContain('a'.repeat(64));
    expect(records[0]?.fields).toMatchObject({
      token: '[redacted]',
      displayName: '[redacted]',
      participantId: 'client-1',
      count: 3,
      ok: true,
    });
    expect(records[1]?.event).toBe('invalid.event');
  });

  it('drops non-scalar values, cuts long strings and strips control characters', () => {
    const { log, records } = recorder('debug');
    log.debug('x.y', { a: 'line\nbreak', b: 'y'.repeat(500), c: undefined, d: null, e: Number.NaN, 'bad key': 'v' });
    const f = records[0]?.fields ?? {};
    expect(f.a).toBe('line break');
    expect(String(f.b).length).toBeLessThanOrEqual(160);
    expect(Object.keys(f).sort()).toEqual(['a', 'b', 'e']);
    expect(f.e).toBe('NaN');
    expect(isLoggableField('producerId')).toBe(true);
    expect(isLoggableField('e2eeKeyId')).toBe(false);
    expect(redactLogString('ok')).toBe('ok');
  });

  it('survives a throwing sink, and the default sink is the console without interpolating values', () => {
    const throwing = createLogger({
      level: 'debug',
      sink: () => {
        throw new Error('sink down');
      },
    });
    expect(() => throwing.error('x.y')).not.toThrow();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      createLogger().child('media').warn('media.fact', { producerId: 'p1', token: 'CANARY' });
      expect(warn).toHaveBeenCalledWith('[alcove:media] media.fact', { producerId: 'p1', token: '[redacted]' });
    } finally {
      warn.mockRestore();
    }
    silentLogger.error('x.y');
  });
});

describe('SwallowedErrors', () => {
  it('counts by site and logs each at debug under the area with its reason, never the message', async () => {
    const { log, records } = recorder('debug');
    const swallowed = new SwallowedErrors(log);
    await Promise.reject(new AlcoveError('CONNECTION_LOST', 'close for CANARY failed')).catch(swallowed.handler('media.closeProducer'));
    swallowed.record('media.closeProducer', new DOMException('CANARY', 'AbortError'));
    swallowed.record('signaling.ping', 'CANARY');
    expect(swallowed.snapshot()).toEqual({ 'media.closeProducer': 2, 'signaling.ping': 1 });
    expect(records.map((r) => [r.level, r.namespace, r.event, r.fields.reason, r.fields.count])).toEqual([
      ['debug', 'alcove:media', 'media.closeProducerFailed', 'CONNECTION_LOST', 1],
      ['debug', 'alcove:media', 'media.closeProducerFailed', 'AbortError', 2],
      ['debug', 'alcove:signaling', 'signaling.pingFailed', 'string', 1],
    ]);
    expect(JSON.stringify(records)).not.toContain('CANARY');
    expect(errorReason({ code: 'lower case' })).toBe('object');
  });

  it('counts even when debug is off, and sums counts from several owners', () => {
    const { log, records } = recorder('warn');
    const swallowed = new SwallowedErrors(log);
    swallowed.record('e2ee.relay', new Error('x'));
    expect(records).toEqual([]);
    expect(addCounts(swallowed.snapshot(), { 'e2ee.relay': 2, 'checklist.networkTestEnd': 1 })).toEqual({
      'e2ee.relay': 3,
      'checklist.networkTestEnd': 1,
    });
  });
});
