/**
 * The default media engine: `@alcove/sfu`, driven through {@link EngineWorker}.
 * @packageDocumentation
 */
import { createWorker } from '@alcove/sfu';
import type { CreateEngineWorker, EngineWorker } from './engine-types.js';

/** Creates an `@alcove/sfu` worker (one UDP port, ICE-lite) as an {@link EngineWorker}. */
export const createSfuWorker: CreateEngineWorker = async (options = {}) => {
  const worker = await createWorker({
    rtcListenIp: options.listenIp ?? '127.0.0.1',
    ...(options.rtcMinPort !== undefined ? { rtcMinPort: options.rtcMinPort } : {}),
    ...(options.rtcMaxPort !== undefined ? { rtcMaxPort: options.rtcMaxPort } : {}),
  });
  // The engine's parameter types are narrower unions (e.g. known header-extension URIs) than the
  // wire schemas; the server validates wire values itself and the engine re-checks them at runtime
  // (its errors become MEDIA_ERROR), so the shapes meet here with one cast.
  return worker as unknown as EngineWorker;
};
