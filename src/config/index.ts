/** The config module's public surface: load once at start-up, then read the frozen result. */
export { compile, compileWithReport, validateRaw, DEFAULT_SERVER, type CompileOptions, type CompileReport } from './compile.js';
export type { EnvRefNote } from './context.js';
export { rawConfigFromEnv, type EnvDefault } from './env-default.js';
export { ConfigError, formatIssue, type ConfigIssue } from './errors.js';
export { defaultConfigPath, loadConfig, loadConfigWithReport, readRawConfig, usesSandbox, DEFAULT_CONFIG_FILE, type LoadOptions, type RawSource } from './load.js';
export { PRESETS, PRESET_NAMES, type Preset, type PresetName } from './presets.js';
export { DEFAULT_CAPABILITIES, parseTargetRef, resolveTargetRef, undeclaredModel, type TargetRef } from './targets.js';
export { parseYaml } from './yaml.js';
export * from './types.js';
