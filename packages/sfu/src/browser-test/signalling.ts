/**
 * Minimal test-only signalling between a playwright page and the engine: the page calls
 * `window.sfuRequest(method, data)`, exposed with `page.exposeFunction`.
 * @internal
 */
import type { Page } from 'playwright-core';
import type { Consumer } from '../consumer/consumer.js';
import type { Producer } from '../producer/producer.js';
import type { Router } from '../router/router.js';
import type { WebRtcTransport } from '../transport/webrtc-transport.js';

/** Server-side state of the test signalling layer. */
export interface TestSignalling {
  readonly transports: Map<string, WebRtcTransport>;
  readonly producers: Map<string, Producer>;
  readonly consumers: Map<string, Consumer>;
  /** Exposes `window.sfuRequest` on a page. */
  attach(page: Page): Promise<void>;
}

/**
 * Creates the signalling layer for one router; transports listen on `listenIp` (default 127.0.0.1)
 * over `protocols` (default UDP only; e.g. `['tcp']` for ICE-TCP only).
 */
export function createTestSignalling(
  router: Router,
  { listenIp = '127.0.0.1', protocols = ['udp'] }: { listenIp?: string; protocols?: ('udp' | 'tcp')[] } = {},
): TestSignalling {
  const transports = new Map<string, WebRtcTransport>();
  const producers = new Map<string, Producer>();
  const consumers = new Map<string, Consumer>();
  const handle = async (method: string, data: any): Promise<unknown> => {
    switch (method) {
      case 'getRouterRtpCapabilities':
        return router.rtpCapabilities;
      case 'createTransport': {
        const t = await router.createWebRtcTransport({ listenInfos: protocols.map((protocol) => ({ protocol, ip: listenIp })) });
        transports.set(t.id, t);
        return { id: t.id, iceParameters: t.iceParameters, iceCandidates: t.iceCandidates, dtlsParameters: t.dtlsParameters };
      }
      case 'connectTransport':
        await transports.get(data.transportId)!.connect({ dtlsParameters: data.dtlsParameters });
        return {};
      case 'produce': {
        const p = await transports.get(data.transportId)!.produce({ kind: data.kind, rtpParameters: data.rtpParameters });
        producers.set(p.id, p);
        return { id: p.id };
      }
      case 'consume': {
        const c = await transports.get(data.transportId)!.consume({
          producerId: data.producerId,
          rtpCapabilities: data.rtpCapabilities,
          paused: true,
          ...(data.preferredLayers ? { preferredLayers: data.preferredLayers } : {}),
        });
        consumers.set(c.id, c);
        return { id: c.id, producerId: c.producerId, kind: c.kind, rtpParameters: c.rtpParameters };
      }
      case 'resumeConsumer':
        await consumers.get(data.consumerId)!.resume();
        return {};
      default:
        throw new Error(`unknown method ${method}`);
    }
  };
  return {
    transports,
    producers,
    consumers,
    attach: async (page) => {
      await page.exposeFunction('sfuRequest', handle);
    },
  };
}
