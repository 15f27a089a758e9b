/**
 * Compile-time proof of the swap claim: the real `mediasoup` package (a devDependency installed
 * for its TypeScript types only; its worker binary is never built or run here) satisfies the
 * engine interface the server drives (`engine-types.ts`), for the subset the server uses. This
 * file has no runtime code: every function below only exists to be type-checked by
 * `pnpm typecheck` (`tsc -p packages/server`). If a change to `engine-types.ts` asks for something
 * mediasoup does not have, or has in another shape, this file stops compiling.
 * @internal
 * @packageDocumentation
 */
import type * as mediasoup from 'mediasoup';
import type {
  CreateEngineWorker,
  EngineConsumer,
  EngineProducer,
  EngineRouter,
  EngineWebRtcTransport,
  EngineWorker,
} from './engine-types.js';

/** Each mediasoup object is usable where the server expects the engine's. */
export type MediasoupFitsEngine = {
  worker: (w: mediasoup.types.Worker) => EngineWorker;
  router: (r: mediasoup.types.Router) => EngineRouter;
  transport: (t: mediasoup.types.WebRtcTransport) => EngineWebRtcTransport;
  producer: (p: mediasoup.types.Producer) => EngineProducer;
  consumer: (c: mediasoup.types.Consumer) => EngineConsumer;
};

/** The identity functions the type above describes: they compile only if each assignment holds. */
export const mediasoupFitsEngine: MediasoupFitsEngine = {
  worker: (w) => w,
  router: (r) => r,
  transport: (t) => t,
  producer: (p) => p,
  consumer: (c) => c,
};

/**
 * A `CreateEngineWorker` built on mediasoup's `createWorker`, as a deployment swapping the engine
 * would write it: the server's options map onto mediasoup's `WorkerSettings` (mediasoup has no
 * listen IP per worker — it goes into each transport's `listenInfos` — and no `logger` sink).
 */
export function mediasoupEngine(createWorker: typeof mediasoup.createWorker): CreateEngineWorker {
  return async (options = {}) =>
    createWorker({
      ...(options.logLevel !== undefined ? { logLevel: options.logLevel } : {}),
      ...(options.rtcMinPort !== undefined ? { rtcMinPort: options.rtcMinPort } : {}),
      ...(options.rtcMaxPort !== undefined ? { rtcMaxPort: options.rtcMaxPort } : {}),
    });
}
