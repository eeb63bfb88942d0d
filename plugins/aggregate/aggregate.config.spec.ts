import { describe, expect, it } from '@jest/globals';
import { describeConfig, runTransform, validateConfig } from '@sluice/sdk';
import aggregate from './index.js';

/** What `sluice validate` reports: decorator issues first, then the plugin's own checks. */
function issuesOf(raw: unknown) {
  const { config, issues } = validateConfig(aggregate.config, raw);
  return issues.length > 0 ? issues : aggregate.validate!(config, { configDir: '.' });
}

const VALID = { groupBy: { g: 'g' }, metrics: { n: { fn: 'count' } } };

describe('aggregate: config validation', () => {
  it('requires groupBy and metrics objects', () => {
    expect(issuesOf({})).toEqual([
      { path: 'groupBy', message: 'must be an object' },
      { path: 'metrics', message: 'must be an object' },
    ]);
    expect(issuesOf({ groupBy: ['g'], metrics: { n: { fn: 'count' } } })).toEqual([{ path: 'groupBy', message: 'must be an object' }]);
  });

  it('needs at least one groupBy entry and one metric', () => {
    expect(issuesOf({ groupBy: {}, metrics: {} })).toEqual([
      { path: 'groupBy', message: 'needs at least one entry: output field name → JSONata expression (e.g. { stat_type: "stat.name" })' },
      { path: 'metrics', message: 'needs at least one entry: output field name → { fn, of } (e.g. { total: { fn: "sum", of: "amount" } })' },
    ]);
  });

  it('rejects empty output field names', () => {
    expect(issuesOf({ groupBy: { ' ': 'x' }, metrics: { '': { fn: 'count' } } })).toEqual([
      { path: 'groupBy. ', message: 'an output field name must not be empty' },
      { path: 'metrics.', message: 'an output field name must not be empty' },
    ]);
  });

  it('checks every groupBy expression', () => {
    const issues = issuesOf({ ...VALID, groupBy: { a: 'x', b: '', c: 5, d: 'a.(' } });
    expect(issues.map((issue) => issue.path)).toEqual(['groupBy.b', 'groupBy.c', 'groupBy.d']);
    expect(issues[0]!.message).toBe('must be a JSONata expression (a non-empty string)');
    expect(issues[1]!.message).toBe('must be a JSONata expression (a non-empty string)');
    expect(issues[2]!.message).toMatch(/^JSONata expression does not compile: Expected "\)" before end of expression \(S0203/);
  });

  it('checks each metric: fn, of (required except for count), unknown fields', () => {
    expect(issuesOf({ ...VALID, metrics: { m: { fn: 'median', of: 'v' } } })).toEqual([{ path: 'metrics.m.fn', message: 'must be one of the following values: count, sum, avg, min, max' }]);
    expect(issuesOf({ ...VALID, metrics: { m: { fn: 'avg' } } })).toEqual([{ path: 'metrics.m.of', message: 'is required for avg: a JSONata expression giving the value to aggregate' }]);
    expect(issuesOf({ ...VALID, metrics: { m: { fn: 'sum', off: 'v' } } })).toEqual([
      { path: 'metrics.m.off', message: 'unknown field (did you mean "of"?)' },
    ]);
    expect(issuesOf({ ...VALID, metrics: { m: { fn: 'max', of: 'v +' } } })[0]!.path).toBe('metrics.m.of');
    expect(issuesOf({ ...VALID, metrics: { m: { fn: 'max', of: 7 } } })).toEqual([{ path: 'metrics.m.of', message: 'must be a string' }]);
    expect(issuesOf({ ...VALID, metrics: { m: 'count' } })).toEqual([{ path: 'metrics.m', message: 'must be an object' }]);
    expect(issuesOf({ ...VALID, metrics: { n: { fn: 'count', of: 'name' } } })).toEqual([]);
  });

  it('checks each and distinct expressions', () => {
    expect(issuesOf({ ...VALID, each: 'stats[' }).map((issue) => issue.path)).toEqual(['each']);
    expect(issuesOf({ ...VALID, distinct: '}' }).map((issue) => issue.path)).toEqual(['distinct']);
    expect(issuesOf({ ...VALID, each: '' })).toEqual([{ path: 'each', message: 'should not be empty' }]);
  });

  it('rejects output field names used twice', () => {
    expect(issuesOf({ groupBy: { g: 'g' }, metrics: { g: { fn: 'count' } } })).toEqual([{ path: 'metrics.g', message: 'output field "g" is already produced by groupBy.g' }]);
    expect(issuesOf({ ...VALID, metrics: { updated_at: { fn: 'count' } } })).toEqual([{ path: 'metrics.updated_at', message: 'output field "updated_at" is already produced by updatedAtField' }]);
    expect(issuesOf({ ...VALID, window: { sizeMs: 1000 }, windowStartField: 'g' })).toEqual([{ path: 'windowStartField', message: 'output field "g" is already produced by groupBy.g' }]);
    // Without a window the window fields are not produced, so they cannot collide.
    expect(issuesOf({ ...VALID, windowStartField: 'g' })).toEqual([]);
    expect(issuesOf({ groupBy: { updated_at: 'x' }, metrics: { n: { fn: 'count' } }, updatedAtField: '' })).toEqual([]);
  });

  it('validates the window and the numeric options', () => {
    expect(issuesOf({ ...VALID, window: { sizeMs: 0 } })).toEqual([{ path: 'window.sizeMs', message: 'must not be less than 1' }]);
    expect(issuesOf({ ...VALID, window: {} })).toEqual([
      { path: 'window.sizeMs', message: 'must not be less than 1' },
      { path: 'window.sizeMs', message: 'must be an integer number' },
    ]);
    expect(issuesOf({ ...VALID, window: { sizeMs: 10, allowedLatenessMs: -1 } })).toEqual([{ path: 'window.allowedLatenessMs', message: 'must not be less than 0' }]);
    expect(issuesOf({ ...VALID, window: { sizeMs: 10, size: 3 } })).toEqual([{ path: 'window.size', message: 'unknown field (did you mean "sizeMs"?)' }]);
    expect(issuesOf({ ...VALID, maxGroups: 0 })).toEqual([{ path: 'maxGroups', message: 'must not be less than 1' }]);
    expect(issuesOf({ ...VALID, snapshotIntervalMs: 1.5 })).toEqual([{ path: 'snapshotIntervalMs', message: 'must be an integer number' }]);
    expect(issuesOf({ ...VALID, persistState: 'yes' })).toEqual([{ path: 'persistState', message: 'must be a boolean value' }]);
    expect(issuesOf({ ...VALID, updatedAtField: 5 })).toEqual([{ path: 'updatedAtField', message: 'must be a string' }]);
    expect(issuesOf({ ...VALID, groupby: {} })).toEqual([{ path: 'groupby', message: 'unknown field (did you mean "groupBy"?)' }]);
  });

  it('applies the documented defaults', () => {
    const { config } = validateConfig(aggregate.config, VALID);
    expect(config).toEqual(
      expect.objectContaining({ skipMissingGroups: false, windowStartField: 'window_start', windowEndField: 'window_end', updatedAtField: 'updated_at', passThrough: false, maxGroups: 100_000, persistState: true, snapshotIntervalMs: 5_000 }),
    );
  });

  it('fails the harness (as the host) on an invalid config', async () => {
    await expect(runTransform(aggregate, { ...VALID, metrics: { m: { fn: 'sum' } } }, [])).rejects.toThrow('invalid transform "aggregate" config: metrics.m.of: is required for sum');
  });
});

describe('aggregate: documentation', () => {
  it('describes every config field (and the metric and window fields) in real sentences', () => {
    const fields = describeConfig(aggregate.config);
    const nested = fields.flatMap((field) => field.fields ?? []);
    expect(nested.map((field) => field.name).sort()).toEqual(['allowedLatenessMs', 'fn', 'of', 'sizeMs']);
    for (const field of [...fields, ...nested]) expect({ field: field.name, long: field.description.length > 40 }).toEqual({ field: field.name, long: true });
  });

  it('ships examples that are valid configs, the pokemon_stats one included', () => {
    expect(aggregate.examples?.length).toBeGreaterThan(1);
    for (const example of aggregate.examples ?? []) expect({ title: example.title, issues: issuesOf(example.config) }).toEqual({ title: example.title, issues: [] });
    expect(aggregate.examples![0]!.config).toEqual(expect.objectContaining({ each: 'stats', groupBy: { stat_type: 'stat.name' }, distinct: 'id' }));
  });
});
