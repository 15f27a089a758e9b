import { describe, expect, it } from 'vitest';
import {
  describeError,
  isLoggableField,
  jsonLineSink,
  redactLogFields,
  redactLogString,
  SfuLogger,
  type SfuLogRecord,
  SfuLogSettings,
  sinkToRecords,
  validateLogSettings,
  type WorkerLogLevel,
  type WorkerLogTag,
} from './logger.js';

function capture(level?: WorkerLogLevel, tags?: WorkerLogTag[]): { log: SfuLogger; records: SfuLogRecord[]; settings: SfuLogSettings } {
  const records: SfuLogRecord[] = [];
  const settings = new SfuLogSettings({ ...(level ? { level } : {}), ...(tags ? { tags } : {}), write: (r) => records.push(r) });
  return { log: new SfuLogger('alcove-sfu:test', settings), records, settings };
}

function writeAll(log: SfuLogger): void {
  log.debug('x.debug');
  log.warn('x.warn');
  log.error('x.error');
}

describe('SfuLogger levels', () => {
  it('writes errors only by default, as mediasoup', () => {
    const { log, records } = capture();
    writeAll(log);
    expect(records.map((r) => r.event)).toEqual(['x.error']);
  });

  it('writes the level and the more severe ones; none writes nothing', () => {
    const cases: [WorkerLogLevel, string[]][] = [
      ['debug', ['x.debug', 'x.warn', 'x.error']],
      ['warn', ['x.warn', 'x.error']],
      ['error', ['x.error']],
      ['none', []],
    ];
    for (const [level, expected] of cases) {
      const { log, records } = capture(level);
      writeAll(log);
      expect(
        records.map((r) => r.event),
        level,
      ).toEqual(expected);
    }
  });

  it('answers enabled() without building a record', () => {
    const { log, records } = capture('warn');
    expect(log.enabled('debug')).toBe(false);
    expect(log.enabled('warn')).toBe(true);
    expect(records).toHaveLength(0);
  });
});

describe('SfuLogger tags', () => {
  it('writes a tagged record only when its tag is enabled and its level passes', () => {
    const { log, records } = capture('debug', ['srtp']);
    log.tagged('srtp').debug('srtp.decryptFailed');
    log.tagged('rtp').debug('rtp.unknownSsrc');
    log.tagged('rtp').error('rtp.broken');
    log.debug('untagged.debug');
    expect(records.map((r) => [r.event, r.tag])).toEqual([
      ['srtp.decryptFailed', 'srtp'],
      ['untagged.debug', undefined],
    ]);
  });

  it('does not write tagged debug records above debug level, even with the tag on', () => {
    const { log, records } = capture('warn', ['srtp']);
    log.tagged('srtp').debug('srtp.decryptFailed');
    log.tagged('srtp').warn('srtp.warned');
    expect(records.map((r) => r.event)).toEqual(['srtp.warned']);
  });

  it('follows update() at once, and caches tagged loggers', () => {
    const { log, records, settings } = capture('error');
    const srtp = log.tagged('srtp');
    expect(log.tagged('srtp')).toBe(srtp);
    srtp.debug('before');
    settings.update({ logLevel: 'debug', logTags: ['srtp'] });
    srtp.debug('after');
    settings.update({ logTags: [] });
    srtp.debug('tag off');
    expect(records.map((r) => r.event)).toEqual(['after']);
    expect(settings.tags).toEqual([]);
  });

  it('namespaces children', () => {
    const { log, records } = capture('debug', ['ice']);
    log.child('udp').tagged('ice').debug('ice.badIntegrity');
    expect(records[0]).toMatchObject({ namespace: 'alcove-sfu:test:udp', tag: 'ice', event: 'ice.badIntegrity', level: 'debug' });
  });
});

describe('redaction', () => {
  it('drops fields whose names carry secrets, credentials, names or addresses', () => {
    for (const name of [
      'key',
      'localMasterKey',
      'srtp_key',
      'password',
      'iceUfrag',
      'usernameFragment',
      'certPem',
      'token',
      'displayName',
      'name',
      'chatText',
      'answers',
      'checklistAnswer',
      'remoteAddress',
      'ip',
      'remoteIp',
      'fingerprint',
    ]) {
      expect(isLoggableField(name), name).toBe(false);
    }
    for (const name of ['transportId', 'reason', 'count', 'drop', 'method', 'dtlsState', 'event'])
      expect(isLoggableField(name), name).toBe(true);
  });

  it('keeps scalars, drops objects, masks addresses and secret-looking runs in strings', () => {
    const out = redactLogFields({
      transportId: '3f2a9c1e-8b7d-4e5f-9a0b-1c2d3e4f5a6b',
      count: 3,
      ok: true,
      reason: 'EHOSTUNREACH 192.168.1.20:5000 via fe80::1:2:3',
      detail: `digest ${'ab'.repeat(20)} and ${'Zm9vYmFy'.repeat(6)}`,
      jwt: 'eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJwYXRpZW50In0.c2lnbmF0dXJl',
      remoteAddress: '10.0.0.5',
      nested: { a: 1 } as unknown as string,
      missing: undefined,
    });
    expect(out.transportId).toBe('3f2a9c1e-8b7d-4e5f-9a0b-1c2d3e4f5a6b');
    expect(out.count).toBe(3);
    expect(out.ok).toBe(true);
    expect(out.reason).toBe('EHOSTUNREACH [ip]:5000 via [ip]');
    expect(out.detail).toBe('digest [redacted] and [redacted]');
    expect(out.jwt).toBe('[redacted]');
    expect(out).not.toHaveProperty('remoteAddress');
    expect(out).not.toHaveProperty('nested');
    expect(out).not.toHaveProperty('missing');
  });

  it('cuts long values and strips control characters', () => {
    const s = redactLogString(`a\u0000b\nc ${'word '.repeat(100)}`);
    expect(s.startsWith('a b c word')).toBe(true);
    expect(s.length).toBeLessThanOrEqual(160);
    expect(s.endsWith('…')).toBe(true);
  });

  it('describes an error by name and redacted message, never its stack', () => {
    const e = new TypeError('bad packet from 203.0.113.7');
    expect(describeError(e)).toBe('TypeError: bad packet from [ip]');
    expect(describeError('plain 198.51.100.1')).toBe('plain [ip]');
    expect(describeError(42)).toBe('number');
  });

  it('redacts what a caller passes before any destination sees it', () => {
    const { log, records } = capture('error');
    log.error('dtls.failed', { transportId: 't1', srtpKey: 'deadbeef', reason: 'from 10.1.2.3' });
    expect(records[0]!.fields).toEqual({ transportId: 't1', reason: 'from [ip]' });
    log.error('Not An Event!');
    expect(records[1]!.event).toBe('invalid.event');
  });
});

describe('destinations', () => {
  it('writes JSON lines with time, level, namespace, tag and fields', () => {
    const lines: string[] = [];
    const settings = new SfuLogSettings({
      level: 'debug',
      tags: ['rtp'],
      write: jsonLineSink(
        (l) => lines.push(l),
        () => 0,
      ),
    });
    new SfuLogger('alcove-sfu:x', settings).tagged('rtp').debug('rtp.tooShort', { transportId: 't' });
    expect(JSON.parse(lines[0]!)).toEqual({
      t: '1970-01-01T00:00:00.000Z',
      level: 'debug',
      ns: 'alcove-sfu:x',
      tag: 'rtp',
      event: 'rtp.tooShort',
      transportId: 't',
    });
  });

  it('adapts a logger with debug/warn/error(event, fields), such as the server’s', () => {
    const calls: [string, string, unknown][] = [];
    const sink = {
      debug: (e: string, f?: unknown) => calls.push(['debug', e, f]),
      warn: (e: string, f?: unknown) => calls.push(['warn', e, f]),
      error: (e: string, f?: unknown) => calls.push(['error', e, f]),
    };
    const settings = new SfuLogSettings({ level: 'warn', write: sinkToRecords(sink) });
    new SfuLogger('alcove-sfu:y', settings).warn('udp.socketError', { reason: 'EMFILE' });
    expect(calls).toEqual([['warn', 'udp.socketError', { ns: 'alcove-sfu:y', reason: 'EMFILE' }]]);
  });

  it('never lets a failing destination throw into the caller', () => {
    const settings = new SfuLogSettings({
      level: 'debug',
      write: () => {
        throw new Error('disk full');
      },
    });
    expect(() => new SfuLogger('alcove-sfu:z', settings).error('x.y')).not.toThrow();
  });
});

describe('validateLogSettings', () => {
  it('accepts mediasoup levels and tags, refuses others', () => {
    expect(() => validateLogSettings({ logLevel: 'debug', logTags: ['ice', 'dtls', 'srtp', 'rtp', 'rtcp', 'message'] })).not.toThrow();
    expect(() => validateLogSettings({})).not.toThrow();
    expect(() => validateLogSettings({ logLevel: 'verbose' })).toThrow(TypeError);
    expect(() => validateLogSettings({ logTags: 'ice' })).toThrow(TypeError);
    expect(() => validateLogSettings({ logTags: ['ice', 'keys'] })).toThrow(/invalid logTag "keys"/);
  });
});
