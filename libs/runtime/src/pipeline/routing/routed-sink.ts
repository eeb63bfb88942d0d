import { describeError, invalidRecord, isRetryable, RecordError, type PluginLogger, type Sink, type SinkWriteResult, type SluiceRecord } from '@sluice/sdk';
import type { Route, RouteMember } from './route.js';
import { RouteRun, routeTakes } from './route-outputs.js';

/** What one route made of one input record so far. */
type RouteEntry =
  /** The route does not take the record. */
  | { readonly kind: 'skip' }
  /** The route takes it; a transform failed (retryably) on the way: resumed at the next write. */
  | { readonly kind: 'running'; readonly run: RouteRun }
  /** The route's outputs its sink has not stored yet (none left: the route is done with the record). */
  | { readonly kind: 'outputs'; pending: readonly SluiceRecord[] }
  /** Bad data: the record fails for good. */
  | { readonly kind: 'failed'; readonly error: unknown };

type OutputsEntry = Extract<RouteEntry, { kind: 'outputs' }>;

/** Per index of a batch, why the record failed; a failure for good wins over a retryable one. */
class BatchFailures {
  readonly byIndex = new Map<number, unknown>();

  add(index: number, error: unknown): void {
    const known = this.byIndex.get(index);
    if (known === undefined || (isRetryable(known) && !isRetryable(error))) this.byIndex.set(index, error);
  }
}

/** What unrouted records become. */
export type UnroutedPolicy = 'deadLetter' | 'drop';

/**
 * The sink of a pipeline with `routes:` (fan-out): hands each record to every route whose `when`
 * condition holds, runs the route's transforms on it, and writes each route's records to its sink,
 * the routes concurrently. A batch is acknowledged once every route stored its share.
 *
 * Retries never repeat work: what a route made of a record is computed once (transforms such as
 * `aggregate` have state that must not see a record twice; a route whose transform failed resumes
 * at the input that failed) and remembered while the runtime holds the record, and the outputs a
 * route's sink stored are not written again when the batch (or the record alone) is written again
 * after another route, or another output, failed.
 */
export class RoutedSink implements Sink {
  /** Per input record: per route, what the route made of it (filled as computed). */
  private readonly entries = new WeakMap<SluiceRecord, Array<RouteEntry | undefined>>();
  private readonly started = new Set<object>();

  constructor(
    protected readonly routes: readonly Route[],
    private readonly unrouted: UnroutedPolicy,
    protected readonly logger: PluginLogger,
  ) {}

  /** Every plugin instance of every route, with its stage name (for health and jobs). */
  members(): Array<RouteMember<object>> {
    return this.routes.flatMap((route) => [...route.transforms, route.sink]);
  }

  /** Starts each route downstream first (its sink, then its transforms); started again after a failure, only what did not start yet. */
  async start(): Promise<void> {
    for (const route of this.routes) {
      if (!this.started.has(route.sink.instance)) {
        await route.sink.instance.start?.();
        this.started.add(route.sink.instance);
      }
      for (const transform of route.transforms) {
        if (this.started.has(transform.instance)) continue;
        await transform.instance.start?.();
        this.started.add(transform.instance);
      }
    }
  }

  /** Stops what started, every route even when one fails (the first error is thrown after). */
  async stop(): Promise<void> {
    const errors: unknown[] = [];
    const stop = async (instance: object, stopping: () => unknown) => {
      if (!this.started.delete(instance)) return;
      try {
        await stopping();
      } catch (error) {
        errors.push(error);
      }
    };
    // Each route upstream first: its transforms, then its sink; the routes side by side.
    const stopping = this.routes.map(async (route) => {
      for (const transform of route.transforms) await stop(transform.instance, () => transform.instance.stop?.());
      await stop(route.sink.instance, () => route.sink.instance.stop?.());
    });
    await Promise.all(stopping);
    if (errors.length > 0) throw errors[0];
  }

  async write(batch: readonly SluiceRecord[], signal?: AbortSignal): Promise<void | SinkWriteResult> {
    const failures = new BatchFailures();
    const entries = await this.routeAll(batch, failures);

    const thrown: unknown[] = [];
    await Promise.all(
      this.routes.map(async (route, r) => {
        try {
          await this.writeRoute(route, r, entries, failures, signal);
        } catch (error) {
          thrown.push(new RecordError(`route "${route.name}": ${route.sink.stage} (${route.sink.plugin}): ${describeError(error)}`, { retryable: isRetryable(error), cause: error }));
        }
      }),
    );
    // A failed route makes the whole batch fail; the runtime writes it again (retryable) or record by
    // record (not retryable), and what the routes stored already is skipped then.
    if (thrown.length > 0) throw thrown.find((error) => isRetryable(error)) ?? thrown[0];
    await this.flushTransforms();
    if (failures.byIndex.size === 0) return;
    // In batch order: the runtime writes the records it retries in this order.
    return { failed: [...failures.byIndex].sort(([a], [b]) => a - b).map(([index, error]) => ({ index, error })) };
  }

  /** Lets the routes' stateful transforms make their state durable before the batch is acknowledged. */
  private async flushTransforms(): Promise<void> {
    const transforms = this.routes.flatMap((route) => route.transforms);
    try {
      await Promise.all(transforms.map((transform) => transform.instance.flush?.()));
    } catch (error) {
      throw new RecordError(`flushing the routes' transforms failed: ${describeError(error)}`, { retryable: true, cause: error });
    }
  }

  /**
   * What each route makes of each record of the batch (kept per record: computed once). A record
   * fails when a route's condition or transforms fail on it: for good on bad data, else retryably
   * (the runtime writes it again, up to its retry policy, and the route resumes where it failed).
   * Records no route takes fail too with `unrouted: deadLetter`.
   */
  private async routeAll(batch: readonly SluiceRecord[], failures: BatchFailures): Promise<Array<Array<RouteEntry | undefined>>> {
    const all: Array<Array<RouteEntry | undefined>> = [];
    for (let i = 0; i < batch.length; i++) {
      const record = batch[i]!;
      let entries = this.entries.get(record);
      if (!entries) {
        entries = this.routes.map(() => undefined);
        this.entries.set(record, entries);
      }
      for (let r = 0; r < this.routes.length; r++) {
        let entry = entries[r];
        if (entry === undefined || entry.kind === 'running') {
          const route = this.routes[r]!;
          try {
            if (entry === undefined) entry = entries[r] = (await routeTakes(route, record)) ? { kind: 'running', run: new RouteRun(route, record) } : { kind: 'skip' };
            if (entry.kind === 'running') entry = entries[r] = { kind: 'outputs', pending: await entry.run.outputs() };
          } catch (error) {
            if (isRetryable(error)) failures.add(i, error);
            else entry = entries[r] = { kind: 'failed', error };
          }
        }
        if (entry?.kind === 'failed') failures.add(i, entry.error);
      }
      all.push(entries);
      if (this.unrouted === 'deadLetter' && entries.every((entry) => entry?.kind === 'skip')) {
        failures.add(i, invalidRecord(`matched no route (routes: ${this.routes.map((route) => route.name).join(', ')})`));
      }
    }
    return all;
  }

  /**
   * Writes the outputs route `r` has not stored yet; what its sink refuses stays pending and fails
   * its record. Later outputs of the key of a retryably refused one are written again after it.
   */
  private async writeRoute(route: Route, r: number, entries: ReadonlyArray<ReadonlyArray<RouteEntry | undefined>>, failures: BatchFailures, signal?: AbortSignal): Promise<void> {
    const outputs: SluiceRecord[] = [];
    const owners: number[] = [];
    const written: Array<{ readonly entry: OutputsEntry; readonly from: number }> = [];
    entries.forEach((perRoute, i) => {
      const entry = perRoute[r];
      if (entry?.kind !== 'outputs' || entry.pending.length === 0) return;
      written.push({ entry, from: outputs.length });
      for (const output of entry.pending) {
        outputs.push(output);
        owners.push(i);
      }
    });
    if (outputs.length === 0) return;
    const result = await route.sink.instance.write(outputs, signal);
    const refused = new Set<number>();
    /** Per key, the first output the sink refused retryably: it will be written again, later. */
    const retriedKeys = new Map<string, number>();
    for (const { index, error } of result?.failed ?? []) {
      const owner = owners[index];
      if (owner === undefined) continue;
      refused.add(index);
      failures.add(owner, new RecordError(`route "${route.name}": ${route.sink.stage} (${route.sink.plugin}): ${describeError(error)}`, { retryable: isRetryable(error), cause: error }));
      const key = outputs[index]!.key;
      if (key !== null && isRetryable(error) && !((retriedKeys.get(key) ?? Infinity) < index)) retriedKeys.set(key, index);
    }
    const entryOf = (index: number) => written.findLast(({ from }) => from <= index)!.entry;
    const pending = new Map<OutputsEntry, SluiceRecord[]>(written.map(({ entry, from }) => [entry, entry.pending.filter((_, k) => refused.has(from + k))]));
    // Per-key order: an output stored after a refused one of the same key would be overwritten by it
    // when the refused one is written again (an older aggregate over a newer one). Such an output is
    // written again right after it, with the record that owns the refused one.
    for (let index = 0; retriedKeys.size > 0 && index < outputs.length; index++) {
      const key = outputs[index]!.key;
      const first = key === null ? undefined : retriedKeys.get(key);
      if (first === undefined || index <= first || refused.has(index)) continue;
      pending.get(entryOf(first))!.push(outputs[index]!);
    }
    for (const [entry, left] of pending) entry.pending = left;
  }
}
