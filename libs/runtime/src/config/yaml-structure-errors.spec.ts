import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testCatalog } from '../../../../test/fixtures/config/test-plugins.js';
import { ConfigValidationError } from './config-issues.js';
import { loadConfig } from './load-config.js';

const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/**
 * Writes `lines` as <tmp>/config/sluice.yaml, loads it, expects it to be refused and returns the
 * formatted issue lines (the file shown as config/sluice.yaml).
 */
async function problems(lines: readonly string[], env: Record<string, string> = {}): Promise<string[]> {
  const root = mkdtempSync(join(tmpdir(), 'sluice-yaml-'));
  tempDirs.push(root);
  mkdirSync(join(root, 'config'));
  const file = join(root, 'config', 'sluice.yaml');
  writeFileSync(file, lines.join('\n') + '\n');
  const error = await loadConfig(file, { env, catalog: testCatalog() }).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ConfigValidationError)) throw new Error(`expected a ConfigValidationError, got: ${String(error)}`);
  for (const issue of error.issues) expect(issue.file).toBe(file);
  return error.format(root).split('\n');
}

const PIPELINE = ['pipelines:', '  - name: demo', '    source: { plugin: generator }', '    sink: { plugin: file, config: { path: out.jsonl } }'];

describe('loadConfig: YAML aliases', () => {
  it('reports an alias inside its own anchor (a cycle) at the alias, instead of overflowing the stack', async () => {
    expect(await problems([...PIPELINE, '    transforms: &loop [*loop]'])).toEqual([
      'config/sluice.yaml:5 pipelines[0].transforms[0]: YAML alias *loop is inside the value of its own anchor &loop (line 5): a value cannot contain itself',
    ]);
    expect(await problems(['x: &a [*a]', ...PIPELINE])).toEqual([
      'config/sluice.yaml:1 x[0]: YAML alias *a is inside the value of its own anchor &a (line 1): a value cannot contain itself',
    ]);
  });

  it('reports a cycle through nested values and merge keys', async () => {
    expect(await problems(['x-defaults: &defaults', '  batch:', '    nested: { again: *defaults }', ...PIPELINE])).toEqual([
      'config/sluice.yaml:3 x-defaults.batch.nested.again: YAML alias *defaults is inside the value of its own anchor &defaults (line 1): a value cannot contain itself',
    ]);
    expect(await problems(['x-base: &base', '  maxRecords: 1', '  <<: *base', ...PIPELINE])).toEqual([
      'config/sluice.yaml:3 x-base.<<: YAML alias *base is inside the value of its own anchor &base (line 1): a value cannot contain itself',
    ]);
  });

  it('reports an alias to an anchor that is not defined, or only defined after it', async () => {
    expect(await problems([...PIPELINE.slice(0, 3), '    sink: *nope'])).toEqual([
      'config/sluice.yaml:4 pipelines[0].sink: YAML alias *nope refers to no anchor: write &nope before a value above it to name that value',
    ]);
    expect(await problems([...PIPELINE.slice(0, 3), '    sink: *later', 'x-sink: &later { plugin: file }'])).toEqual([
      'config/sluice.yaml:4 pipelines[0].sink: YAML alias *later comes before its anchor &later (line 5): an anchor must be written before its aliases',
    ]);
  });

  it('refuses aliases that expand exponentially ("billion laughs") at the alias that goes over the limit', async () => {
    const lines = await problems([
      'x-a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]',
      'x-b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'x-c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'x-d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]',
      'x-e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]',
      'x-f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]',
      ...PIPELINE,
    ]);
    // yaml counts the copies as it converts: x-d is the first value it refuses on its own.
    expect(lines).toEqual([
      'config/sluice.yaml:4 x-d: YAML aliases *c in this value expand to too many values (more than 1000 copies in all, counting aliases of aliases): nest fewer aliases of aliases, or write the values out',
    ]);
  });

  it('points at the value whose aliases go over the limit, inside a pipeline too', async () => {
    expect(
      await problems([
        'x-a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]',
        'x-b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]',
        'x-c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
        ...PIPELINE.slice(0, 3),
        '    sink: { plugin: file, config: { path: out.jsonl, extra: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c] } }',
      ]),
    ).toEqual([
      'config/sluice.yaml:7 pipelines[0].sink.config.extra: YAML aliases *c in this value expand to too many values (more than 1000 copies in all, counting aliases of aliases): nest fewer aliases of aliases, or write the values out',
    ]);
  });

  it('still accepts anchors used many times without nesting', async () => {
    const lines = ['x-sink: &sink { plugin: file, config: { path: out.jsonl } }', 'pipelines:'];
    for (let i = 0; i < 20; i++) lines.push(`  - name: p${i}`, '    source: { plugin: generator }', '    sink: *sink');
    const root = mkdtempSync(join(tmpdir(), 'sluice-yaml-'));
    tempDirs.push(root);
    const file = join(root, 'sluice.yaml');
    writeFileSync(file, lines.join('\n') + '\n');
    const config = await loadConfig(file, { env: {}, catalog: testCatalog() });
    expect(config.pipelines).toHaveLength(20);
  });
});

describe('loadConfig: YAML structure', () => {
  it('reports a duplicate key with its path and the line of the first one', async () => {
    expect(await problems(['pipelines:', '  - name: demo', '    source: { plugin: generator }', '    name: again', '    sink: { plugin: file, config: { path: out.jsonl } }'])).toEqual([
      'config/sluice.yaml:4 pipelines[0].name: YAML syntax error: duplicate key "name" (first at line 2): keep only one',
    ]);
    expect(await problems([...PIPELINE.slice(0, 3), '    sink: { plugin: file, plugin: sql }'])).toEqual([
      'config/sluice.yaml:4 pipelines[0].sink.plugin: YAML syntax error: duplicate key "plugin" (first at line 4): keep only one',
    ]);
  });

  it('reports tabs used for indentation', async () => {
    expect(await problems(['pipelines:', '  - name: demo', '\tsource: { plugin: generator }'])).toEqual([
      'config/sluice.yaml:3 YAML syntax error: tabs are not allowed for indentation: indent with spaces',
    ]);
  });

  it('reports a file holding several YAML documents', async () => {
    expect(await problems([...PIPELINE, '---', 'pipelines: []'])).toEqual([
      'config/sluice.yaml:5 YAML syntax error: the file holds more than one YAML document (a "---" line starts another one): a config file holds one',
    ]);
  });

  it('reports a document that is not a mapping', async () => {
    expect(await problems(['just some text'])).toEqual(['config/sluice.yaml:1 the config file must be a mapping (key: value) at the top level']);
    expect(await problems(['- name: demo'])).toEqual(['config/sluice.yaml:1 the config file must be a mapping (key: value) at the top level']);
  });
});

describe('loadConfig: ${VAR} inside a YAML flow mapping or list', () => {
  it('says to quote the reference instead of the confusing YAML errors', async () => {
    expect(await problems(['pipelines:', '  - name: demo', '    source: { plugin: generator }', '    sink: { plugin: sql, config: {url: ${DB_URL}, table: t} }'], { DB_URL: 'postgres://db/x' })).toEqual([
      'config/sluice.yaml:4 pipelines[0].sink.config.url: YAML syntax error: ${DB_URL} is not read as a variable inside { } or [ ], where "{" is YAML syntax: quote it: "${DB_URL}"',
    ]);
  });

  it('quotes the whole value in the hint, with defaults and text around the reference', async () => {
    expect(await problems(['config: {url: ${DB_URL:-postgres://localhost/x}}'])).toEqual([
      'config/sluice.yaml:1 config.url: YAML syntax error: ${DB_URL:-postgres://localhost/x} is not read as a variable inside { } or [ ], where "{" is YAML syntax: quote it: "${DB_URL:-postgres://localhost/x}"',
    ]);
    expect(await problems(['config: {url: jdbc:${HOST}/db, b: 1}'])).toEqual([
      'config/sluice.yaml:1 config.url: YAML syntax error: ${HOST} is not read as a variable inside { } or [ ], where "{" is YAML syntax: quote it: "jdbc:${HOST}/db"',
    ]);
  });

  it('gives the hint inside a flow list too', async () => {
    expect(await problems(['transport:', '  kind: kafka', '  brokers: [localhost:9092, ${BROKER}]'])).toEqual([
      'config/sluice.yaml:3 transport.brokers[1]: YAML syntax error: ${BROKER} is not read as a variable inside { } or [ ], where "{" is YAML syntax: quote it: "${BROKER}"',
    ]);
  });

  it('gives one hint per reference and sums up the errors that follow from them', async () => {
    const lines = await problems(['a: {', '  url: ${A},', '  b: 1', '}', 'c: {url: ${C}}', 'd: 2']);
    expect(lines[0]).toBe('config/sluice.yaml:2 a.url: YAML syntax error: ${A} is not read as a variable inside { } or [ ], where "{" is YAML syntax: quote it: "${A}"');
    expect(lines[1]).toMatch(/^config\/sluice\.yaml:3 \.\.\. and \d+ more YAML syntax errors after this line, probably caused by the one at line 2: fix it first$/);
    // Past the first one the parser is lost: the reference is found, its path is not.
    expect(lines).toContain('config/sluice.yaml:5 YAML syntax error: ${C} is not read as a variable inside { } or [ ], where "{" is YAML syntax: quote it: "${C}"');
    expect(lines).toHaveLength(3);
  });

  it('interpolates a quoted reference inside a flow mapping', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sluice-yaml-'));
    tempDirs.push(root);
    const file = join(root, 'sluice.yaml');
    writeFileSync(file, [...PIPELINE.slice(0, 3), '    sink: { plugin: file, config: { path: "${OUT}" } }'].join('\n') + '\n');
    const config = await loadConfig(file, { env: { OUT: 'x.jsonl' }, catalog: testCatalog() });
    expect(config.pipelines[0]!.sink!.config).toMatchObject({ path: 'x.jsonl' });
  });
});
