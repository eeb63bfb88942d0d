export type * from './sluice-config.js';
export { loadConfig, loadConfigWithPlugins, type LoadConfigOptions, type LoadedConfig } from './load-config.js';
export { ConfigValidationError, formatIssue, formatPath, parsePath, type ConfigFileIssue, type PathSegment } from './config-issues.js';
export { interpolate, type Environment, type InterpolationResult } from './interpolation.js';
export { ENV_OVERRIDE_NAMES, readEnvOverrides, type EnvOverrides } from './env-overrides.js';
export { redactConfig, redactValue, REDACTED, type JsonView, type RedactedConfig, type RouteView, type StageView } from './redact-config.js';
export { DEFAULT_DEAD_LETTER_PLUGIN } from './stage-resolver.js';
export {
  SluiceFileSchema,
  HttpSection,
  TransportSection,
  LogSection,
  PipelineSection,
  StageSection,
  BatchSection,
  RetrySection,
  RestartSection,
} from './config-schema.js';
