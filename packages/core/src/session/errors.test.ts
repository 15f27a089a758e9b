import { describe, expect, expectTypeOf, it } from 'vitest';
import { ChecklistError, type ChecklistErrorCode } from '../checklist/errors.js';
import { mapMediaError } from '../media/dom-errors.js';
import {
  AlcoveError,
  type AlcoveErrorCode,
  ConnectionError,
  type ConnectionErrorCode,
  InvalidStateError,
  MediaDeviceError,
  type MediaDeviceErrorCode,
  SignalingError,
  type SignalingErrorCode,
  UnsupportedError,
  type UnsupportedErrorCode,
} from './errors.js';

describe('AlcoveError and its domain classes', () => {
  it('keep instanceof along the hierarchy, the code, the name and the cause', () => {
    const cause = new DOMException('denied', 'NotAllowedError');
    const errors: unknown[] = [
      new ConnectionError('CONNECTION_LOST', 'x'),
      new MediaDeviceError('PERMISSION_DENIED', 'x', { cause }),
      new SignalingError('SESSION_LOCKED', 'x'),
      new InvalidStateError('x'),
      new UnsupportedError('UNSUPPORTED_FEATURE', 'x'),
      new ChecklistError('ANSWER_INVALID', 'x', { field: 'street' }),
    ];
    expect(errors.map((e) => e instanceof AlcoveError && e instanceof Error)).toEqual([true, true, true, true, true, true]);
    expect(errors.map((e) => (e as AlcoveError).name)).toEqual([
      'ConnectionError',
      'MediaDeviceError',
      'SignalingError',
      'InvalidStateError',
      'UnsupportedError',
      'ChecklistError',
    ]);
    expect(errors.map((e) => (e as AlcoveError).code)).toEqual([
      'CONNECTION_LOST',
      'PERMISSION_DENIED',
      'SESSION_LOCKED',
      'INVALID_STATE',
      'UNSUPPORTED_FEATURE',
      'ANSWER_INVALID',
    ]);
    expect(errors[1] instanceof ConnectionError).toBe(false);
    expect(new AlcoveError('ABORTED', 'x') instanceof ConnectionError).toBe(false);
    expect((errors[1] as Error).cause).toBe(cause);
    expect(mapMediaError(cause)).toBeInstanceOf(MediaDeviceError);
    expect({ code: 'ABORTED' } instanceof AlcoveError).toBe(false);
  });

  it('type the code by class, also after instanceof on an unknown value', () => {
    const e: unknown = new MediaDeviceError('DEVICE_IN_USE', 'x');
    if (e instanceof AlcoveError) expectTypeOf(e.code).toEqualTypeOf<AlcoveErrorCode>();
    if (e instanceof ConnectionError) expectTypeOf(e.code).toEqualTypeOf<ConnectionErrorCode>();
    if (e instanceof MediaDeviceError) expectTypeOf(e.code).toEqualTypeOf<MediaDeviceErrorCode>();
    if (e instanceof SignalingError) expectTypeOf(e.code).toEqualTypeOf<SignalingErrorCode>();
    if (e instanceof InvalidStateError) expectTypeOf(e.code).toEqualTypeOf<'INVALID_STATE'>();
    if (e instanceof UnsupportedError) expectTypeOf(e.code).toEqualTypeOf<UnsupportedErrorCode>();
    if (e instanceof ChecklistError) expectTypeOf(e.code).toEqualTypeOf<ChecklistErrorCode>();
    expectTypeOf(new ConnectionError('OFFLINE', 'x').code).toEqualTypeOf<'OFFLINE'>();
    expectTypeOf<MediaDeviceError>().toMatchTypeOf<AlcoveError>();
    // @ts-expect-error a connection error cannot carry a device code
    new ConnectionError('PERMISSION_DENIED', 'x');
    // @ts-expect-error a checklist error carries checklist codes only
    new ChecklistError('CONNECTION_LOST', 'x');
    expect(e instanceof MediaDeviceError).toBe(true);
  });
});
