/**
 * The default media engine: `@alcove/sfu`, driven through {@link EngineWorker}.
 * @packageDocumentation
 */
import { createWorker } from '@alcove/sfu';
import type { LogLevel } from '../logger.js';
import type { CreateEngineWorker, EngineLogLevel, EngineWorker } from './engine-types.js';

/** The engine level for a server level: the SFU has no `info`, so `info` keeps its warnings. */
export const ENGINE_LOG_LEVELS: Readonly<Record<LogLevel, EngineLogLevel>> = {
  debug: 'debug',
  info: 'warn',
  warn: 'warn',
  error: 'error',
  silent: 'none',
};

/**
 * Creates an `@alcove/sfu` worker (one UDP port, ICE-lite) as an {@link EngineWorker}. Its records go
 * to `options.logger` (the server passes its own logger) at `options.logLevel` (default `error`).
 */
export const createSfuWorker: CreateEngineWorker = async (options = {}) => {
  const worker = await createWorker({
    rtcListenIp: options.listenIp ?? '127.0.0.1',
    ...(options.rtcMinPort !== undefined ? { rtcMinPort: options.rtcMinPort } : {}),
    ...(options.rtcMaxPort !== undefined ? { rtcMaxPort: options.rtcMaxPort } : {}),
    ...(options.logLevel !== undefined ? { logLevel: options.logLevel } : {}),
    ...(options.logger !== undefined ? { logger: options.logger } : {}),
  });
  // The engine's parameter types are narrower unions (e.g. known header-extension URIs) than the
  // wire schemas; the server validates wire values itself and the engine re-checks them at runtime
  // (its errors become MEDIA_ERROR), so the shapes meet here with one cast.
  return worker as unknown as EngineWorker;
};
