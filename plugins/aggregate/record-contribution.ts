import { invalidRecord, JsonataExpression, RECORD_AND_INPUT_VARIABLES, RECORD_VARIABLES, type SluiceRecord } from '@sluice/sdk';
import type { AggregateConfig, MetricFunction } from './aggregate.config.js';
import { runComputation, type Computation, type EvaluationRequest } from './expression-driver.js';

/** A group field value: what a groupBy expression may yield. */
export type GroupValue = string | number | boolean;

/** What one element brings to its group. */
export interface ElementContribution {
  /** The group values, in groupBy order. */
  readonly groupValues: readonly GroupValue[];
  /** Per metric (config order): the number it aggregates, or null when the element brings none. */
  readonly metricValues: ReadonlyArray<number | null>;
}

/** What one record brings to the aggregates. */
export interface RecordContribution {
  /** With `distinct`: the identity text of the entity the record describes. */
  readonly entity: string | undefined;
  /** The elements to aggregate, in order (skipped elements left out). */
  readonly elements: readonly ElementContribution[];
}

/** A configured metric, compiled. */
export interface CompiledMetric {
  readonly name: string;
  readonly fn: MetricFunction;
  readonly of: JsonataExpression | undefined;
}

/** A few words about a value, for error messages. */
export function describeValue(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object' && value !== null) return 'an object';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return `the ${typeof value} ${String(value)}`;
}

/**
 * The identity text of a distinct entity id: strings and other JSON values get distinct prefixes,
 * so the string "1" and the number 1 are different entities.
 */
export function entityText(id: unknown): string {
  return typeof id === 'string' ? `s:${id}` : `j:${JSON.stringify(id)}`;
}

/** The number a metric aggregates from an element's `of` result, or null when it is ignored. */
function metricValue(metric: CompiledMetric, value: unknown, element: number): number | null {
  if (value === undefined || value === null) return null;
  if (metric.fn === 'count') return 1;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '') {
    const number = Number(value);
    if (Number.isFinite(number)) return number;
  }
  throw invalidRecord(`metrics.${metric.name} must yield a number (or a numeric string), got ${describeValue(value)} for element ${element}`, { metric: metric.name, element, value });
}

/**
 * Reads what a record contributes: evaluates `distinct` and `each` on the record value, then the
 * groupBy and metric expressions on every element. Throws a non-retryable record error for bad
 * data, before anything is aggregated.
 */
export class ContributionReader {
  private readonly each: JsonataExpression | undefined;
  private readonly distinct: JsonataExpression | undefined;
  private readonly groupBy: ReadonlyArray<readonly [string, JsonataExpression]>;
  readonly metrics: readonly CompiledMetric[];
  private readonly skipMissingGroups: boolean;

  constructor(config: AggregateConfig) {
    const options = { timeoutMs: config.timeoutMs };
    this.each = config.each === undefined ? undefined : JsonataExpression.compile(config.each, RECORD_VARIABLES, options);
    this.distinct = config.distinct === undefined ? undefined : JsonataExpression.compile(config.distinct, RECORD_VARIABLES, options);
    this.groupBy = Object.entries(config.groupBy).map(([name, source]) => [name, JsonataExpression.compile(source, RECORD_AND_INPUT_VARIABLES, options)] as const);
    this.metrics = Object.entries(config.metrics).map(([name, metric]) => ({
      name,
      fn: metric.fn,
      of: metric.of === undefined ? undefined : JsonataExpression.compile(metric.of, RECORD_AND_INPUT_VARIABLES, options),
    }));
    this.skipMissingGroups = config.skipMissingGroups;
  }

  /** The record's contribution: synchronous when the fast evaluator handles every expression. */
  read(record: SluiceRecord): RecordContribution | Promise<RecordContribution> {
    return runComputation(this.compute(record), record);
  }

  private *compute(record: SluiceRecord): Computation<RecordContribution> {
    let entity: string | undefined;
    if (this.distinct) {
      const id = yield request('distinct', this.distinct, record.value);
      if (id === undefined || id === null) {
        throw invalidRecord(`distinct yielded ${id === null ? 'null' : 'nothing'}: the record has no entity id to count once`, { expression: 'distinct' });
      }
      entity = entityText(id);
    }
    const items = this.each ? yield request('each', this.each, record.value) : record.value;
    const list: readonly unknown[] = items === undefined || items === null ? [] : Array.isArray(items) ? items : [items];
    const elements: ElementContribution[] = [];
    for (let index = 0; index < list.length; index++) {
      const element = list[index];
      if (element === undefined || element === null) continue;
      const groupValues: GroupValue[] = [];
      for (const [name, expression] of this.groupBy) {
        const value = yield request(`groupBy.${name}`, expression, element);
        if (value === undefined || value === null) {
          if (this.skipMissingGroups) break;
          throw invalidRecord(`groupBy.${name} yielded ${value === null ? 'null' : 'nothing'} for element ${index}: the element has no group (set skipMissingGroups to skip such elements)`, {
            field: name,
            element: index,
          });
        }
        if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
          throw invalidRecord(`groupBy.${name} must yield a string, number or boolean, got ${describeValue(value)} for element ${index}`, { field: name, element: index });
        }
        groupValues.push(value);
      }
      if (groupValues.length < this.groupBy.length) continue;
      const metricValues: Array<number | null> = [];
      for (const metric of this.metrics) {
        metricValues.push(metric.of ? metricValue(metric, yield request(`metrics.${metric.name}.of`, metric.of, element), index) : 1);
      }
      elements.push({ groupValues, metricValues });
    }
    return { entity, elements };
  }
}

function request(name: string, expression: JsonataExpression, input: unknown): EvaluationRequest {
  return { name, expression, input };
}
