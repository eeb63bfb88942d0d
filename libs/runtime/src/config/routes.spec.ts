import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileSink, renameTransform, sqlSink, SqlConfig, testCatalog, validateTransform } from '../../../../test/fixtures/config/test-plugins.js';
import { ConfigValidationError } from './config-issues.js';
import { loadConfig } from './load-config.js';
import { REDACTED, redactConfig } from './redact-config.js';

const tempDirs: string[] = [];
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** Writes `lines` as <tmp>/config/sluice.yaml; returns the file and the tmp root. */
function writeConfig(lines: readonly string[]): { file: string; root: string } {
  const root = mkdtempSync(join(tmpdir(), 'sluice-routes-'));
  tempDirs.push(root);
  mkdirSync(join(root, 'config'));
  const file = join(root, 'config', 'sluice.yaml');
  writeFileSync(file, lines.join('\n') + '\n');
  return { file, root };
}

const load = (lines: readonly string[], env: Record<string, string> = {}) => loadConfig(writeConfig(lines).file, { env, catalog: testCatalog() });

/** The formatted issue lines of a broken config, with the file shown as config/sluice.yaml. */
async function problems(lines: readonly string[]): Promise<string[]> {
  const { file, root } = writeConfig(lines);
  const error = await loadConfig(file, { env: {}, catalog: testCatalog() }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigValidationError);
  return (error as ConfigValidationError).format(root).split('\n');
}

const HEAD = ['pipelines:', '  - name: fan', '    source: { plugin: generator }'];

/** A valid pipeline with two routes: one with a condition and transforms, one taking everything. */
const TWO_ROUTES = [
  ...HEAD,
  '    routes:',
  '      - name: fast',
  '        when: speed > 100',
  '        transforms:',
  '          - plugin: validate',
  '            config: { expression: "(speed >= 0)" }',
  '          - plugin: rename',
  '            config: { from: speed, to: kmh }',
  '        sink:',
  '          plugin: sql',
  '          config: { url: "postgres://db/x", table: fast, password: "${DB_PASSWORD}" }',
  '      - name: archive',
  '        sink: { plugin: file, config: { path: all.jsonl } }',
];

describe('routes: valid configs', () => {
  it('resolves each route with its condition, stages named routes.<name>.* and their config paths', async () => {
    const config = await load(TWO_ROUTES, { DB_PASSWORD: 'pw-1' });
    const [pipeline] = config.pipelines;
    expect(pipeline!.unrouted).toBe('deadLetter');
    expect(pipeline!.routes).toHaveLength(2);
    const [fast, archive] = pipeline!.routes!;
    expect(fast).toMatchObject({ name: 'fast', when: 'speed > 100', path: 'pipelines[0].routes[0]' });
    expect(fast!.transforms.map((t) => [t.name, t.plugin, t.path, t.definition])).toEqual([
      ['routes.fast.transforms[0]', 'validate', 'pipelines[0].routes[0].transforms[0]', validateTransform],
      ['routes.fast.transforms[1]', 'rename', 'pipelines[0].routes[0].transforms[1]', renameTransform],
    ]);
    expect(fast!.transforms[1]!.config).toEqual({ from: 'speed', to: 'kmh' });
    expect(fast!.sink).toMatchObject({ name: 'routes.fast.sink', plugin: 'sql', path: 'pipelines[0].routes[0].sink', definition: sqlSink });
    expect(fast!.sink.config).toBeInstanceOf(SqlConfig);
    expect(fast!.sink.config).toMatchObject({ table: 'fast', password: 'pw-1' });
    expect(archive).toEqual({
      name: 'archive',
      transforms: [],
      sink: expect.objectContaining({ name: 'routes.archive.sink', plugin: 'file', path: 'pipelines[0].routes[1].sink', definition: fileSink }),
      path: 'pipelines[0].routes[1]',
    });
    expect(archive).not.toHaveProperty('when');
  });

  it('keeps the routes as data: the pipeline has no sink stage', async () => {
    const config = await load(TWO_ROUTES, { DB_PASSWORD: 'pw' });
    const [pipeline] = config.pipelines;
    expect(pipeline).not.toHaveProperty('sink');
    expect(pipeline!.routes!.map((route) => route.name)).toEqual(['fast', 'archive']);
  });

  it('reads unrouted: drop', async () => {
    const config = await load([...HEAD, '    unrouted: drop', '    routes:', '      - name: all', '        sink: { plugin: file, config: { path: x } }']);
    expect(config.pipelines[0]!.unrouted).toBe('drop');
  });

  it('treats an empty transforms list of a route as none', async () => {
    const config = await load([...HEAD, '    routes:', '      - name: all', '        transforms:', '        sink: { plugin: file, config: { path: x } }']);
    expect(config.pipelines[0]!.routes![0]!.transforms).toEqual([]);
  });

  it('leaves routes and unrouted unset on a pipeline with one sink', async () => {
    const config = await load([...HEAD, '    sink: { plugin: file, config: { path: x } }']);
    expect(config.pipelines[0]).not.toHaveProperty('routes');
    expect(config.pipelines[0]).not.toHaveProperty('unrouted');
    expect(config.pipelines[0]!.sink!.plugin).toBe('file');
  });

});

describe('routes: broken configs', () => {
  it('refuses sink and routes together, at the routes line', async () => {
    expect(await problems([...HEAD, '    sink: { plugin: file, config: { path: x } }', '    routes:', '      - name: a', '        sink: { plugin: file, config: { path: y } }'])).toEqual([
      'config/sluice.yaml:5 pipelines[0].routes: set either sink (one sink) or routes (several), not both',
    ]);
  });

  it('requires a sink or routes', async () => {
    expect(await problems(HEAD)).toEqual(['config/sluice.yaml:2 pipelines[0].sink: is required (or routes, to write to several sinks)']);
  });

  it('requires at least one route', async () => {
    expect(await problems([...HEAD, '    routes: []'])).toEqual(['config/sluice.yaml:4 pipelines[0].routes: must list at least one route (or use sink)']);
  });

  it('refuses routes that are not a list, and an empty routes key', async () => {
    const notAList = await problems([...HEAD, '    routes: { name: a }']);
    expect(notAList[0]).toBe('config/sluice.yaml:4 pipelines[0].routes: must be a list');
    // `routes:` with nothing under it reads as an empty list.
    expect(await problems([...HEAD, '    routes:'])).toEqual(['config/sluice.yaml:4 pipelines[0].routes: must list at least one route (or use sink)']);
  });

  it('refuses channel: true on a stage inside a route, and on a source', async () => {
    expect(await problems([...HEAD, '    routes:', '      - name: a', '        sink: { plugin: file, channel: true, config: { path: x } }'])).toEqual([
      'config/sluice.yaml:6 pipelines[0].routes[0].sink.channel: the stages of a route run in-line inside the fan-out: a channel goes before the routes (set `channel: true` on nothing here; on Kafka the fan-out already has one)',
    ]);
    expect(await problems(['pipelines:', '  - name: p', '    source: { plugin: generator, channel: true }', '    sink: { plugin: file, config: { path: x } }'])).toEqual([
      'config/sluice.yaml:3 pipelines[0].source.channel: a source has no channel before it: set `channel: true` on the stage that should read from a channel',
    ]);
  });

  it('refuses an empty when', async () => {
    expect(await problems([...HEAD, '    routes:', '      - name: a', '        when: ""', '        sink: { plugin: file, config: { path: x } }'])).toEqual([
      'config/sluice.yaml:6 pipelines[0].routes[0].when: must not be empty',
    ]);
  });

  it('refuses an empty sink key without routes', async () => {
    const lines = await problems([...HEAD, '    sink:']);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^config\/sluice\.yaml:\d pipelines\[0\]\.sink: /);
  });

  it('refuses duplicate route names, naming the first', async () => {
    expect(
      await problems([
        ...HEAD,
        '    routes:',
        '      - name: a',
        '        sink: { plugin: file, config: { path: x } }',
        '      - name: b',
        '        sink: { plugin: file, config: { path: y } }',
        '      - name: a',
        '        sink: { plugin: file, config: { path: z } }',
      ]),
    ).toEqual(['config/sluice.yaml:9 pipelines[0].routes[2].name: duplicate route name "a" (routes[0] has it too)']);
  });

  it('refuses a route without a name or a sink, and a badly formed name', async () => {
    expect(
      await problems([...HEAD, '    routes:', '      - sink: { plugin: file, config: { path: x } }', '      - name: Bad Name', '        sink: { plugin: file, config: { path: y } }', '      - name: c']),
    ).toEqual([
      expect.stringMatching(/^config\/sluice\.yaml:5 pipelines\[0\]\.routes\[0\]\.name: /),
      'config/sluice.yaml:6 pipelines[0].routes[1].name: must use only lower-case letters, digits, "_" and "-"',
      expect.stringMatching(/^config\/sluice\.yaml:8 pipelines\[0\]\.routes\[2\]\.sink: /),
    ]);
  });

  it('reports a when that is not JSONata at its line', async () => {
    const lines = await problems([
      ...HEAD,
      '    routes:',
      '      - name: a',
      '        sink: { plugin: file, config: { path: x } }',
      '      - name: b',
      '        when: speed >',
      '        sink: { plugin: file, config: { path: y } }',
    ]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^config\/sluice\.yaml:8 pipelines\[0\]\.routes\[1\]\.when: is not a valid JSONata expression: /);
  });

  it('reports an unknown plugin of a route sink with a did-you-mean', async () => {
    expect(
      await problems([...HEAD, '    routes:', '      - name: a', '        sink: { plugin: file, config: { path: x } }', '      - name: b', '        sink:', '          plugin: sqll']),
    ).toEqual(['config/sluice.yaml:9 pipelines[0].routes[1].sink.plugin: unknown sink plugin "sqll" (did you mean "sql"?)']);
  });

  it('reports an unknown transform plugin of a route, and a source plugin used as a route sink', async () => {
    expect(
      await problems([
        ...HEAD,
        '    routes:',
        '      - name: a',
        '        transforms:',
        '          - plugin: renam',
        '        sink: { plugin: generator }',
      ]),
    ).toEqual([
      'config/sluice.yaml:7 pipelines[0].routes[0].transforms[0].plugin: unknown transform plugin "renam" (did you mean "rename"?)',
      'config/sluice.yaml:8 pipelines[0].routes[0].sink.plugin: unknown sink plugin "generator": "generator" is a source plugin',
    ]);
  });

  it('reports plugin config problems inside a route at the field', async () => {
    expect(
      await problems([
        ...HEAD,
        '    routes:',
        '      - name: a',
        '        transforms:',
        '          - plugin: validate',
        '            config: { expression: "(a" }',
        '        sink:',
        '          plugin: sql',
        '          config:',
        '            url: postgres://db/x',
        '            table: 42',
        '            tabel: t',
      ]),
    ).toEqual([
      'config/sluice.yaml:8 pipelines[0].routes[0].transforms[0].config.expression: does not compile: unbalanced parentheses',
      'config/sluice.yaml:13 pipelines[0].routes[0].sink.config.table: must be a string',
      'config/sluice.yaml:14 pipelines[0].routes[0].sink.config.tabel: unknown field (did you mean "table"?)',
    ]);
  });

  it('refuses unrouted without routes, and an unknown unrouted policy', async () => {
    expect(await problems([...HEAD, '    sink: { plugin: file, config: { path: x } }', '    unrouted: drop'])).toEqual([
      'config/sluice.yaml:5 pipelines[0].unrouted: only applies with routes',
    ]);
    const lines = await problems([...HEAD, '    unrouted: keep', '    routes:', '      - name: a', '        sink: { plugin: file, config: { path: x } }']);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^config\/sluice\.yaml:4 pipelines\[0\]\.unrouted: /);
  });

  it('reports an unknown field of a route with a did-you-mean', async () => {
    const lines = await problems([...HEAD, '    routes:', '      - name: a', '        wen: x > 1', '        sink: { plugin: file, config: { path: x } }']);
    expect(lines).toEqual(['config/sluice.yaml:6 pipelines[0].routes[0].wen: unknown field (did you mean "when"?)']);
  });
});

describe('routes: redactConfig', () => {
  it('shows each route with its condition and stages, secrets of route sinks redacted', async () => {
    const config = await load(TWO_ROUTES, { DB_PASSWORD: 'pw-secret-42' });
    const view = redactConfig(config);
    const json = JSON.stringify(view);
    expect(json).not.toContain('pw-secret-42');
    expect(JSON.parse(json)).toEqual(view);
    const [pipeline] = view.pipelines;
    expect(pipeline).not.toHaveProperty('sink');
    expect(pipeline!.unrouted).toBe('deadLetter');
    expect(pipeline!.routes).toEqual([
      {
        name: 'fast',
        when: 'speed > 100',
        transforms: [
          { name: 'routes.fast.transforms[0]', plugin: 'validate', kind: 'transform', version: '1.0.0', path: 'pipelines[0].routes[0].transforms[0]', config: { expression: '(speed >= 0)', onInvalid: 'dead-letter' } },
          { name: 'routes.fast.transforms[1]', plugin: 'rename', kind: 'transform', version: '1.0.0', path: 'pipelines[0].routes[0].transforms[1]', config: { from: 'speed', to: 'kmh' } },
        ],
        sink: {
          name: 'routes.fast.sink',
          plugin: 'sql',
          kind: 'sink',
          version: '3.1.0',
          path: 'pipelines[0].routes[0].sink',
          config: { url: 'postgres://db/x', table: 'fast', password: REDACTED, pool: { size: 4 } },
        },
      },
      {
        name: 'archive',
        when: null,
        transforms: [],
        sink: { name: 'routes.archive.sink', plugin: 'file', kind: 'sink', version: '1.0.0', path: 'pipelines[0].routes[1].sink', config: { path: 'all.jsonl', format: 'jsonl' } },
      },
    ]);
  });
});
