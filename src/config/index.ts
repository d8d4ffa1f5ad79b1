/** Configuration: one loader for the config directory, strict schemas, frozen result. */
export { loadConfig, CONFIG_FILES } from './load.js';
export type { Config, LoadOptions } from './load.js';
export { parseListen, DEFAULT_SERVER } from './server-config.js';
export { parseYamlText } from './yaml-file.js';
export type { ServerSettings } from './server-config.js';
export type { SloDefinition, SloIndicator } from './slos-config.js';
export type { ScaleOutSettings } from './scale-out-config.js';
export { DEFAULT_SCALE_OUT } from './scale-out-config.js';
export { DEFAULT_CANARY_TOLERANCE } from './canary-config.js';
export type { CanarySettings } from './canary-config.js';
