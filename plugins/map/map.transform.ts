import { ExpressionEvaluationError, JsonataExpression, NEEDS_ASYNC, RECORD_AND_INPUT_VARIABLES, RECORD_VARIABLES } from '@sluice/sdk';
import { invalidRecord, withValue, type SluiceRecord, type Transform, type TransformOutput } from '@sluice/sdk';
import type { MapConfig } from './map.config.js';

/** Private signal: a record needs the asynchronous jsonata evaluator for at least one expression. */
const GO_ASYNC: unique symbol = Symbol('map.go-async');

/** Which configured expression failed: `expression`, `key` or `headers.<name>`. */
type ExpressionName = string;

/** The raw key and header results for one output value. */
interface Envelope {
  readonly key: unknown;
  readonly headers: readonly unknown[];
}

function failure(name: ExpressionName, error: unknown): never {
  const cause = ExpressionEvaluationError.from(error);
  throw invalidRecord(`${name} failed: ${cause.message}`, { expression: name, ...cause.details });
}

/** The header or key text for an expression result; undefined means "none". */
function asText(name: ExpressionName, result: unknown): string | undefined {
  if (result === undefined || result === null) return undefined;
  if (typeof result === 'string') return result;
  if (typeof result === 'number' || typeof result === 'boolean') return String(result);
  throw invalidRecord(`${name} must yield a string, number or boolean, got ${Array.isArray(result) ? 'an array' : 'an object'}`, { expression: name, result });
}

/**
 * Reshapes record values with a JSONata expression; optionally sets the key and headers.
 *
 * Most expressions are handled synchronously by the fast evaluator; a record it declines (or an
 * expression outside its subset) goes through the jsonata package, which returns a promise.
 */
export class MapTransform implements Transform {
  private readonly value: JsonataExpression;
  private readonly key: JsonataExpression | undefined;
  private readonly headers: ReadonlyArray<readonly [string, JsonataExpression]>;
  private readonly explode: boolean;

  constructor(config: MapConfig) {
    const options = { timeoutMs: config.timeoutMs };
    this.value = JsonataExpression.compile(config.expression, RECORD_VARIABLES, options);
    this.key = config.key === undefined ? undefined : JsonataExpression.compile(config.key, RECORD_AND_INPUT_VARIABLES, options);
    this.headers = Object.entries(config.headers ?? {}).map(([name, source]) => [name, JsonataExpression.compile(source, RECORD_AND_INPUT_VARIABLES, options)] as const);
    this.explode = config.explode;
  }

  process(record: SluiceRecord): TransformOutput | Promise<TransformOutput> {
    try {
      const result = this.evaluateSync('expression', this.value, record.value, record);
      // The common case, without intermediate arrays: one value in, one value out.
      if (!this.explode && !this.hasEnvelope) return result === undefined || result === null ? null : withValue(record, result);
      const values = this.outputValues(result);
      return this.build(record, values, this.hasEnvelope ? values.map((value) => this.envelopeSync(value, record)) : []);
    } catch (error) {
      if (error !== GO_ASYNC) throw error;
    }
    return this.processAsync(record);
  }

  private async processAsync(record: SluiceRecord): Promise<TransformOutput> {
    const values = this.outputValues(await this.evaluateAsync('expression', this.value, record.value, record));
    const envelopes: Envelope[] = [];
    if (this.hasEnvelope) for (const value of values) envelopes.push(await this.envelopeAsync(value, record));
    return this.build(record, values, envelopes);
  }

  private get hasEnvelope(): boolean {
    return this.key !== undefined || this.headers.length > 0;
  }

  private evaluateSync(name: ExpressionName, expression: JsonataExpression, input: unknown, record: SluiceRecord): unknown {
    let result: unknown;
    try {
      result = expression.evaluateSync(input, record);
    } catch (error) {
      failure(name, error);
    }
    if (result === NEEDS_ASYNC) throw GO_ASYNC;
    return result;
  }

  private async evaluateAsync(name: ExpressionName, expression: JsonataExpression, input: unknown, record: SluiceRecord): Promise<unknown> {
    try {
      return await expression.evaluate(input, record);
    } catch (error) {
      return failure(name, error);
    }
  }

  private envelopeSync(value: unknown, record: SluiceRecord): Envelope {
    return {
      key: this.key ? this.evaluateSync('key', this.key, value, record) : undefined,
      headers: this.headers.map(([name, expression]) => this.evaluateSync(`headers.${name}`, expression, value, record)),
    };
  }

  private async envelopeAsync(value: unknown, record: SluiceRecord): Promise<Envelope> {
    const key = this.key ? await this.evaluateAsync('key', this.key, value, record) : undefined;
    const headers: unknown[] = [];
    for (const [name, expression] of this.headers) headers.push(await this.evaluateAsync(`headers.${name}`, expression, value, record));
    return { key, headers };
  }

  /** The values the expression result turns into: none (dropped), one, or one per array element. */
  private outputValues(result: unknown): unknown[] {
    if (result === undefined || result === null) return [];
    if (this.explode && Array.isArray(result)) return result.filter((element) => element !== undefined && element !== null);
    return [result];
  }

  /** The output records from the values and, when key or headers are configured, their results. */
  private build(record: SluiceRecord, values: readonly unknown[], envelopes: readonly Envelope[]): TransformOutput {
    if (values.length === 0) return null;
    const outputs = values.map((value, index) => {
      if (!this.hasEnvelope) return withValue(record, value);
      const envelope = envelopes[index]!;
      const key = this.key ? (asText('key', envelope.key) ?? null) : record.key;
      let headers = record.headers;
      if (this.headers.length > 0) {
        const updated: Record<string, string> = { ...record.headers };
        this.headers.forEach(([name], position) => {
          const text = asText(`headers.${name}`, envelope.headers[position]);
          if (text === undefined) delete updated[name];
          else updated[name] = text;
        });
        headers = updated;
      }
      return withValue(record, value, { key, headers });
    });
    return this.explode ? outputs : outputs[0]!;
  }
}
