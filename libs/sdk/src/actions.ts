import type { JsonValue } from './record.js';

/**
 * Something an operator or a scheduled job can ask a running plugin instance to do: compact a
 * table, refresh a cache, rotate a file. A job names it as `<pipeline>.<stage>` + action name.
 */
export interface PluginAction {
  /** One line: what the action does (listed by `/api/jobs` and in job errors). */
  readonly description: string;
  /**
   * Runs the action with the job's `args` (a JSON mapping, `{}` when none). Resolve with a short
   * JSON summary (rows removed, files rotated...) shown as the job's last result, or nothing.
   * Honour `signal`: it is aborted when the host stops.
   */
  run(args: Readonly<Record<string, JsonValue>>, signal: AbortSignal): Promise<JsonValue | void>;
}

/** Implemented by plugin instances (source, transform or sink) that expose actions. */
export interface PluginActions {
  readonly actions?: Readonly<Record<string, PluginAction>>;
}

/** What a source's {@link TriggerableSource.trigger} reports about the run it made. */
export interface TriggerResult {
  /** Records handed to the runtime by this run (failures included). */
  readonly records: number;
  /** Anything else worth showing as the job's last result (requests made, pages...). */
  readonly details?: Readonly<Record<string, JsonValue>>;
}

/**
 * A source that reads when it is told to (a scheduled job's `trigger`), instead of, or besides,
 * on its own schedule. `trigger` starts one run and resolves once the run's records were handed
 * to the runtime by `read` (not once they are stored). A second trigger while a run is under way
 * must not start another run: reject it with an error saying so.
 */
export interface TriggerableSource {
  trigger(signal: AbortSignal): Promise<TriggerResult>;
}

export function isTriggerable(value: unknown): value is TriggerableSource {
  return typeof value === 'object' && value !== null && typeof (value as Partial<TriggerableSource>).trigger === 'function';
}

export function pluginActions(value: unknown): Readonly<Record<string, PluginAction>> {
  const actions = typeof value === 'object' && value !== null ? (value as PluginActions).actions : undefined;
  return actions ?? {};
}
