import { afterEach, describe, expect, it } from 'vitest';
import { createNotification, createRequest, okResponse } from './envelope.js';
import { ERROR_CODE_LIST, ERROR_CODES, isErrorCode } from './errors.js';
import { SAMPLE_REQUESTS, SAMPLE_RTP_PARAMETERS } from './fixtures.js';
import { parseClientMessage, parseMessage, parseServerMessage } from './parse.js';
import { isRequestMethod } from './envelope.js';
import { REQUEST_DATA, REQUEST_RESULTS, REQUESTS, type RequestMethod } from './schemas/requests.js';

const req = (method: string, data: unknown, id = 1) => JSON.stringify({ v: 1, id, method, data });

afterEach(() => {
  // No input may ever reach Object.prototype.
  expect(Object.prototype).not.toHaveProperty('polluted');
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

describe('parseClientMessage: valid requests', () => {
  const methods = Object.keys(REQUESTS) as RequestMethod[];
  it('has a sample for every method', () => {
    expect(Object.keys(SAMPLE_REQUESTS).sort()).toEqual([...methods].sort());
  });
  for (const method of methods) {
    it(`accepts ${method}`, () => {
      const r = parseClientMessage(JSON.stringify(createRequest(7, method, SAMPLE_REQUESTS[method] as never)));
      expect(r.ok, JSON.stringify(r)).toBe(true);
      if (r.ok) {
        expect(r.message.method).toBe(method);
        expect(r.message.id).toBe(7);
        expect(r.message.data).toEqual(SAMPLE_REQUESTS[method]);
      }
    });
  }
  it('pairs the request and response maps: the same methods, the same schemas', () => {
    // Two maps so that a client bundle carries only the response schemas (docs/decisions/2026-11-28-tooling.md).
    expect(Object.keys(REQUEST_RESULTS)).toEqual(Object.keys(REQUEST_DATA));
    expect(Object.keys(REQUESTS)).toEqual(Object.keys(REQUEST_DATA));
    for (const m of methods) {
      expect(REQUESTS[m].data).toBe(REQUEST_DATA[m]);
      expect(REQUESTS[m].result).toBe(REQUEST_RESULTS[m]);
      expect(isRequestMethod(m)).toBe(true);
    }
    for (const m of ['toString', '__proto__', 'hasOwnProperty', 'session', '']) expect(isRequestMethod(m)).toBe(false);
  });

  it('covers every method group of the design', () => {
    const groups = new Set(methods.map((m) => m.split('.')[0]));
    expect([...groups].sort()).toEqual(['chat', 'checklist', 'e2ee', 'host', 'media', 'network', 'session']);
  });
  it('accepts bytes as well as text', () => {
    const r = parseClientMessage(new TextEncoder().encode(req('session.ping', {})));
    expect(r.ok).toBe(true);
  });
});

describe('parseClientMessage: bad input returns typed errors', () => {
  const bad: [string, string, string][] = [
    ['not JSON', '{"v":1,', 'INVALID_JSON'],
    ['trailing garbage', `${req('session.ping', {})}x`, 'INVALID_JSON'],
    ['array', '[1,2]', 'INVALID_MESSAGE'],
    ['null', 'null', 'INVALID_MESSAGE'],
    ['wrong version', JSON.stringify({ v: 2, id: 1, method: 'session.ping', data: {} }), 'UNSUPPORTED_VERSION'],
    ['id is a string', JSON.stringify({ v: 1, id: '1', method: 'session.ping', data: {} }), 'INVALID_MESSAGE'],
    ['negative id', JSON.stringify({ v: 1, id: -1, method: 'session.ping', data: {} }), 'INVALID_MESSAGE'],
    ['unknown method', req('session.hack', {}), 'UNKNOWN_METHOD'],
    ['toString as method', req('toString', {}), 'UNKNOWN_METHOD'],
    ['unknown envelope field', JSON.stringify({ v: 1, id: 1, method: 'session.ping', data: {}, extra: 1 }), 'INVALID_MESSAGE'],
    ['unknown data field', req('session.ping', { extra: true }), 'INVALID_MESSAGE'],
    ['wrong type', req('media.createTransport', { direction: 5 }), 'INVALID_MESSAGE'],
    ['bad enum', req('media.createTransport', { direction: 'sideways' }), 'INVALID_MESSAGE'],
    ['missing field', req('host.admit', {}), 'INVALID_MESSAGE'],
    ['bad id chars', req('host.admit', { participantId: '../../etc' }), 'INVALID_MESSAGE'],
    [
      'unknown nested field',
      req('media.produce', { ...SAMPLE_REQUESTS['media.produce'], rtpParameters: { ...SAMPLE_RTP_PARAMETERS, evil: 1 } }),
      'INVALID_MESSAGE',
    ],
    [
      'payload type out of range',
      req('media.produce', {
        ...SAMPLE_REQUESTS['media.produce'],
        rtpParameters: { ...SAMPLE_RTP_PARAMETERS, codecs: [{ mimeType: 'video/VP8', payloadType: 300, clockRate: 90000 }] },
      }),
      'INVALID_MESSAGE',
    ],
    [
      'ssrc not an integer',
      req('media.produce', {
        ...SAMPLE_REQUESTS['media.produce'],
        rtpParameters: { ...SAMPLE_RTP_PARAMETERS, encodings: [{ ssrc: 1.5 }] },
      }),
      'INVALID_MESSAGE',
    ],
    [
      'bad fingerprint',
      req('media.connectTransport', { transportId: 't', dtlsParameters: { fingerprints: [{ algorithm: 'sha-256', value: 'zz' }] } }),
      'INVALID_MESSAGE',
    ],
    ['duplicate key', '{"v":1,"id":1,"method":"session.ping","method":"host.end","data":{}}', 'DUPLICATE_KEY'],
    [
      'duplicate nested key',
      req('host.admit', {}).replace('"data":{}', '"data":{"participantId":"a","participantId":"b"}'),
      'DUPLICATE_KEY',
    ],
    ['__proto__ at top', '{"__proto__":{"polluted":1},"v":1,"id":1,"method":"session.ping","data":{}}', 'FORBIDDEN_KEY'],
    ['__proto__ in data', req('session.ping', {}).replace('"data":{}', '"data":{"__proto__":{"polluted":1}}'), 'FORBIDDEN_KEY'],
    [
      'constructor payload',
      req('session.ping', {}).replace('"data":{}', '"data":{"constructor":{"prototype":{"polluted":1}}}'),
      'FORBIDDEN_KEY',
    ],
    ['prototype key', req('session.ping', {}).replace('"data":{}', '"data":{"prototype":1}'), 'FORBIDDEN_KEY'],
    ['escaped __proto__', req('session.ping', {}).replace('"data":{}', '"data":{"\\u005f_proto__":{"polluted":1}}'), 'FORBIDDEN_KEY'],
    ['deep nesting', req('session.ping', {}).replace('"data":{}', `"data":${'['.repeat(5000)}${']'.repeat(5000)}`), 'TOO_DEEP'],
    ['deep objects', req('session.ping', {}).replace('"data":{}', `"data":${'{"a":'.repeat(100)}1${'}'.repeat(100)}`), 'TOO_DEEP'],
    ['lone surrogate bytes', '', 'INVALID_JSON'],
  ];
  for (const [name, text, code] of bad) {
    if (name === 'lone surrogate bytes') continue;
    it(`rejects ${name} with ${code}`, () => {
      const r = parseClientMessage(text);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe(code);
        expect(ERROR_CODES[r.error.code]).toBeTypeOf('string');
        expect(typeof r.error.message).toBe('string');
      }
    });
  }

  it('accepts a sha-512 DTLS fingerprint (64 bytes, 191 characters)', () => {
    const value = Array.from({ length: 64 }, () => 'AB').join(':');
    expect(value).toHaveLength(191);
    const r = parseClientMessage(
      req('media.connectTransport', { transportId: 't', dtlsParameters: { fingerprints: [{ algorithm: 'sha-512', value }] } }),
    );
    expect(r.ok).toBe(true);
  });

  it('rejects invalid UTF-8 bytes', () => {
    const r = parseClientMessage(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('INVALID_JSON');
  });

  it('rejects an oversize frame before parsing it', () => {
    const big = req('chat.send', { id: 'm', seq: 1, payload: 'x'.repeat(70_000) });
    const r = parseClientMessage(big);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('MESSAGE_TOO_LARGE');
    // Multi-byte text is measured in bytes, not characters.
    const wide = req('chat.send', { id: 'm', seq: 1, payload: 'é'.repeat(600) });
    const r2 = parseClientMessage(wide, { maxBytes: 1000 });
    expect(r2.ok).toBe(false);
    if (!r2.ok) expect(r2.error.code).toBe('MESSAGE_TOO_LARGE');
    const r3 = parseClientMessage(new Uint8Array(2000), { maxBytes: 1000 });
    if (!r3.ok) expect(r3.error.code).toBe('MESSAGE_TOO_LARGE');
    expect(r3.ok).toBe(false);
  });

  it('keeps the request id in an error when it is readable, so the server can answer it', () => {
    const r = parseClientMessage(req('media.createTransport', { direction: 5 }, 42));
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.id).toBe(42);
      expect(r.error.path).toBe('data.direction');
    }
  });

  it('never echoes the offending value in the error message', () => {
    const secret = 'CANARY-4711-secret-location';
    const r = parseClientMessage(req('chat.send', { id: 'm', seq: 1, payload: 5, note: secret }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).not.toContain(secret);
  });

  it('never throws on random input', () => {
    let seed = 12345;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const valid = req('media.produce', SAMPLE_REQUESTS['media.produce']);
    for (let n = 0; n < 3000; n++) {
      const chars = valid.split('');
      const edits = 1 + Math.floor(rnd() * 4);
      for (let e = 0; e < edits; e++) chars[Math.floor(rnd() * chars.length)] = String.fromCharCode(Math.floor(rnd() * 128));
      const r = parseClientMessage(chars.join(''));
      expect(typeof r.ok).toBe('boolean');
    }
  });

  it('returns data with an ordinary prototype and no extra keys', () => {
    const r = parseClientMessage(req('host.admit', { participantId: 'p2' }));
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(Object.getPrototypeOf(r.message.data)).toBe(Object.prototype);
      expect(Object.keys(r.message)).toEqual(['v', 'id', 'method', 'data']);
    }
  });
});

describe('parseServerMessage', () => {
  it('validates a response against the pending method', () => {
    const good = JSON.stringify(okResponse(3, { now: 5 }));
    const r = parseServerMessage(good, { methodOf: () => 'session.ping' });
    expect(r.ok).toBe(true);
    const bad = JSON.stringify({ id: 3, ok: true, data: { now: 'x' } });
    expect(parseServerMessage(bad, { methodOf: () => 'session.ping' }).ok).toBe(false);
  });
  it('maps an unknown error code to INTERNAL_ERROR', () => {
    const r = parseServerMessage(JSON.stringify({ id: 1, ok: false, error: { code: 'WHAT', message: 'm' } }));
    expect(r.ok).toBe(true);
    if (r.ok && 'ok' in r.message && !r.message.ok) expect(r.message.error.code).toBe('INTERNAL_ERROR');
  });
  it('parses notifications and rejects unknown ones', () => {
    const n = createNotification('participant.left', { participantId: 'p2', reason: 'removed' });
    expect(parseServerMessage(JSON.stringify(n)).ok).toBe(true);
    const r = parseServerMessage(JSON.stringify({ v: 1, method: 'participant.hacked', data: {} }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('UNKNOWN_METHOD');
  });
  it('parses session.hosts (names and credentials lines) and refuses an over-long credentials line', () => {
    const ok = createNotification('session.hosts', {
      hosts: [
        { participantId: 'h1', displayName: 'Dr. Ada', credentials: 'Licensed clinical psychologist' },
        { participantId: 'h2', displayName: 'Bo' },
      ],
    });
    expect(parseServerMessage(JSON.stringify(ok)).ok).toBe(true);
    const long = {
      v: 1,
      method: 'session.hosts',
      data: { hosts: [{ participantId: 'h1', displayName: 'A', credentials: 'x'.repeat(121) }] },
    };
    expect(parseServerMessage(JSON.stringify(long)).ok).toBe(false);
    const empty = { v: 1, method: 'session.hosts', data: { hosts: [{ participantId: 'h1', displayName: 'A', credentials: '' }] } };
    expect(parseServerMessage(JSON.stringify(empty)).ok).toBe(false);
  });
  it('parseMessage dispatches on direction', () => {
    expect(parseMessage(req('session.ping', {}), { from: 'client' }).ok).toBe(true);
    expect(parseMessage(req('session.ping', {}), { from: 'server' }).ok).toBe(false);
  });
});

describe('error codes', () => {
  it('are SCREAMING_SNAKE and documented', () => {
    for (const code of ERROR_CODE_LIST) {
      expect(code).toMatch(/^[A-Z][A-Z0-9_]+$/);
      expect(ERROR_CODES[code].length).toBeGreaterThan(10);
    }
  });
  it('the list and the descriptions name the same codes, in the same order; isErrorCode knows exactly those', () => {
    expect(Object.keys(ERROR_CODES)).toEqual([...ERROR_CODE_LIST]);
    for (const code of ERROR_CODE_LIST) expect(isErrorCode(code)).toBe(true);
    for (const x of ['toString', 'constructor', 'internal_error', '', 42, null]) expect(isErrorCode(x)).toBe(false);
  });
});
