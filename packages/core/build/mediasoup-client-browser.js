/*! @license
 * @alcove/core bundles mediasoup-client 3.24.1 for the browser (only its `Device`; see
 * build/mediasoup-client-plugin.mjs): mediasoup-client, awaitqueue and h264-profile-level-id
 * (ISC, © 2015–2019 Iñaki Baz Castillo), sdp-transform (MIT, © 2013 Eirik Albrigtsen). Full
 * licence texts: THIRD-PARTY-LICENSES.md in this package's dist folder.
 */
// The part of mediasoup-client that @alcove/core uses at run time. Its package entry (`lib/index.js`)
// is CommonJS and re-exports test fakes (FakeHandler, fakeParameters, fake-mediastreamtrack), which a
// bundler cannot drop; `Device` alone brings the browser handlers, transports, producers and consumers.
// `detectDevice` is mediasoup-client's own browser detection (src/platform/browser-support.ts).
// A named import that is not listed here fails the build instead of bundling the whole package.
export { Device, detectDevice } from 'mediasoup-client/lib/Device.js';
