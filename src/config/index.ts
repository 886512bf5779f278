/** The config module's public surface: load once at start-up, then read the frozen result. */
export { type CompileOptions, type CompileReport, compile, compileWithReport, validateRaw } from './compile.js';
export type { EnvRefNote } from './context.js';
export { DEFAULT_SERVER } from './defaults.js';
export { type EnvDefault, rawConfigFromEnv } from './env-default.js';
export { ConfigError, type ConfigIssue, formatIssue } from './errors.js';
export {
  DEFAULT_CONFIG_FILE,
  defaultConfigPath,
  type LoadOptions,
  loadConfig,
  loadConfigWithReport,
  type RawSource,
  readRawConfig,
  usesSandbox,
} from './load.js';
export { PRESET_NAMES, PRESETS, type Preset, type PresetName } from './presets.js';
export { DEFAULT_CAPABILITIES, parseTargetRef, resolveTargetRef, type TargetRef, undeclaredModel } from './targets.js';
export * from './types.js';
export { parseYaml } from './yaml.js';
