import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync as makeTempDir, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  fileSink,
  FileSinkConfig,
  generatorSource,
  renameTransform,
  sqlSink,
  SqlConfig,
  testCatalog,
  validateTransform,
} from '../../../../test/fixtures/config/test-plugins.js';
import { PluginCatalog } from '../plugins/plugin-catalog.js';
import { ConfigValidationError } from './config-issues.js';
import { loadConfig, loadConfigWithPlugins, type LoadConfigOptions } from './load-config.js';
import { redactConfig } from './redact-config.js';

const FIXTURES = fileURLToPath(new URL('../../../../test/fixtures', import.meta.url));

const tempDirs: string[] = [];
function mkdtempSync(prefix: string): string {
  const dir = makeTempDir(prefix);
  tempDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

/** Writes `lines` as <tmp>/config/sluice.yaml; returns the file and the tmp root. */
function writeConfig(lines: readonly string[], name = 'sluice.yaml'): { file: string; root: string } {
  const root = mkdtempSync(join(tmpdir(), 'sluice-config-'));
  mkdirSync(join(root, 'config'));
  const file = join(root, 'config', name);
  writeFileSync(file, lines.join('\n') + '\n');
  return { file, root };
}

async function load(lines: readonly string[], options: LoadConfigOptions = {}) {
  const { file } = writeConfig(lines);
  return loadConfig(file, { env: {}, catalog: testCatalog(), ...options });
}

async function failure(promise: Promise<unknown>): Promise<ConfigValidationError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigValidationError);
  return error as ConfigValidationError;
}

/** The formatted issue lines of a broken config, with the file shown as config/sluice.yaml. */
async function problems(lines: readonly string[], options: LoadConfigOptions = {}): Promise<string[]> {
  const { file, root } = writeConfig(lines);
  const error = await failure(loadConfig(file, { env: {}, catalog: testCatalog(), ...options }));
  return error.format(root).split('\n');
}

const MINIMAL = ['pipelines:', '  - name: demo', '    source: { plugin: generator }', '    sink: { plugin: file, config: { path: out.jsonl } }'];

describe('loadConfig: valid files', () => {
  it('resolves the minimal file with every default', async () => {
    const { file, root } = writeConfig(MINIMAL);
    const config = await loadConfig(file, { env: {}, catalog: testCatalog() });
    expect(config.file).toBe(file);
    expect(config.dir).toBe(join(root, 'config'));
    expect(config.dataDir).toBe(join(root, 'data'));
    expect(config.http).toEqual({ enabled: true, host: '127.0.0.1', port: 3000 });
    expect(config.transport).toEqual({ kind: 'embedded' });
    expect(config.log).toEqual({ level: 'info' });
    expect(config.plugins).toEqual([]);
    expect(config.pipelines).toHaveLength(1);
    const [pipeline] = config.pipelines;
    expect(pipeline!.name).toBe('demo');
    expect(pipeline!.transforms).toEqual([]);
    expect(pipeline!.batch).toEqual({ maxRecords: 500, maxBytes: 1_048_576, maxWaitMs: 50 });
    expect(pipeline!.retry).toEqual({ maxAttempts: 5, initialBackoffMs: 100, maxBackoffMs: 10_000, multiplier: 2, jitter: 0.2 });
    expect(pipeline!.restart).toEqual({ initialBackoffMs: 500, maxBackoffMs: 30_000 });
    expect(pipeline!.maxInFlight).toBe(10_000);
    expect(pipeline!.source).toMatchObject({ name: 'source', plugin: 'generator', path: 'pipelines[0].source', config: { rate: 10, field: 'n' } });
    expect(pipeline!.source.definition).toBe(generatorSource);
    expect(pipeline!.sink).toMatchObject({ name: 'sink', plugin: 'file', path: 'pipelines[0].sink', config: { path: 'out.jsonl', format: 'jsonl' } });
  });

  it('defaults the dead-letter destination to the file sink writing <dataDir>/dlq/<pipeline>.jsonl', async () => {
    const { file, root } = writeConfig(MINIMAL);
    const [pipeline] = (await loadConfig(file, { env: {}, catalog: testCatalog() })).pipelines;
    expect(pipeline!.deadLetter.name).toBe('deadLetter');
    expect(pipeline!.deadLetter.plugin).toBe('file');
    expect(pipeline!.deadLetter.definition).toBe(fileSink);
    expect(pipeline!.deadLetter.path).toBe('pipelines[0].deadLetter');
    expect(pipeline!.deadLetter.config).toBeInstanceOf(FileSinkConfig);
    expect(pipeline!.deadLetter.config).toEqual(Object.assign(new FileSinkConfig(), { path: join(root, 'data', 'dlq', 'demo.jsonl') }));
  });

  it('reads the complete fixture: explicit values, transforms in order, validated config instances', async () => {
    const file = join(FIXTURES, 'config', 'valid.yaml');
    const config = await loadConfig(file, { env: { TEST_TOKEN: 'tok-123', DB_PASSWORD: 'pw' }, catalog: testCatalog() });
    expect(config.dataDir).toBe(join(FIXTURES, 'config', 'state'));
    expect(config.http).toEqual({ enabled: true, host: '127.0.0.1', port: 8080, token: 'tok-123' });
    expect(config.transport).toEqual({ kind: 'kafka', brokers: ['localhost:9092', 'localhost:9093'], clientId: 'sluice', groupPrefix: 'sluice', partitions: 3, replicationFactor: 1, compression: 'none', security: { ssl: false, sslRejectUnauthorized: true }, consumer: expect.any(Object) });
    expect(config.log).toEqual({ level: 'debug', pretty: false });
    expect(config.pipelines.map((p) => p.name)).toEqual(['vehicles', 'audit_log']);
    const [vehicles, audit] = config.pipelines;
    expect(vehicles!.transforms.map((t) => [t.name, t.plugin, t.path, t.definition])).toEqual([
      ['transforms[0]', 'validate', 'pipelines[0].transforms[0]', validateTransform],
      ['transforms[1]', 'rename', 'pipelines[0].transforms[1]', renameTransform],
    ]);
    expect(vehicles!.transforms[0]!.config).toEqual({ expression: '(speed >= 0)', onInvalid: 'dead-letter' });
    const sink = vehicles!.sink!.config as SqlConfig;
    expect(sink).toBeInstanceOf(SqlConfig);
    expect(sink.password).toBe('pw');
    expect(sink.pool).toEqual({ size: 8, encryptionKey: 'pool-secret' });
    expect(sink.columns?.map((c) => c.name)).toEqual(['id', 'speed_kmh']);
    expect(vehicles!.batch).toEqual({ maxRecords: 100, maxBytes: 1_048_576, maxWaitMs: 50 });
    expect(vehicles!.retry.maxAttempts).toBe(3);
    expect(vehicles!.maxInFlight).toBe(2000);
    expect(audit!.deadLetter.definition).toBe(sqlSink);
    expect(audit!.deadLetter.config).toMatchObject({ table: 'dead_letters' });
  });

  it('resolves a relative dataDir against the config folder', async () => {
    const { file, root } = writeConfig(['dataDir: ../var/sluice', ...MINIMAL]);
    const config = await loadConfig(file, { env: {}, catalog: testCatalog() });
    expect(config.dataDir).toBe(join(root, 'var', 'sluice'));
    expect(config.pipelines[0]!.deadLetter.config).toMatchObject({ path: join(root, 'var', 'sluice', 'dlq', 'demo.jsonl') });
  });

  it('treats empty sections as their defaults', async () => {
    const config = await load(['http:', 'log:', 'plugins:', 'pipelines:', '  - name: demo', '    source: { plugin: generator, config: }', '    transforms:', '    retry:', '    sink: { plugin: file, config: { path: x } }']);
    expect(config.http.port).toBe(3000);
    expect(config.pipelines[0]!.transforms).toEqual([]);
    expect(config.pipelines[0]!.retry.maxAttempts).toBe(5);
    expect(config.pipelines[0]!.source.config).toEqual({ rate: 10, field: 'n' });
  });

  it('ignores top-level x- keys, a place for shared anchors', async () => {
    const config = await load([
      'x-sink: &sink { plugin: file, config: { path: shared.jsonl } }',
      'pipelines:',
      '  - name: a',
      '    source: { plugin: generator }',
      '    sink: *sink',
    ]);
    expect(config.pipelines[0]!.sink!.config).toMatchObject({ path: 'shared.jsonl' });
  });

  it('supports YAML anchors and merge keys', async () => {
    const merged = await load([
      'pipelines:',
      '  - name: a',
      '    source: { plugin: generator }',
      '    sink: &sink { plugin: file, config: { path: shared.jsonl } }',
      '    batch: &batch { maxRecords: 7 }',
      '  - name: b',
      '    source: { plugin: generator }',
      '    sink: *sink',
      '    batch: { <<: *batch, maxWaitMs: 5 }',
    ]);
    expect(merged.pipelines[1]!.sink!.config).toMatchObject({ path: 'shared.jsonl' });
    expect(merged.pipelines[1]!.batch).toEqual({ maxRecords: 7, maxBytes: 1_048_576, maxWaitMs: 5 });
  });

  it('returns the registry it resolved against', async () => {
    const catalog = testCatalog();
    const { file } = writeConfig(MINIMAL);
    const { registry, config } = await loadConfigWithPlugins(file, { env: {}, catalog });
    expect(registry).toBe(catalog);
    expect(config.pipelines).toHaveLength(1);
  });
});

describe('loadConfig: environment', () => {
  it('interpolates ${VAR} and ${VAR:-default}, re-reading a lone plain reference as a YAML scalar', async () => {
    const env = { HTTP_ON: 'false', HOST: '', DB_PORT: '5432', TABLE: '0042', RATE: '5' };
    const config = await load(
      [
        'http:',
        '  port: ${PORT:-3000}',
        '  enabled: ${HTTP_ON}',
        '  host: ${HOST:-0.0.0.0}',
        'pipelines:',
        '  - name: ${PIPELINE:-demo}',
        '    source:',
        '      plugin: generator',
        '      config:',
        '        rate: ${RATE}',
        '    sink:',
        '      plugin: sql',
        '      config:',
        '        url: postgres://${DB_HOST:-localhost}:${DB_PORT}/db',
        '        table: "${TABLE}"',
        '        password: $${literal} and $$ and $x',
      ],
      { env },
    );
    expect(config.http).toEqual({ enabled: false, host: '0.0.0.0', port: 3000 });
    expect(config.pipelines[0]!.name).toBe('demo');
    expect(config.pipelines[0]!.source.config).toMatchObject({ rate: 5 });
    expect(config.pipelines[0]!.sink!.config).toMatchObject({ url: 'postgres://localhost:5432/db', table: '0042', password: '${literal} and $$ and $x' });
  });

  it('keeps a quoted reference a string (so "${RATE}" is refused where a number is expected)', async () => {
    const lines = ['pipelines:', '  - name: demo', '    source: { plugin: generator, config: { rate: "${RATE}" } }', '    sink: { plugin: file, config: { path: x } }'];
    expect(await problems(lines, { env: { RATE: '5' } })).toEqual(['config/sluice.yaml:3 pipelines[0].source.config.rate: must be an integer number']);
  });

  it('reports every unset variable without a default at its line, naming the variable', async () => {
    expect(
      await problems([
        'http:',
        '  token: ${API_TOKEN}',
        'pipelines:',
        '  - name: demo',
        '    source: { plugin: generator }',
        '    sink:',
        '      plugin: sql',
        '      config:',
        '        url: postgres://${DB_USER}@${DB_HOST}/db',
        '        table: t',
      ]),
    ).toEqual([
      'config/sluice.yaml:2 http.token: environment variable API_TOKEN is not set (give a default with ${API_TOKEN:-default})',
      'config/sluice.yaml:9 pipelines[0].sink.config.url: environment variable DB_USER is not set (give a default with ${DB_USER:-default})',
      'config/sluice.yaml:9 pipelines[0].sink.config.url: environment variable DB_HOST is not set (give a default with ${DB_HOST:-default})',
    ]);
  });

  it('reports a malformed reference', async () => {
    const lines = await problems(['dataDir: ${data dir}', ...MINIMAL]);
    expect(lines).toEqual(['config/sluice.yaml:1 dataDir: invalid reference "${data dir}": write ${NAME} or ${NAME:-default}, or $${ for a literal "${"']);
  });

  it('never echoes interpolated values in messages', async () => {
    const secretEnv = { SINK: 'sekrit-sink-name', PASSWORD: 'hunter2', PORT: 'hunter3' };
    const { file, root } = writeConfig([
      'http: { port: "${PORT}" }',
      'pipelines:',
      '  - name: demo',
      '    source: { plugin: generator }',
      '    sink: { plugin: "${SINK}" }',
      '    deadLetter: { plugin: sql, config: { url: u, table: 7, password: "${PASSWORD}", extra: "${PASSWORD}" } }',
    ]);
    const error = await failure(loadConfig(file, { env: secretEnv, catalog: testCatalog() }));
    const text = `${error.message}\n${error.format(root)}`;
    for (const value of Object.values(secretEnv)) expect(text).not.toContain(value);
    expect(error.format(root).split('\n')).toEqual([
      'config/sluice.yaml:1 http.port: must be an integer number',
      'config/sluice.yaml:5 pipelines[0].sink.plugin: unknown sink plugin (its name comes from an environment variable) (installed sink plugins: file, sql)',
      'config/sluice.yaml:6 pipelines[0].deadLetter.config.table: must be a string',
      'config/sluice.yaml:6 pipelines[0].deadLetter.config.extra: unknown field',
    ]);
  });

  it('lets SLUICE_HTTP_PORT, SLUICE_HTTP_HOST and SLUICE_TOKEN win over the file', async () => {
    const config = await load(['http: { port: 1000, host: localhost, token: from-file }', ...MINIMAL], {
      env: { SLUICE_HTTP_PORT: '9090', SLUICE_HTTP_HOST: '0.0.0.0', SLUICE_TOKEN: 'from-env' },
    });
    expect(config.http).toEqual({ enabled: true, host: '0.0.0.0', port: 9090, token: 'from-env' });
  });

  it('ignores empty override variables', async () => {
    const config = await load(['http: { port: 1000, token: from-file }', ...MINIMAL], { env: { SLUICE_HTTP_PORT: '', SLUICE_TOKEN: '' } });
    expect(config.http).toEqual({ enabled: true, host: '127.0.0.1', port: 1000, token: 'from-file' });
  });

  it('reports a malformed SLUICE_HTTP_PORT without a line and without its value', async () => {
    expect(await problems(MINIMAL, { env: { SLUICE_HTTP_PORT: '80a80' } })).toEqual([
      'config/sluice.yaml: http.port: SLUICE_HTTP_PORT must be a whole number from 0 to 65535',
    ]);
  });

  it('lets KAFKA_BROKERS win over transport.brokers, and stand in for them', async () => {
    const env = { KAFKA_BROKERS: 'k1:9092, k2:9092' };
    const overridden = await load(['transport: { kind: kafka, brokers: [file:9092], clientId: me }', ...MINIMAL], { env });
    expect(overridden.transport).toEqual({ kind: 'kafka', brokers: ['k1:9092', 'k2:9092'], clientId: 'me', groupPrefix: 'sluice', partitions: 3, replicationFactor: 1, compression: 'none', security: { ssl: false, sslRejectUnauthorized: true }, consumer: expect.any(Object) });
    const supplied = await load(['transport: { kind: kafka }', ...MINIMAL], { env });
    expect(supplied.transport).toEqual({ kind: 'kafka', brokers: ['k1:9092', 'k2:9092'], clientId: 'sluice', groupPrefix: 'sluice', partitions: 3, replicationFactor: 1, compression: 'none', security: { ssl: false, sslRejectUnauthorized: true }, consumer: expect.any(Object) });
    const embedded = await load(MINIMAL, { env });
    expect(embedded.transport).toEqual({ kind: 'embedded' });
  });
});

describe('loadConfig: broken files', () => {
  it('reports every problem of the broken fixture at its line, in file order', async () => {
    const file = join(FIXTURES, 'config', 'broken.yaml');
    const error = await failure(loadConfig(file, { env: {}, catalog: testCatalog() }));
    expect(error.format(FIXTURES).split('\n')).toEqual([
      'config/broken.yaml:2 htpp: unknown field (did you mean "http"?)',
      'config/broken.yaml:4 transport.brokers: is required with kind kafka (or set KAFKA_BROKERS)',
      'config/broken.yaml:7 pipelines[0].name: must use only lower-case letters, digits, "_" and "-"',
      'config/broken.yaml:9 pipelines[0].source.plugin: unknown source plugin "genrator" (did you mean "generator"?)',
      'config/broken.yaml:10 pipelines[0].trasforms: unknown field (did you mean "transforms"?)',
      'config/broken.yaml:13 pipelines[0].transforms[0].config.to: must be a string',
      'config/broken.yaml:16 pipelines[0].transforms[1].config.expression: does not compile: unbalanced parentheses',
      'config/broken.yaml:21 pipelines[0].sink.config.table: must be a string',
      'config/broken.yaml:22 pipelines[0].sink.config.tabel: unknown field (did you mean "table"?)',
      'config/broken.yaml:23 pipelines[0].retry.maxAttempts: must not be less than 1',
      'config/broken.yaml:24 pipelines[1].name: must use only lower-case letters, digits, "_" and "-"',
      'config/broken.yaml:24 pipelines[1].name: duplicate pipeline name "Vehicles" (pipelines[0] has it too)',
      'config/broken.yaml:25 pipelines[1].source.config.rate: must be an integer number',
      'config/broken.yaml:26 pipelines[1].sink.plugin: unknown sink plugin "generator": "generator" is a source plugin',
    ]);
    expect(error.issues[0]).toEqual({ file, line: 2, column: 1, path: 'htpp', message: 'unknown field (did you mean "http"?)' });
    expect(error.message).toContain('invalid config (14 problems):');
  });

  it('reports a wrong type in a plugin config at the line of the field', async () => {
    expect(
      await problems([
        'pipelines:',
        '  - name: demo',
        '    source: { plugin: generator }',
        '    sink:',
        '      plugin: sql',
        '      config:',
        '        url: postgres://localhost/db',
        '        table: [a, b]',
      ]),
    ).toEqual(['config/sluice.yaml:8 pipelines[0].sink.config.table: must be a string']);
  });

  it('points a missing required plugin field at its parent object', async () => {
    expect(
      await problems([
        'pipelines:',
        '  - name: demo',
        '    source: { plugin: generator }',
        '    sink:',
        '      plugin: sql',
        '      config:',
        '        url: postgres://localhost/db',
      ]),
    ).toEqual(['config/sluice.yaml:6 pipelines[0].sink.config.table: must be a string']);
    expect(await problems(['pipelines:', '  - name: demo', '    source: { plugin: generator }', '    sink:', '      plugin: sql'])).toEqual([
      'config/sluice.yaml:4 pipelines[0].sink.config.url: must be a string',
      'config/sluice.yaml:4 pipelines[0].sink.config.table: must be a string',
    ]);
  });

  it('reports issues inside nested plugin config objects and lists', async () => {
    expect(
      await problems([
        'pipelines:',
        '  - name: demo',
        '    source: { plugin: generator }',
        '    sink:',
        '      plugin: sql',
        '      config:',
        '        url: u',
        '        table: t',
        '        pool: { size: 0 }',
        '        columns:',
        '          - { name: id, type: text }',
        '          - name: speed',
        '            type: float',
      ]),
    ).toEqual([
      'config/sluice.yaml:9 pipelines[0].sink.config.pool.size: must not be less than 1',
      'config/sluice.yaml:13 pipelines[0].sink.config.columns[1].type: must be one of the following values: text, integer, real, timestamp',
    ]);
  });

  it('reports unknown plugins per slot, with a suggestion or the installed names', async () => {
    expect(
      await problems([
        'pipelines:',
        '  - name: demo',
        '    source: { plugin: genrator }',
        '    transforms:',
        '      - plugin: rename',
        '        config: { from: a, to: b }',
        '      - plugin: jsonata',
        '    sink: { plugin: sqll }',
        '    deadLetter: { plugin: validate }',
      ]),
    ).toEqual([
      'config/sluice.yaml:3 pipelines[0].source.plugin: unknown source plugin "genrator" (did you mean "generator"?)',
      'config/sluice.yaml:7 pipelines[0].transforms[1].plugin: unknown transform plugin "jsonata" (installed transform plugins: rename, validate)',
      'config/sluice.yaml:8 pipelines[0].sink.plugin: unknown sink plugin "sqll" (did you mean "sql"?)',
      'config/sluice.yaml:9 pipelines[0].deadLetter.plugin: unknown sink plugin "validate": "validate" is a transform plugin',
    ]);
  });

  it('reports unknown fields with a suggestion at every level', async () => {
    expect(
      await problems([
        'http: { prot: 1 }',
        'logg: { level: info }',
        'pipelines:',
        '  - name: demo',
        '    source: { plugin: generator, confg: { rate: 1 } }',
        '    sink: { plugin: file, config: { path: x, formt: jsonl } }',
        '    batch: { maxRecord: 3 }',
      ]),
    ).toEqual([
      'config/sluice.yaml:1 http.prot: unknown field (did you mean "port"?)',
      'config/sluice.yaml:2 logg: unknown field (did you mean "log"?)',
      'config/sluice.yaml:5 pipelines[0].source.confg: unknown field (did you mean "config"?)',
      'config/sluice.yaml:6 pipelines[0].sink.config.formt: unknown field (did you mean "format"?)',
      'config/sluice.yaml:7 pipelines[0].batch.maxRecord: unknown field (did you mean "maxRecords"?)',
    ]);
  });

  it('reports duplicate pipeline names and bad names', async () => {
    expect(
      await problems([
        'pipelines:',
        '  - name: orders',
        '    source: { plugin: generator }',
        '    sink: { plugin: file, config: { path: a } }',
        '  - name: orders',
        '    source: { plugin: generator }',
        '    sink: { plugin: file, config: { path: b } }',
        '  - name: "my pipeline"',
        '    source: { plugin: generator }',
        '    sink: { plugin: file, config: { path: c } }',
        '  - source: { plugin: generator }',
        '    sink: { plugin: file, config: { path: d } }',
      ]),
    ).toEqual([
      'config/sluice.yaml:5 pipelines[1].name: duplicate pipeline name "orders" (pipelines[0] has it too)',
      'config/sluice.yaml:8 pipelines[2].name: must use only lower-case letters, digits, "_" and "-"',
      'config/sluice.yaml:11 pipelines[3].name: is required',
    ]);
  });

  it('reports missing stages, wrong shapes and an empty pipeline list', async () => {
    expect(await problems(['pipelines: []'])).toEqual(['config/sluice.yaml:1 pipelines: must not be empty (list at least one pipeline)']);
    expect(await problems(['http: { port: 3000 }'])).toEqual(['config/sluice.yaml:1 pipelines: is required (list at least one pipeline)']);
    expect(await problems(['pipelines:', '  - name: demo', '    transforms: { plugin: rename }', '    sink: file', '  - just-a-name'])).toEqual([
      'config/sluice.yaml:2 pipelines[0].source: is required',
      'config/sluice.yaml:3 pipelines[0].transforms: must be a list',
      'config/sluice.yaml:4 pipelines[0].sink: must be a mapping (key: value)',
      'config/sluice.yaml:5 pipelines[1]: must be a mapping (key: value)',
    ]);
  });

  it('reports values out of range in the policies, and backoffs that shrink', async () => {
    expect(
      await problems([
        'pipelines:',
        '  - name: demo',
        '    source: { plugin: generator }',
        '    sink: { plugin: file, config: { path: x } }',
        '    retry: { jitter: 1.5, multiplier: 0.5, initialBackoffMs: 2000, maxBackoffMs: 1000 }',
        '    restart:',
        '      maxBackoffMs: 10',
        '    maxInFlight: 0',
      ]),
    ).toEqual([
      'config/sluice.yaml:5 pipelines[0].retry.jitter: must not be greater than 1',
      'config/sluice.yaml:5 pipelines[0].retry.multiplier: must not be less than 1',
      'config/sluice.yaml:5 pipelines[0].retry.maxBackoffMs: must not be less than initialBackoffMs',
      'config/sluice.yaml:7 pipelines[0].restart.maxBackoffMs: must not be less than initialBackoffMs',
      'config/sluice.yaml:8 pipelines[0].maxInFlight: must not be less than 1',
    ]);
  });

  it('checks the transport', async () => {
    expect(await problems(['transport:', '  kind: kafka', '  brokers: []', ...MINIMAL])).toEqual(['config/sluice.yaml:3 transport.brokers: must list at least one broker (host:port)']);
    expect(await problems(['transport: { kind: rabbitmq }', ...MINIMAL])).toEqual(['config/sluice.yaml:1 transport.kind: must be one of the following values: embedded, kafka']);
    expect(await problems(['transport:', '  brokers: [a:1]', ...MINIMAL])).toEqual(['config/sluice.yaml:2 transport.brokers: only applies to kind: kafka']);
    expect(await problems(['transport: { kind: kafka, brokers: [a:1, 2] }', ...MINIMAL])).toEqual(['config/sluice.yaml:1 transport.brokers: item [1] must be a string']);
  });

  it('reports the http and log sections', async () => {
    expect(await problems(['http: { enabled: yes, port: 70000, host: "" }', 'log: { level: loud }', ...MINIMAL])).toEqual([
      'config/sluice.yaml:1 http.enabled: must be a boolean value',
      'config/sluice.yaml:1 http.port: must not be greater than 65535',
      'config/sluice.yaml:1 http.host: must not be empty',
      'config/sluice.yaml:2 log.level: must be one of the following values: trace, debug, info, warn, error, fatal, silent',
    ]);
  });

  it('reports YAML syntax errors with their line', async () => {
    const lines = await problems(['pipelines:', '  - name: demo', '    source: { plugin: generator', '    sink: { plugin: file }']);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines[0]).toMatch(/^config\/sluice\.yaml:[34] YAML syntax error: /);
    expect(await problems(['pipelines: []', 'pipelines: []'])).toEqual(['config/sluice.yaml:2 pipelines: YAML syntax error: duplicate key "pipelines" (first at line 1): keep only one']);
  });

  it('reports a file that is not a mapping, and a file that does not exist', async () => {
    expect(await problems(['- a', '- b'])).toEqual(['config/sluice.yaml:1 the config file must be a mapping (key: value) at the top level']);
    const error = await failure(loadConfig('/nonexistent/sluice.yaml', { env: {}, catalog: testCatalog() }));
    expect(error.format('/elsewhere')).toBe('/nonexistent/sluice.yaml: the config file does not exist');
    expect(error.format('/')).toBe('nonexistent/sluice.yaml: the config file does not exist');
  });

  it('reports a missing default dead-letter sink at the pipeline', async () => {
    expect(await problems(['pipelines:', '  - name: demo', '    source: { plugin: generator }', '    sink: { plugin: sql, config: { url: u, table: t } }'], { catalog: testCatalog({ withFile: false }) })).toEqual([
      'config/sluice.yaml:2 pipelines[0].deadLetter: no deadLetter is configured and the default dead-letter sink "file" is not installed: configure deadLetter with a sink plugin',
    ]);
  });

  it('reports a validate hook that throws as an issue of the stage config', async () => {
    const catalog = testCatalog();
    const throwing = { ...renameTransform, name: 'fragile', validate: () => { throw new Error('kaboom'); } };
    catalog.register(throwing, { kind: 'path', from: 'test' });
    expect(await problems(['pipelines:', '  - name: demo', '    source: { plugin: generator }', '    transforms:', '      - plugin: fragile', '        config: { from: a, to: b }', ...MINIMAL.slice(3)], { catalog })).toEqual([
      'config/sluice.yaml:6 pipelines[0].transforms[0].config: the transform plugin "fragile" failed to check its config: kaboom',
    ]);
  });
});

describe('loadConfig: named queries and grafana', () => {
  const TWO_PIPELINES = [
    'pipelines:',
    '  - name: vehicles',
    '    source: { plugin: generator }',
    '    sink: { plugin: file, config: { path: a.jsonl } }',
    '  - name: sales',
    '    source: { plugin: generator }',
    '    sink: { plugin: file, config: { path: b.jsonl } }',
  ];

  it('defaults to no queries and Grafana off under /grafana', async () => {
    const config = await load(MINIMAL);
    expect(config.queries).toEqual([]);
    expect(config.grafana).toEqual({ enabled: false, prefix: '/grafana', requireToken: true, datasets: true, cors: { origins: [] } });
    expect((await load([...MINIMAL, 'queries:', 'grafana:'])).grafana.enabled).toBe(false);
  });

  it('resolves time-series and table queries with their defaults, and the grafana section', async () => {
    const config = await load([
      ...TWO_PIPELINES,
      'queries:',
      '  - name: speed-by-status',
      '    description: Average speed per status',
      '    pipeline: vehicles',
      '    dataset: vehicle_events',
      '    kind: timeseries',
      '    aggregation: avg',
      '    value: speed',
      '    groupBy: status',
      '    filters: [{ column: status, op: "!=", value: finished }, { column: trip_id, op: "=", value: null }]',
      '    rangeMs: 3600000',
      '  - name: events',
      '    pipeline: vehicles',
      '    dataset: vehicle_events',
      '    kind: timeseries',
      '  - name: top-products',
      '    pipeline: sales',
      '    dataset: sales',
      '    kind: table',
      '    columns: [product_id]',
      '    aggregations: [{ column: revenue, fn: sum, as: revenue }, { fn: count, as: orders }]',
      '    orderBy: [{ column: revenue, direction: desc }, { column: product_id }]',
      '    filters: [{ column: quantity, op: in, value: [1, 2] }]',
      '    limit: 10',
      '    useTimeRange: false',
      'grafana:',
      '  enabled: true',
      '  prefix: /dash/grafana/',
      '  requireToken: false',
      '  datasets: false',
      '  cors: { origins: ["https://grafana.example.com", "http://localhost:3001"] }',
    ]);
    expect(config.queries).toEqual([
      {
        name: 'speed-by-status',
        description: 'Average speed per status',
        pipeline: 'vehicles',
        dataset: 'vehicle_events',
        kind: 'timeseries',
        aggregation: 'avg',
        value: 'speed',
        groupBy: 'status',
        filters: [
          { column: 'status', op: '!=', value: 'finished' },
          { column: 'trip_id', op: '=', value: null },
        ],
        rangeMs: 3_600_000,
        path: 'queries[0]',
      },
      { name: 'events', pipeline: 'vehicles', dataset: 'vehicle_events', kind: 'timeseries', aggregation: 'count', filters: [], rangeMs: 86_400_000, path: 'queries[1]' },
      {
        name: 'top-products',
        pipeline: 'sales',
        dataset: 'sales',
        kind: 'table',
        columns: ['product_id'],
        aggregations: [
          { column: 'revenue', fn: 'sum', as: 'revenue' },
          { fn: 'count', as: 'orders' },
        ],
        orderBy: [
          { column: 'revenue', direction: 'desc' },
          { column: 'product_id', direction: 'asc' },
        ],
        filters: [{ column: 'quantity', op: 'in', value: [1, 2] }],
        limit: 10,
        useTimeRange: false,
        rangeMs: 86_400_000,
        path: 'queries[2]',
      },
    ]);
    expect(config.grafana).toEqual({
      enabled: true,
      prefix: '/dash/grafana',
      requireToken: false,
      datasets: false,
      cors: { origins: ['https://grafana.example.com', 'http://localhost:3001'] },
    });
  });

  it('reports a query on an unknown pipeline with a suggestion, or the pipelines there are', async () => {
    expect(
      await problems([
        ...TWO_PIPELINES,
        'queries:',
        '  - { name: a, pipeline: vehicle, dataset: x, kind: table }',
        '  - { name: b, pipeline: orders, dataset: x, kind: table }',
      ]),
    ).toEqual([
      'config/sluice.yaml:9 queries[0].pipeline: unknown pipeline "vehicle" (did you mean "vehicles"?)',
      'config/sluice.yaml:10 queries[1].pipeline: unknown pipeline "orders" (pipelines: vehicles, sales)',
    ]);
  });

  it('does not echo a pipeline name that came from the environment', async () => {
    expect(await problems([...MINIMAL, 'queries:', '  - { name: a, pipeline: "${P}", dataset: x, kind: table }'], { env: { P: 'hidden-name' } })).toEqual([
      'config/sluice.yaml:6 queries[0].pipeline: unknown pipeline (its name comes from an environment variable) (pipelines: demo)',
    ]);
  });

  it('reports missing and malformed fields, fields of the other kind and duplicate names', async () => {
    expect(
      await problems([
        ...MINIMAL,
        'queries:',
        '  - { name: "bad name", pipeline: demo, dataset: d, kind: chart }',
        '  - { name: x, pipeline: demo, dataset: d }',
        '  - { name: x, pipeline: demo, dataset: d, kind: timeseries, aggregation: avg, columns: [a], limit: 3 }',
        '  - { name: y, pipeline: demo, dataset: d, kind: timeseries, value: speed, rangeMs: 0 }',
        '  - { name: z, pipeline: demo, dataset: d, kind: table, groupBy: a, aggregations: [{ fn: sum, as: s }, { fn: count, as: s }] }',
        '  - { name: f, pipeline: demo, dataset: d, kind: table, filters: [{ column: a, op: in, value: 1 }, { column: a, op: "<", value: [1] }, { column: a, op: ">", value: null }, { column: a, op: like, value: 1 }, { column: a, op: "=" }] }',
        '  - { name: o, pipeline: demo, dataset: d, kind: table, columns: [s], aggregations: [{ fn: count, as: s }], orderBy: [{ column: s, direction: up }], limit: -1 }',
        '  - { name: u, pipeline: demo, dataset: d, kind: table, colums: [a] }',
      ]),
    ).toEqual([
      'config/sluice.yaml:6 queries[0].name: must use only letters, digits, "_", "." and "-"',
      'config/sluice.yaml:6 queries[0].kind: must be one of the following values: timeseries, table',
      'config/sluice.yaml:7 queries[1].kind: is required',
      'config/sluice.yaml:8 queries[2].value: is required with aggregation "avg" (the column it aggregates)',
      'config/sluice.yaml:8 queries[2].name: duplicate query name "x" (queries[1] has it too)',
      'config/sluice.yaml:8 queries[2].columns: only applies to kind: table',
      'config/sluice.yaml:8 queries[2].limit: only applies to kind: table',
      'config/sluice.yaml:9 queries[3].value: does not apply to aggregation count, which counts rows',
      'config/sluice.yaml:9 queries[3].rangeMs: must not be less than 1',
      'config/sluice.yaml:10 queries[4].groupBy: only applies to kind: timeseries',
      'config/sluice.yaml:10 queries[4].aggregations[0].column: is required with fn "sum" (the column it aggregates)',
      'config/sluice.yaml:10 queries[4].aggregations[1].as: duplicate result column "s" (aggregations[0] has it too)',
      'config/sluice.yaml:11 queries[5].filters[0].value: must be a list with op "in"',
      'config/sluice.yaml:11 queries[5].filters[1].value: must be a single value with op "<" (use op "in" for a list)',
      'config/sluice.yaml:11 queries[5].filters[2].value: null can only be compared with "=" or "!=", not ">"',
      'config/sluice.yaml:11 queries[5].filters[3].op: must be one of the following values: =, !=, <, <=, >, >=, in',
      'config/sluice.yaml:11 queries[5].filters[4].value: is required (null matches missing values)',
      'config/sluice.yaml:12 queries[6].aggregations[0].as: "s" is also a grouped column: give the aggregation another name',
      'config/sluice.yaml:12 queries[6].orderBy[0].direction: must be one of the following values: asc, desc',
      'config/sluice.yaml:12 queries[6].limit: must not be less than 0',
      'config/sluice.yaml:13 queries[7].colums: unknown field (did you mean "columns"?)',
    ]);
  });

  it('resolves the weight of weighted averages, and reports it with another aggregation or kind', async () => {
    const config = await load([...MINIMAL, 'queries:', '  - { name: w, pipeline: demo, dataset: d, kind: timeseries, aggregation: avg, value: value_avg, weight: points }']);
    expect(config.queries).toEqual([
      { name: 'w', pipeline: 'demo', dataset: 'd', kind: 'timeseries', aggregation: 'avg', value: 'value_avg', weight: 'points', filters: [], rangeMs: 86_400_000, path: 'queries[0]' },
    ]);
    expect(
      await problems([
        ...MINIMAL,
        'queries:',
        '  - { name: a, pipeline: demo, dataset: d, kind: timeseries, aggregation: sum, value: v, weight: points }',
        '  - { name: b, pipeline: demo, dataset: d, kind: timeseries, weight: points }',
        '  - { name: c, pipeline: demo, dataset: d, kind: table, weight: points }',
        '  - { name: e, pipeline: demo, dataset: d, kind: timeseries, aggregation: avg, value: v, weight: "" }',
        '  - { name: f, pipeline: demo, dataset: d, kind: table, aggregations: [{ fn: avg, column: v, weight: n, as: w }, { fn: sum, column: v, weight: n, as: s }] }',
      ]),
    ).toEqual([
      'config/sluice.yaml:6 queries[0].weight: only applies to aggregation avg (a weighted average), not "sum"',
      'config/sluice.yaml:7 queries[1].weight: only applies to aggregation avg (a weighted average), not "count"',
      'config/sluice.yaml:8 queries[2].weight: only applies to kind: timeseries',
      'config/sluice.yaml:9 queries[3].weight: must not be empty',
      'config/sluice.yaml:10 queries[4].aggregations[1].weight: only applies to fn avg (a weighted average), not "sum"',
    ]);
    const table = await load([...MINIMAL, 'queries:', '  - { name: t, pipeline: demo, dataset: d, kind: table, aggregations: [{ fn: avg, column: v, weight: n, as: w }] }']);
    expect(table.queries[0]).toMatchObject({ kind: 'table', aggregations: [{ fn: 'avg', column: 'v', weight: 'n', as: 'w' }] });
  });

  it('reports a bad grafana prefix and bad CORS origins', async () => {
    expect(await problems([...MINIMAL, 'grafana: { prefix: grafana, cors: { origins: ["https://ok.example", "https://bad.example/", 7] } }'])).toEqual([
      'config/sluice.yaml:5 grafana.prefix: must be a URL path such as /grafana (starting with "/", letters, digits, ".", "_", "~", "-")',
      'config/sluice.yaml:5 grafana.cors.origins: item [1] must be "*" or an origin such as https://grafana.example.com (scheme, host and port only, no path or trailing "/")',
    ]);
    for (const reserved of ['/api', '/api/grafana', '/health', '/metrics/']) {
      expect(await problems([...MINIMAL, `grafana: { prefix: ${reserved} }`])).toEqual([
        'config/sluice.yaml:5 grafana.prefix: must not be /api, /health, /metrics or under them (the host serves those)',
      ]);
    }
    expect(await problems([...MINIMAL, 'grafana: { enabled: maybe, requireToken: 1, cors: { origins: "*" } }'])).toEqual([
      'config/sluice.yaml:5 grafana.enabled: must be a boolean value',
      'config/sluice.yaml:5 grafana.requireToken: must be a boolean value',
      'config/sluice.yaml:5 grafana.cors.origins: must be a list of origins',
    ]);
  });
});

describe('loadConfig: plugins named by the file', () => {
  const PLUGIN_FIXTURES = join(FIXTURES, 'plugins');

  it('discovers npm packages and local paths relative to the config file and resolves stages with them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-config-'));
    const file = join(dir, 'sluice.yaml');
    writeFileSync(
      file,
      [
        'plugins:',
        `  - ${join(PLUGIN_FIXTURES, 'multi')}`,
        `  - ${join(PLUGIN_FIXTURES, 'local', 'shout-transform.js')}`,
        'pipelines:',
        '  - name: demo',
        '    source: { plugin: counting }',
        '    transforms: [ { plugin: shout, config: { mode: lower } } ]',
        '    sink: { plugin: "null" }',
        '    deadLetter: { plugin: "null" }',
      ].join('\n'),
    );
    const { config, registry } = await loadConfigWithPlugins(file, { env: {}, builtinDir: false });
    expect(config.plugins).toEqual([join(PLUGIN_FIXTURES, 'multi'), join(PLUGIN_FIXTURES, 'local', 'shout-transform.js')]);
    expect(config.pipelines[0]!.transforms[0]!.config).toMatchObject({ field: 'text', mode: 'lower' });
    expect(registry.get('transform', 'shout')?.origin.kind).toBe('path');
  });

  it('resolves relative specifiers and package names from the config folder', async () => {
    const dir = mkdtempSync(join(PLUGIN_FIXTURES, '.tmp-'));
    try {
      const file = join(dir, 'sluice.yaml');
      writeFileSync(
        file,
        [
          'plugins: [ ../local/shout-transform.js, sluice-plugin-example ]',
          'pipelines:',
          '  - name: demo',
          '    source: { plugin: alpha }',
          '    transforms: [ { plugin: shout } ]',
          '    sink: { plugin: example-memory, config: { bucket: b } }',
          '    deadLetter: { plugin: beta }',
        ].join('\n'),
      );
      const config = await loadConfig(file, { env: {}, builtinDir: join(PLUGIN_FIXTURES, 'builtins') });
      expect(config.pipelines[0]!.sink!.config).toMatchObject({ bucket: 'b', capacity: 100 });
      expect(config.pipelines[0]!.source.definition.name).toBe('alpha');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports specifiers that do not resolve at their line, with the other issues', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sluice-config-'));
    const file = join(dir, 'sluice.yaml');
    writeFileSync(
      file,
      ['plugins:', '  - ./missing-plugin.js', '  - sluice-plugin-nowhere', 'pipelines:', '  - name: demo', '    source: { plugin: counting }', '    sink: { plugin: beta }'].join('\n'),
    );
    const error = await failure(loadConfig(file, { env: {}, builtinDir: join(PLUGIN_FIXTURES, 'builtins') }));
    expect(error.format(dir).split('\n')).toEqual([
      `sluice.yaml:2 plugins[0]: plugin path "./missing-plugin.js" does not exist (resolved from ${dir} to ${join(dir, 'missing-plugin.js')})`,
      `sluice.yaml:3 plugins[1]: cannot find plugin package "sluice-plugin-nowhere" from ${dir}: install it (npm install sluice-plugin-nowhere)`,
      'sluice.yaml:5 pipelines[0].deadLetter: no deadLetter is configured and the default dead-letter sink "file" is not installed: configure deadLetter with a sink plugin',
      'sluice.yaml:6 pipelines[0].source.plugin: unknown source plugin "counting" (installed source plugins: alpha)',
    ]);
  });

  it('throws the discovery error itself when a built-in is broken', async () => {
    const { PluginDiscoveryError } = await import('../plugins/plugin-discovery-error.js');
    const { file } = writeConfig(MINIMAL);
    // test/fixtures/plugins as a built-in folder: future-sdk/ and duplicate/ are broken built-ins there.
    await expect(loadConfig(file, { env: {}, builtinDir: PLUGIN_FIXTURES })).rejects.toBeInstanceOf(PluginDiscoveryError);
  });
});

describe('loadConfig against the real built-in plugins', () => {
  it('resolves stages against whatever built-ins exist, and names them in unknown-plugin messages', async () => {
    const builtins = await PluginCatalog.discover({ specifiers: [], baseDir: process.cwd() });
    const { file, root } = writeConfig(['pipelines:', '  - name: demo', '    source: { plugin: definitely-not-a-plugin }', '    sink: { plugin: definitely-not-a-plugin }']);
    const error = await failure(loadConfig(file, { env: {} }));
    const listing = (kind: 'source' | 'sink') => {
      const names = builtins.names(kind);
      return names.length ? `installed ${kind} plugins: ${names.join(', ')}` : `no ${kind} plugins are installed`;
    };
    const expected = [
      `config/sluice.yaml:3 pipelines[0].source.plugin: unknown source plugin "definitely-not-a-plugin" (${listing('source')})`,
      `config/sluice.yaml:4 pipelines[0].sink.plugin: unknown sink plugin "definitely-not-a-plugin" (${listing('sink')})`,
    ];
    if (!builtins.get('sink', 'file')) {
      expected.push('config/sluice.yaml:2 pipelines[0].deadLetter: no deadLetter is configured and the default dead-letter sink "file" is not installed: configure deadLetter with a sink plugin');
      expected.sort((a, b) => Number(a.split(':')[1]!.split(' ')[0]) - Number(b.split(':')[1]!.split(' ')[0]));
    }
    expect(error.format(root).split('\n')).toEqual(expected);
  });

  it('accepts a pipeline built from the examples of the built-ins (when a source and a sink with examples exist)', async () => {
    const builtins = await PluginCatalog.discover({ specifiers: [], baseDir: process.cwd() });
    const { validateConfig } = await import('@sluice/sdk');
    const dir = mkdtempSync(join(tmpdir(), 'sluice-config-'));
    const usable = (kind: 'source' | 'sink') =>
      builtins
        .all()
        .filter((p) => p.definition.kind === kind)
        .flatMap((p) => (p.definition.examples ?? []).map((example) => ({ name: p.definition.name, definition: p.definition, config: example.config })))
        .find(({ definition, config }) => {
          const { config: validated, issues } = validateConfig(definition.config, config);
          return issues.length === 0 && (definition.validate?.(validated as never, { configDir: dir }) ?? []).length === 0;
        });
    const source = usable('source');
    const sink = usable('sink');
    if (!source || !sink) {
      // Nothing to combine yet: at least every discovered built-in is on this SDK and resolvable by name.
      for (const plugin of builtins.all()) expect(builtins.get(plugin.definition.kind, plugin.definition.name)).toBe(plugin);
      return;
    }
    const file = join(dir, 'sluice.yaml');
    const pipeline = {
      pipelines: [
        {
          name: 'examples',
          source: { plugin: source.name, config: source.config },
          sink: { plugin: sink.name, config: sink.config },
          ...(builtins.get('sink', 'file') ? {} : { deadLetter: { plugin: sink.name, config: sink.config } }),
        },
      ],
    };
    writeFileSync(file, JSON.stringify(pipeline, null, 2));
    const config = await loadConfig(file, { env: {} });
    expect(config.pipelines[0]!.source.definition).toBe(source.definition);
    expect(config.pipelines[0]!.sink!.definition).toBe(sink.definition);
    expect(resolve(config.dataDir)).toBe(join(dir, '..', 'data'));
  });
});

describe('the kafka transport settings', () => {
  const kafkaConfig = (extra: readonly string[]) =>
    load(['transport:', '  kind: kafka', '  brokers: [127.0.0.1:9092]', ...extra, ...MINIMAL]);

  it('have documented defaults for the channel consumers', async () => {
    const config = await kafkaConfig([]);
    expect(config.transport).toMatchObject({
      kind: 'kafka',
      consumer: { maxBatchRecords: 500, maxBatchWaitMs: 20, maxInFlight: 5000, commitIntervalMs: 200, sessionTimeoutMs: 10_000, connectionTimeoutMs: 3000 },
    });
  });

  it('are set in the transport section, and checked with their line', async () => {
    const config = await kafkaConfig(['  maxBatchRecords: 2000', '  commitIntervalMs: 50']);
    expect(config.transport).toMatchObject({ consumer: { maxBatchRecords: 2000, commitIntervalMs: 50, maxInFlight: 5000 } });
    const error = await failure(kafkaConfig(['  sessionTimeoutMs: 10']));
    expect(error.message).toContain('sluice.yaml:4 transport.sessionTimeoutMs: must not be less than 1000');
  });

  it('connect with TLS and SASL as asked: the CA path resolved, the password never shown', async () => {
    const { file, root } = writeConfig(['transport:', '  kind: kafka', '  brokers: [127.0.0.1:9093]', '  ssl: true', '  sslCaFile: certs/ca.pem', '  sasl: { mechanism: scram-sha-512, username: sluice, password: "${KAFKA_PASSWORD}" }', ...MINIMAL]);
    const loaded = await loadConfig(file, { env: { KAFKA_PASSWORD: 'pa55' }, catalog: testCatalog() });
    expect(loaded.transport).toMatchObject({ security: { ssl: true, sslCaFile: join(root, 'config', 'certs', 'ca.pem'), sslRejectUnauthorized: true, sasl: { mechanism: 'scram-sha-512', username: 'sluice', password: 'pa55' } } });
    const view = JSON.stringify(redactConfig(loaded));
    expect(view).not.toContain('pa55');
    expect(view).toContain('"password":"<redacted>"');
    expect((await kafkaConfig([])).transport).toMatchObject({ security: { ssl: false, sslRejectUnauthorized: true } });
  });

  it('refuse TLS and SASL settings that cannot apply, with their line', async () => {
    const withoutSsl = await failure(kafkaConfig(['  sslCaFile: ca.pem']));
    expect(withoutSsl.message).toContain('sluice.yaml:4 transport.sslCaFile: only applies with ssl: true');
    const mechanism = await failure(kafkaConfig(['  sasl: { mechanism: gssapi, username: u, password: p }']));
    expect(mechanism.message).toContain('sluice.yaml:4 transport.sasl.mechanism: must be one of the following values: plain, scram-sha-256, scram-sha-512');
    const embedded = await failure(load(['transport: { kind: embedded, ssl: true }', ...MINIMAL]));
    expect(embedded.message).toContain('transport.ssl: only applies to kind: kafka');
  });

  it('compress the channel batches as asked (none by default), with a supported codec only', async () => {
    expect((await kafkaConfig([])).transport).toMatchObject({ compression: 'none' });
    expect((await kafkaConfig(['  compression: lz4'])).transport).toMatchObject({ compression: 'lz4' });
    const error = await failure(kafkaConfig(['  compression: zstd']));
    expect(error.message).toContain('sluice.yaml:4 transport.compression: must be one of the following values: none, gzip, snappy, lz4');
  });
});
