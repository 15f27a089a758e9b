/**
 * The ORTC functions throw the engine's {@link UnsupportedError} (under `SfuError`) for valid but
 * unsupported input (unknown codec, no common codec): one class for the whole package.
 * @internal
 */
export { UnsupportedError } from '../errors.js';
