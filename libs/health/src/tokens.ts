/** DI token of the host's SluiceRuntime. */
export const SLUICE_RUNTIME = Symbol('SLUICE_RUNTIME');
