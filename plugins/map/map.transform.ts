import { allEvaluated, ExpressionEvaluationError, JsonataExpression, RECORD_AND_INPUT_VARIABLES, RECORD_VARIABLES, whenEvaluated } from '@sluice/sdk';
import { invalidRecord, withValue, type ExpressionResult, type MaybePromise, type SluiceRecord, type Transform, type TransformOutput } from '@sluice/sdk';
import type { MapConfig } from './map.config.js';

/** Which configured expression failed: `expression`, `key` or `headers.<name>`. */
type ExpressionName = string;

/** A configured expression with its name and the handler turning its failures into record errors. */
interface NamedExpression {
  readonly name: ExpressionName;
  readonly expression: JsonataExpression;
  readonly fail: (error: unknown) => never;
}

function failure(name: ExpressionName, error: unknown): never {
  const cause = ExpressionEvaluationError.from(error);
  throw invalidRecord(`${name} failed: ${cause.message}`, { expression: name, ...cause.details });
}

function named(name: ExpressionName, expression: JsonataExpression): NamedExpression {
  return { name, expression, fail: (error) => failure(name, error) };
}

function unchanged(result: ExpressionResult): ExpressionResult {
  return result;
}

/** The header or key text for an expression result; undefined means "none". */
function asText(name: ExpressionName, result: unknown): string | undefined {
  if (result === undefined || result === null) return undefined;
  if (typeof result === 'string') return result;
  if (typeof result === 'number' || typeof result === 'boolean') return String(result);
  throw invalidRecord(`${name} must yield a string, number or boolean, got ${Array.isArray(result) ? 'an array' : 'an object'}`, { expression: name, result });
}

/** The event time (epoch ms) for a `timestamp` result; undefined keeps the record's. */
function asTime(result: unknown): number | undefined {
  if (result === undefined || result === null) return undefined;
  const time = typeof result === 'number' ? result : typeof result === 'string' ? Date.parse(result) : Number.NaN;
  if (Number.isFinite(time) && Math.abs(time) <= 8.64e15) return time;
  throw invalidRecord('timestamp must yield epoch milliseconds or an ISO-8601 date text', { expression: 'timestamp', result });
}

/**
 * Reshapes record values with a JSONata expression; optionally sets the key, the event time and headers.
 *
 * Evaluation goes through the SDK's composition helpers: the output is synchronous when every
 * expression result is (the fast evaluator answered, the common case), and a promise when any
 * needed the jsonata package. Each expression is evaluated once per output value.
 */
export class MapTransform implements Transform {
  private readonly value: NamedExpression;
  /** The key expression (if any), the timestamp expression (if any), then the header expressions: evaluated on each output value. */
  private readonly envelope: readonly NamedExpression[];
  private readonly key: NamedExpression | undefined;
  private readonly timestamp: NamedExpression | undefined;
  private readonly headerNames: readonly string[];
  private readonly explode: boolean;

  constructor(config: MapConfig) {
    const options = { timeoutMs: config.timeoutMs };
    this.value = named('expression', JsonataExpression.compile(config.expression, RECORD_VARIABLES, options));
    this.key = config.key === undefined ? undefined : named('key', JsonataExpression.compile(config.key, RECORD_AND_INPUT_VARIABLES, options));
    const headers = Object.entries(config.headers ?? {}).map(([name, source]) => named(`headers.${name}`, JsonataExpression.compile(source, RECORD_AND_INPUT_VARIABLES, options)));
    this.headerNames = Object.keys(config.headers ?? {});
    this.timestamp = config.timestamp === undefined ? undefined : named('timestamp', JsonataExpression.compile(config.timestamp, RECORD_AND_INPUT_VARIABLES, options));
    this.envelope = [...(this.key ? [this.key] : []), ...(this.timestamp ? [this.timestamp] : []), ...headers];
    this.explode = config.explode;
  }

  process(record: SluiceRecord): TransformOutput | Promise<TransformOutput> {
    return whenEvaluated(this.evaluate(this.value, record.value, record), (result) => this.outputs(record, result));
  }

  /** `expression` evaluated on `input`, its failure turned into a record error naming it. */
  private evaluate(expression: NamedExpression, input: unknown, record: SluiceRecord): MaybePromise<ExpressionResult> {
    return whenEvaluated(expression.expression.evaluate(input, record), unchanged, expression.fail);
  }

  /** The output records for the value expression's result. */
  private outputs(record: SluiceRecord, result: ExpressionResult): MaybePromise<TransformOutput> {
    // The common case, without intermediate arrays: one value in, one value out.
    if (!this.explode && this.envelope.length === 0) return result === undefined || result === null ? null : withValue(record, result);
    const values = this.outputValues(result);
    if (this.envelope.length === 0 || values.length === 0) return this.build(record, values, []);
    // Every envelope expression on every value, flat: value i's results start at i * envelope.length.
    const envelopes: Array<MaybePromise<ExpressionResult>> = [];
    for (const value of values) for (const expression of this.envelope) envelopes.push(this.evaluate(expression, value, record));
    return whenEvaluated(allEvaluated(envelopes), (results) => this.build(record, values, results));
  }

  /** The values the expression result turns into: none (dropped), one, or one per array element. */
  private outputValues(result: ExpressionResult): ExpressionResult[] {
    if (result === undefined || result === null) return [];
    if (this.explode && Array.isArray(result)) return result.filter((element) => element !== undefined && element !== null);
    return [result];
  }

  /** The output records from the values and, when key or headers are configured, their results (flat, per value). */
  private build(record: SluiceRecord, values: readonly ExpressionResult[], envelopes: readonly ExpressionResult[]): TransformOutput {
    if (values.length === 0) return null;
    const width = this.envelope.length;
    const outputs = values.map((value, index) => {
      if (width === 0) return withValue(record, value);
      let position = index * width;
      const key = this.key ? (asText('key', envelopes[position++]) ?? null) : record.key;
      const timestamp = this.timestamp ? (asTime(envelopes[position++]) ?? record.timestamp) : record.timestamp;
      let headers = record.headers;
      if (this.headerNames.length > 0) {
        const updated: Record<string, string> = { ...record.headers };
        for (const name of this.headerNames) {
          const text = asText(`headers.${name}`, envelopes[position++]);
          if (text === undefined) delete updated[name];
          else updated[name] = text;
        }
        headers = updated;
      }
      return withValue(record, value, { key, headers, timestamp });
    });
    return this.explode ? outputs : outputs[0]!;
  }
}
