// Stands in for mediasoup-client's Chrome74 handler (`lib/handlers/Chrome74.js`, 18 KiB minified,
// ~4 KiB gzipped) in @alcove/core's browser bundle. mediasoup-client selects it only for Chromium
// 74–110 (Chrome, Edge, Opera… released before March 2023); @alcove/core supports Chromium 111 and
// newer (Chrome111 handler), so `Session.join` refuses older ones with `UNSUPPORTED_BROWSER` before
// connecting (`createBrowserPlatform().capabilities().webrtc` is false there). Should a Device still
// be created for one, it fails here with mediasoup-client's own error.
import { UnsupportedError } from 'mediasoup-client/lib/errors.js';

export const Chrome74 = {
  createFactory() {
    throw new UnsupportedError('Chromium-based browsers older than 111 are not supported by @alcove/core');
  },
};
