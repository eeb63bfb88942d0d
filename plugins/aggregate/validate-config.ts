import { JsonataExpression, RECORD_AND_INPUT_VARIABLES, RECORD_VARIABLES, validateConfig, type ConfigIssue } from '@sluice/sdk';
import { AggregateMetricConfig, type AggregateConfig } from './aggregate.config.js';

function checkExpression(path: string, source: unknown, variables: typeof RECORD_VARIABLES, issues: ConfigIssue[]): void {
  if (typeof source !== 'string' || source.trim() === '') issues.push({ path, message: 'must be a JSONata expression (a non-empty string)' });
  else issues.push(...JsonataExpression.issues(path, source, variables));
}

function checkName(path: string, name: string, issues: ConfigIssue[]): void {
  if (name.trim() === '') issues.push({ path, message: 'an output field name must not be empty' });
}

/**
 * Checks of the `aggregate` config that its decorators cannot express: the groupBy and metrics
 * mappings (entries, expressions that must compile, `of` required except for count) and output
 * field names that would collide.
 */
export function aggregateConfigIssues(config: AggregateConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const owners = new Map<string, string>();
  const claim = (name: string, path: string) => {
    const owner = owners.get(name);
    if (owner !== undefined) issues.push({ path, message: `output field "${name}" is already produced by ${owner}` });
    else owners.set(name, path);
  };

  const groupBy = Object.entries(config.groupBy);
  if (groupBy.length === 0) issues.push({ path: 'groupBy', message: 'needs at least one entry: output field name → JSONata expression (e.g. { stat_type: "stat.name" })' });
  for (const [name, source] of groupBy) {
    checkName(`groupBy.${name}`, name, issues);
    checkExpression(`groupBy.${name}`, source, RECORD_AND_INPUT_VARIABLES, issues);
    claim(name, `groupBy.${name}`);
  }
  if (config.window) {
    claim(config.windowStartField, 'windowStartField');
    claim(config.windowEndField, 'windowEndField');
  }
  if (config.updatedAtField !== '') claim(config.updatedAtField, 'updatedAtField');

  const metrics = Object.entries(config.metrics);
  if (metrics.length === 0) issues.push({ path: 'metrics', message: 'needs at least one entry: output field name → { fn, of } (e.g. { total: { fn: "sum", of: "amount" } })' });
  for (const [name, raw] of metrics) {
    const path = `metrics.${name}`;
    checkName(path, name, issues);
    const { config: metric, issues: metricIssues } = validateConfig(AggregateMetricConfig, raw);
    if (metricIssues.length > 0) {
      issues.push(...metricIssues.map((issue) => ({ path: issue.path ? `${path}.${issue.path}` : path, message: issue.message })));
      continue;
    }
    if (metric.of === undefined) {
      if (metric.fn !== 'count') issues.push({ path: `${path}.of`, message: `is required for ${metric.fn}: a JSONata expression giving the value to aggregate` });
    } else {
      checkExpression(`${path}.of`, metric.of, RECORD_AND_INPUT_VARIABLES, issues);
    }
    claim(name, path);
  }

  if (config.each !== undefined) issues.push(...JsonataExpression.issues('each', config.each, RECORD_VARIABLES));
  if (config.distinct !== undefined) issues.push(...JsonataExpression.issues('distinct', config.distinct, RECORD_VARIABLES));
  return issues;
}
