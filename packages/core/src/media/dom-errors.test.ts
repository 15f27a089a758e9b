import { describe, expect, it } from 'vitest';
import { AlcoveError, MediaDeviceError, UnsupportedError } from '../session/errors.js';
import { mapMediaError } from './dom-errors.js';

const dom = (name: string, extra: Record<string, unknown> = {}): unknown => {
  const e = typeof DOMException !== 'undefined' ? new DOMException('msg', name) : Object.assign(new Error('msg'), { name });
  return Object.assign(e, extra);
};

describe('mapMediaError', () => {
  it.each([
    ['NotAllowedError', 'PERMISSION_DENIED'],
    ['SecurityError', 'PERMISSION_DENIED'],
    ['NotFoundError', 'DEVICE_NOT_FOUND'],
    ['NotReadableError', 'DEVICE_IN_USE'],
    ['OverconstrainedError', 'CONSTRAINTS_NOT_SATISFIED'],
    ['AbortError', 'DEVICE_ABORTED'],
    ['SomethingNew', 'MEDIA_FAILED'],
  ])('%s → %s', (name, code) => {
    const original = dom(name);
    const e = mapMediaError(original, 'camera');
    expect(e).toBeInstanceOf(MediaDeviceError);
    expect(e).toBeInstanceOf(AlcoveError);
    expect(e.code).toBe(code);
    expect(e.cause).toBe(original);
  });

  it('names the failing constraint', () => {
    const e = mapMediaError(dom('OverconstrainedError', { constraint: 'deviceId' }));
    expect(e.message).toContain('deviceId');
  });

  it('maps NotSupportedError and TypeError to UnsupportedError', () => {
    expect(mapMediaError(dom('NotSupportedError'))).toBeInstanceOf(UnsupportedError);
    expect(mapMediaError(new TypeError('x')).code).toBe('UNSUPPORTED_FEATURE');
  });

  it('passes Alcove errors through', () => {
    const e = new MediaDeviceError('DEVICE_IN_USE', 'x');
    expect(mapMediaError(e)).toBe(e);
  });
});
