/** Server configuration: {@link loadConfig}, the {@link ServerConfig} type and the `--help` text. */
export { ConfigError, isHelpRequested, loadConfig, parseTenantsFile } from './load-config.js';
export type { LoadConfigOptions, ServerConfig, TenantConfig } from './load-config.js';
export { OPTION_SPECS, configHelpText } from './options.js';
export type { OptionSpec } from './options.js';
