import { AlcoveError, MediaDeviceError, UnsupportedError, type MediaDeviceErrorCode } from '../session/errors.js';

const BY_NAME: Readonly<Record<string, MediaDeviceErrorCode>> = {
  NotAllowedError: 'PERMISSION_DENIED',
  PermissionDeniedError: 'PERMISSION_DENIED',
  SecurityError: 'PERMISSION_DENIED',
  NotFoundError: 'DEVICE_NOT_FOUND',
  DevicesNotFoundError: 'DEVICE_NOT_FOUND',
  NotReadableError: 'DEVICE_IN_USE',
  TrackStartError: 'DEVICE_IN_USE',
  OverconstrainedError: 'CONSTRAINTS_NOT_SATISFIED',
  ConstraintNotSatisfiedError: 'CONSTRAINTS_NOT_SATISFIED',
  AbortError: 'DEVICE_ABORTED',
};

/**
 * Maps what `getUserMedia` / `getDisplayMedia` / `setSinkId` threw to a typed Alcove error:
 * `NotAllowedError` → `PERMISSION_DENIED`, `NotFoundError` → `DEVICE_NOT_FOUND`,
 * `NotReadableError` → `DEVICE_IN_USE`, `OverconstrainedError` → `CONSTRAINTS_NOT_SATISFIED`,
 * `AbortError` → `DEVICE_ABORTED`, `TypeError`/`NotSupportedError` → `UnsupportedError`; anything
 * else → `MEDIA_FAILED`. The original error is kept as `cause`.
 * @example
 * try { await navigator.mediaDevices.getUserMedia({ video: true }); }
 * catch (e) { throw mapMediaError(e, 'camera'); }
 */
export function mapMediaError(error: unknown, what = 'media device'): AlcoveError {
  if (error instanceof AlcoveError) return error;
  const name = typeof error === 'object' && error !== null && 'name' in error ? String((error as { name: unknown }).name) : '';
  if (name === 'NotSupportedError' || name === 'TypeError') {
    return new UnsupportedError('UNSUPPORTED_FEATURE', `${what}: not supported by this browser`, { cause: error });
  }
  const code = BY_NAME[name] ?? 'MEDIA_FAILED';
  const constraint =
    code === 'CONSTRAINTS_NOT_SATISFIED' && typeof error === 'object' && error !== null && 'constraint' in error
      ? ` (${String((error as { constraint: unknown }).constraint)})`
      : '';
  return new MediaDeviceError(code, `${what}: ${name || 'error'}${constraint}`, { cause: error });
}
