import { describe, expect, it } from '@jest/globals';
import { describeConfig, makeRecord, prepare, runTransform, validateConfig, type SluiceRecord } from '@sluice/sdk';
import enrich from './index.js';
import { EnrichTransform } from './enrich.transform.js';

const NOW = Date.UTC(2024, 4, 1, 12, 0, 0, 0);

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const member of Object.values(value)) deepFreeze(member);
    Object.freeze(value);
  }
  return value;
}

function fileRecord(value: unknown = { id: 1 }, headers: Record<string, string> = { 'sluice.file': '/in/a.csv', 'sluice.line': '42' }): SluiceRecord {
  return deepFreeze(makeRecord(value, { key: 'k', headers, timestamp: 5, origin: { pipeline: 'orders', source: 'file', lane: '/in/a.csv', offset: 41 } }));
}

function kafkaRecord(value: unknown = { id: 2 }): SluiceRecord {
  return deepFreeze(
    makeRecord(value, {
      headers: { 'kafka.topic': 'orders', 'kafka.partition': '3', 'kafka.offset': '1200', other: 'x' },
      origin: { pipeline: 'mirror', source: 'kafka', lane: 'orders-3', offset: 1200 },
    }),
  );
}

/** Runs the transform on a fixed clock. */
function enrichAt(rawConfig: object, record: SluiceRecord) {
  const { config } = prepare(enrich, rawConfig);
  return new EnrichTransform(config, { now: () => NOW }).process(record);
}

function issuesOf(raw: unknown) {
  return validateConfig(enrich.config, raw).issues;
}

describe('enrich: config validation', () => {
  it('defaults to every field under _meta, ISO time', () => {
    const { config, issues } = validateConfig(enrich.config, {});
    expect(issues).toEqual([]);
    expect(config).toMatchObject({ target: 'nested', field: '_meta', prefix: '_', timeFormat: 'iso', fields: ['ingested_at', 'source', 'file', 'line', 'topic', 'partition', 'offset'] });
  });

  it('rejects bad values with the field path', () => {
    expect(issuesOf({ target: 'root' })).toEqual([{ path: 'target', message: 'must be one of the following values: nested, top-level' }]);
    expect(issuesOf({ field: '' })).toEqual([{ path: 'field', message: 'should not be empty' }]);
    expect(issuesOf({ prefix: 3 })).toEqual([{ path: 'prefix', message: 'must be a string' }]);
    expect(issuesOf({ fields: ['ingested_at', 'host'] })).toEqual([
      { path: 'fields', message: 'each value in fields must be one of the following values: ingested_at, source, file, line, topic, partition, offset' },
    ]);
    expect(issuesOf({ fields: [] })).toEqual([{ path: 'fields', message: 'should not be empty' }]);
    expect(issuesOf({ fields: ['line', 'line'] })).toEqual([{ path: 'fields', message: "All fields's elements must be unique" }]);
    expect(issuesOf({ timeFormat: 'unix' })).toEqual([{ path: 'timeFormat', message: 'must be one of the following values: iso, epochMs' }]);
    expect(issuesOf({ sourceLabel: '' })).toEqual([{ path: 'sourceLabel', message: 'should not be empty' }]);
    expect(issuesOf({ feilds: ['line'] })).toEqual([{ path: 'feilds', message: 'unknown field (did you mean "fields"?)' }]);
  });
});

describe('enrich: metadata', () => {
  it('adds time, source and the file position from the sluice.* headers under _meta', () => {
    expect(enrichAt({}, fileRecord()).value).toEqual({
      id: 1,
      _meta: { ingested_at: '2024-05-01T12:00:00.000Z', source: 'orders/file', file: '/in/a.csv', line: 42 },
    });
  });

  it('falls back to the origin lane and offset without sluice.* headers', () => {
    expect(enrichAt({}, fileRecord({ id: 1 }, {})).value).toEqual({
      id: 1,
      _meta: { ingested_at: '2024-05-01T12:00:00.000Z', source: 'orders/file', file: '/in/a.csv', line: 41 },
    });
  });

  it('adds topic, partition and offset from the kafka.* headers (and no file position)', () => {
    expect(enrichAt({}, kafkaRecord()).value).toEqual({
      id: 2,
      _meta: { ingested_at: '2024-05-01T12:00:00.000Z', source: 'mirror/kafka', topic: 'orders', partition: 3, offset: 1200 },
    });
  });

  it('keeps numeric headers as text when they are not safe integers', () => {
    const record = fileRecord({ id: 1 }, { 'kafka.topic': 't', 'kafka.offset': '18446744073709551615', 'kafka.partition': 'p1' });
    expect(enrichAt({ fields: ['partition', 'offset'] }, record).value).toEqual({ id: 1, _meta: { partition: 'p1', offset: '18446744073709551615' } });
  });

  it('leaves out fields a record has no value for', () => {
    const bare = deepFreeze(makeRecord({ id: 3 }, { origin: { pipeline: 'p', source: 'generator' } }));
    expect(enrichAt({}, bare).value).toEqual({ id: 3, _meta: { ingested_at: '2024-05-01T12:00:00.000Z', source: 'p/generator' } });
  });

  it('writes epoch milliseconds, a fixed source label and only the chosen fields, in their order', () => {
    const value = enrichAt({ timeFormat: 'epochMs', sourceLabel: 'erp-export', fields: ['source', 'ingested_at'] }, fileRecord()).value as { _meta: object };
    expect(value._meta).toEqual({ source: 'erp-export', ingested_at: NOW });
    expect(Object.keys(value._meta)).toEqual(['source', 'ingested_at']);
  });

  it('uses the current time of each record', async () => {
    const before = Date.now();
    const { outputs } = await runTransform(enrich, { timeFormat: 'epochMs', fields: ['ingested_at'] }, [fileRecord()]);
    const at = (outputs[0]!.value as { _meta: { ingested_at: number } })._meta.ingested_at;
    expect(at).toBeGreaterThanOrEqual(before);
    expect(at).toBeLessThanOrEqual(Date.now());
  });
  it('keeps an own "__proto__" field as a field, never as the prototype of the copy', () => {
    const value = JSON.parse('{"id": 1, "__proto__": {"polluted": true}}') as Record<string, unknown>;
    const enriched = enrichAt({ target: 'top-level', fields: ['line'] }, fileRecord(value)).value as Record<string, unknown>;
    expect(Object.getPrototypeOf(enriched)).toBe(Object.prototype);
    expect(Object.hasOwn(enriched, '__proto__')).toBe(true);
    expect(enriched.polluted).toBeUndefined();
    expect(enriched._line).toBe(42);
  });

  it('gives each record the ISO time of its own millisecond, top-level and nested', () => {
    for (const target of ['top-level', 'nested'] as const) {
      const times = [NOW, NOW, NOW + 1, NOW];
      const { config } = prepare(enrich, { target, fields: ['ingested_at'] });
      const transform = new EnrichTransform(config, { now: () => times.shift()! });
      const stamps = [1, 2, 3, 4].map((id) => {
        const value = transform.process(fileRecord({ id })).value as Record<string, unknown> & { _meta?: { ingested_at: string } };
        return target === 'nested' ? value._meta!.ingested_at : value._ingested_at;
      });
      expect(stamps).toEqual(['2024-05-01T12:00:00.000Z', '2024-05-01T12:00:00.000Z', '2024-05-01T12:00:00.001Z', '2024-05-01T12:00:00.000Z']);
    }
  });
});

describe('enrich: targets', () => {
  it('puts the metadata in another nested field', () => {
    expect(enrichAt({ field: 'ingest', fields: ['line'] }, fileRecord()).value).toEqual({ id: 1, ingest: { line: 42 } });
  });

  it('merges into an existing object field, metadata winning', () => {
    const record = fileRecord({ id: 1, _meta: { owner: 'ops', line: 0 } });
    expect(enrichAt({ fields: ['line'] }, record).value).toEqual({ id: 1, _meta: { owner: 'ops', line: 42 } });
  });

  it('adds top-level fields with a prefix, replacing same-named fields', () => {
    const record = fileRecord({ id: 1, meta_line: 'old' });
    expect(enrichAt({ target: 'top-level', prefix: 'meta_', fields: ['file', 'line'] }, record).value).toEqual({ id: 1, meta_file: '/in/a.csv', meta_line: 42 });
    expect(enrichAt({ target: 'top-level', fields: ['line'] }, record).value).toEqual({ id: 1, meta_line: 'old', _line: 42 });
    expect(enrichAt({ target: 'top-level', prefix: '', fields: ['line'] }, record).value).toEqual({ id: 1, meta_line: 'old', line: 42 });
  });

  it('keeps the envelope and does not mutate the input (deep-frozen)', () => {
    const record = fileRecord({ id: 1, _meta: { owner: 'ops' } });
    const snapshot = structuredClone(record);
    const output = enrichAt({}, record);
    expect(record).toEqual(snapshot);
    expect(output).toMatchObject({ key: 'k', headers: record.headers, timestamp: 5, origin: record.origin });
    expect(output.value).not.toBe(record.value);
  });
});

describe('enrich: non-object values are dead-lettered', () => {
  it.each<[string, unknown]>([
    ['an array', [1, 2]],
    ['a string', 'text'],
    ['a number', 7],
    ['null', null],
  ])('rejects %s with a clear message', async (label, value) => {
    const { outputs, deadLetters } = await runTransform(enrich, {}, [fileRecord(value)]);
    expect(outputs).toEqual([]);
    expect(deadLetters).toEqual([{ record: expect.anything(), error: `enrich adds fields to object values, but this record's value is ${label}`, retryable: false }]);
  });

  it('rejects a nested target field that holds something else than an object', async () => {
    const { deadLetters } = await runTransform(enrich, {}, [fileRecord({ id: 1, _meta: 'taken' })]);
    expect(deadLetters.map((d) => d.error)).toEqual(['cannot add metadata under "_meta": the value already has a field "_meta" holding a string, not an object']);
  });
});

describe('enrich: documentation', () => {
  it('describes every config field in real sentences', () => {
    const fields = describeConfig(enrich.config);
    expect(fields.length).toBeGreaterThan(0);
    for (const field of fields) expect({ field: field.name, long: field.description.length > 40 }).toEqual({ field: field.name, long: true });
  });

  it('ships examples that are valid configs', () => {
    expect(enrich.examples?.length).toBeGreaterThan(1);
    for (const example of enrich.examples ?? []) expect({ title: example.title, issues: issuesOf(example.config) }).toEqual({ title: example.title, issues: [] });
  });
});
