import { describeError, ExpressionEvaluationError, invalidRecord, isRetryable, jsonataTruthy, RecordError, type SluiceRecord, type TransformOutput } from '@sluice/sdk';
import type { Route } from './route.js';

/** What one route makes of one record: the records its sink stores (none when it does not take it). */
export type RouteOutputs = readonly SluiceRecord[];

/** Whether `route` takes `record` (its `when` condition holds, or it has none). */
export async function routeTakes(route: Route, record: SluiceRecord): Promise<boolean> {
  if (!route.when) return true;
  try {
    return jsonataTruthy(await route.when.evaluate(record.value, record));
  } catch (error) {
    const cause = ExpressionEvaluationError.from(error);
    throw invalidRecord(`route "${route.name}": condition (when) failed: ${cause.message}`, { route: route.name, ...cause.details });
  }
}

function asList(output: TransformOutput): readonly SluiceRecord[] {
  if (output === null || output === undefined) return [];
  return Array.isArray(output) ? (output as readonly SluiceRecord[]) : [output as SluiceRecord];
}

/**
 * One record's way through a route's transforms, in order (each output of one feeds the next).
 * It can be resumed: when a transform fails on one of its inputs, {@link RouteRun.outputs} stops
 * there, and calling it again continues with that input. No transform ever processes the same
 * input twice, even when a later transform of the route failed and the record is written again
 * (stateful transforms such as `aggregate` must not count a record twice).
 */
export class RouteRun {
  /** Index of the transform to run next. */
  private stage = 0;
  /** The inputs of that transform... */
  private inputs: readonly SluiceRecord[];
  /** ...the next of them to process... */
  private next = 0;
  /** ...and what it made of the ones before. */
  private produced: SluiceRecord[] = [];

  constructor(
    private readonly route: Route,
    record: SluiceRecord,
  ) {
    this.inputs = [record];
  }

  /**
   * Runs what is left to run; resolves to the route's outputs. Errors are rethrown as RecordErrors
   * naming the route and the stage, retryable as the original was: bad data fails the record,
   * anything else is tried again (from where it failed).
   */
  async outputs(): Promise<RouteOutputs> {
    const { transforms } = this.route;
    while (this.stage < transforms.length && this.inputs.length > 0) {
      const transform = transforms[this.stage]!;
      while (this.next < this.inputs.length) {
        let output: TransformOutput;
        try {
          const result = transform.instance.process(this.inputs[this.next]!);
          output = result instanceof Promise ? await result : result;
        } catch (error) {
          throw new RecordError(`route "${this.route.name}": ${transform.stage} (${transform.plugin}): ${describeError(error)}`, { retryable: isRetryable(error), cause: error });
        }
        for (const produced of asList(output)) this.produced.push(produced);
        this.next++;
      }
      this.inputs = this.produced;
      this.produced = [];
      this.next = 0;
      this.stage++;
    }
    return this.inputs;
  }
}
