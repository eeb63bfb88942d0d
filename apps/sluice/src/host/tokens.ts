/** DI token of the loaded SluiceConfig. */
export const SLUICE_CONFIG = Symbol('SLUICE_CONFIG');
/** DI token of the host's pino logger. */
export const SLUICE_LOGGER = Symbol('SLUICE_LOGGER');
/** DI token of the ChannelTransport the pipelines run on. */
export const CHANNEL_TRANSPORT = Symbol('CHANNEL_TRANSPORT');
/** DI token of the host's RuntimeMetrics. */
export const RUNTIME_METRICS = Symbol('RUNTIME_METRICS');
