// Stands in for mediasoup-client's React Native handler (`lib/handlers/ReactNative106.js`, 18 KiB
// minified) in @alcove/core's browser bundle. mediasoup-client selects it only under React Native
// (`navigator.product === 'ReactNative'`) or when asked by name; @alcove/core is a browser SDK and
// does neither, so there the device is unsupported, with mediasoup-client's own error (as for any
// browser it does not support).
import { UnsupportedError } from 'mediasoup-client/lib/errors.js';

export const ReactNative106 = {
  createFactory() {
    throw new UnsupportedError('React Native is not supported by @alcove/core (a browser SDK)');
  },
};
