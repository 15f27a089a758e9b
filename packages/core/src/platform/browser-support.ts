import { detectDevice } from 'mediasoup-client';

/**
 * The oldest browsers @alcove/core supports (the mediasoup-client handlers its bundle ships):
 * Chromium 111 (Chrome, Edge, Opera…; handler Chrome111), Firefox 120 (Firefox120), Safari and iOS
 * browsers on WebKit 605, i.e. Safari 12 (Safari12). Chromium 74–110 would need mediasoup-client's
 * Chrome74 handler, left out of the bundle (≈ 4 KiB gzipped for browsers from before March 2023).
 */
export const MINIMUM_BROWSERS = 'Chrome or Edge 111, Firefox 120, Safari 12';

const SHIPPED_HANDLERS: ReadonlySet<string> = new Set(['Chrome111', 'Firefox120', 'Safari12']);

/**
 * Whether this browser gets one of the mediasoup-client handlers @alcove/core ships, from the user
 * agent (and `navigator.userAgentData`) as mediasoup-client itself reads them. Arguments for tests.
 * @example
 * supportedBrowser('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/110.0.0.0 Safari/537.36'); // false
 */
export function supportedBrowser(userAgent?: string, userAgentData?: Parameters<typeof detectDevice>[1]): boolean {
  try {
    const handler = detectDevice(userAgent, userAgentData);
    return handler !== undefined && SHIPPED_HANDLERS.has(handler);
  } catch {
    return false;
  }
}
