/**
 * Alcove's private test harness: Debian Chromium through playwright-core, an in-memory static
 * server on loopback, an esbuild bundler for test pages, probes for decoded media, the one way to
 * wait for a condition ({@link waitFor}), the one fixture for a call ({@link startCall}), and real
 * network links in namespaces ({@link createClientLink}, {@link startUdpRelay}).
 * @packageDocumentation
 */
export { CHROMIUM_FLAGS, ChromiumNotFoundError, findChromium, launchBrowser } from './browser.js';
export type { LaunchBrowserOptions, TestBrowser } from './browser.js';
export { startStaticServer } from './static-server.js';
export type { StaticFile, StaticServer, StaticServerOptions } from './static-server.js';
export { bundleForBrowser } from './bundle.js';
export type { BundleOptions } from './bundle.js';
export { measureAudioLevel, readVideoStats, waitForVideoFrames } from './media-probes.js';
export type { VideoStats } from './media-probes.js';
export { waitFor, WaitForTimeoutError } from './wait-for.js';
export type { WaitForOptions } from './wait-for.js';
export { startCall } from './call-fixture.js';
export type { CallFixture, CallFixtureOptions, CallServer, CallServerContext, CallSite } from './call-fixture.js';
export { createClientLink, netnsSupport } from './netns.js';
export type { ClientLink, LinkFilter, NetnsSupport } from './netns.js';
export { startUdpRelay } from './udp-relay.js';
export type { UdpRelay, UdpRelayOptions } from './udp-relay.js';
export { FIREFOX_PREFS, FirefoxNotFoundError, findFirefox, launchFirefox } from './firefox.js';
export type { FirefoxPage, LaunchFirefoxOptions, TestFirefox } from './firefox.js';
