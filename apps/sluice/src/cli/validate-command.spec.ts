import { afterAll, afterEach, describe, expect, it, jest } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '#runtime';
import { testCatalog } from '../../../../test/fixtures/config/test-plugins.js';
import { pipelineSummary, validateCommand } from './validate-command.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-validate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  jest.restoreAllMocks();
});

function writeConfig(name: string, lines: readonly string[]): string {
  const file = join(dir, name);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/** Runs `sluice validate file`; returns the exit code and what it printed. */
async function validate(file: string): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  });
  jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  });
  const code = await validateCommand(file);
  jest.restoreAllMocks();
  return { code, stdout, stderr };
}

describe('sluice validate: pipelines with routes', () => {
  it('summarises each route with its condition and stages', async () => {
    const file = writeConfig('summary.yaml', [
      'pipelines:',
      '  - name: one',
      '    source: { plugin: generator }',
      '    transforms: [ { plugin: rename, config: { from: a, to: b } } ]',
      '    sink: { plugin: file, config: { path: one.jsonl } }',
      '  - name: fan',
      '    source: { plugin: generator }',
      '    transforms: [ { plugin: rename, config: { from: a, to: b } } ]',
      '    routes:',
      '      - name: fast',
      '        when: speed > 100',
      '        transforms: [ { plugin: validate, config: { expression: "(speed > 0)" } } ]',
      '        sink: { plugin: sql, config: { url: "postgres://db/x", table: fast } }',
      '      - name: archive',
      '        sink: { plugin: file, config: { path: all.jsonl } }',
    ]);
    const config = await loadConfig(file, { env: {}, catalog: testCatalog() });
    expect(pipelineSummary(config).split('\n')).toEqual([
      '  one: generator -> rename -> file (dead letters: file)',
      '  fan: generator -> rename -> routes [fast when speed > 100: validate -> sql; archive: file] (dead letters: file)',
    ]);
  });

  it('exits 0 with the summary for a valid file using the built-in plugins', async () => {
    const file = writeConfig('valid.yaml', [
      'pipelines:',
      '  - name: orders',
      '    source: { plugin: generator, config: { count: 10 } }',
      '    routes:',
      '      - name: big',
      '        when: amount > 500',
      '        transforms: [ { plugin: map, config: { expression: "{ \\"id\\": id }" } } ]',
      '        sink: { plugin: file, config: { path: big.jsonl } }',
      '      - name: all',
      '        sink: { plugin: file, config: { path: all.jsonl } }',
      '    unrouted: drop',
    ]);
    const { code, stdout, stderr } = await validate(file);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toBe(`${file}: OK, 1 pipeline(s) on the embedded transport\n  orders: generator -> routes [big when amount > 500: map -> file; all: file] (dead letters: file)\n`);
  });

  it('exits 2 with a file:line path message per problem of the routes', async () => {
    const file = writeConfig('broken.yaml', [
      'pipelines:',
      '  - name: orders',
      '    source: { plugin: generator }',
      '    sink: { plugin: file, config: { path: one.jsonl } }',
      '    routes:',
      '      - name: a',
      '        when: amount >',
      '        sink: { plugin: fil, config: { path: a.jsonl } }',
      '      - name: a',
      '        sink: { plugin: file, config: { path: b.jsonl } }',
    ]);
    const { code, stderr } = await validate(file);
    expect(code).toBe(2);
    const lines = stderr.trim().split('\n');
    const at = (n: number, path: string) => lines.find((l) => l.includes(`broken.yaml:${n} ${path}`));
    expect(at(5, 'pipelines[0].routes:')).toContain('set either sink (one sink) or routes (several), not both');
    expect(at(7, 'pipelines[0].routes[0].when:')).toContain('is not a valid JSONata expression');
    expect(at(8, 'pipelines[0].routes[0].sink.plugin:')).toContain('unknown sink plugin "fil" (did you mean "file"?)');
    expect(at(9, 'pipelines[0].routes[1].name:')).toContain('duplicate route name "a" (routes[0] has it too)');
    expect(lines).toHaveLength(4);
  });
});

describe('sluice validate: the recipes', () => {
  it('summarises the pokemon-stream recipe: its routes and its job', async () => {
    const { code, stdout } = await validate('config/pipelines/pokemon-stream.yaml');
    expect(code).toBe(0);
    expect(stdout).toContain('pokemon-process: kafka -> validate -> map -> routes [raw: map -> cassandra; stats: aggregate -> cassandra; by-type: map -> cassandra]');
    expect(stdout).toContain('1 job(s):\n  top-pokemon-report: cron "0 0 * * * *" -> query top-pokemon');
  });

  it('summarises the users-stream recipe: its trigger job', async () => {
    const { code, stdout } = await validate('config/pipelines/users-stream.yaml');
    expect(code).toBe(0);
    expect(stdout).toContain('  fetch-users: every 3600000 ms and at start -> trigger users-ingest');
  });
});
