// The built `sluice` CLI as a user runs it: validate (exit codes, file:line path messages) and
// plugins (docs generated from the config classes; docs/plugins.md must match them).
import { jest } from '@jest/globals';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const CLI = resolve('dist/apps/sluice/src/main.js');
// Each spawned CLI loads every plugin: seconds on a busy machine.
jest.setTimeout(120_000);
const sluice = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', env: { ...process.env, SLUICE_TOKEN: '' } });

describe('sluice CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-cli-'));
  beforeAll(() => {
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('validate: exit 0 and a summary for the default config', () => {
    const result = sluice('validate', 'config/sluice.yaml');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('vehicles: vehicle-simulator -> validate -> enrich -> sql (dead letters: file)');
  });

  it('validate: exit 2 and one file:line path message per problem', () => {
    const file = join(dir, 'broken.yaml');
    writeFileSync(
      file,
      [
        'http:',
        '  port: 99999',
        'pipelines:',
        '  - name: orders',
        '    source:',
        '      plugin: genrator',
        '    transforms:',
        '      - plugin: map',
        '        config:',
        '          expresion: "$"',
        '    sink:',
        '      plugin: sql',
        '      config:',
        '        table: 42',
        '        columns: [ { name: id, type: bigint } ]',
        '',
      ].join('\n'),
    );
    const result = sluice('validate', file);
    expect(result.status).toBe(2);
    const lines = result.stderr.trim().split('\n');
    const at = (n: number, path: string) => lines.find((l) => l.includes(`broken.yaml:${n} ${path}`));
    expect(at(2, 'http.port:')).toMatch(/must not be greater than 65535/);
    expect(at(6, 'pipelines[0].source.plugin:')).toContain('unknown source plugin "genrator" (did you mean "generator"?)');
    expect(at(10, 'pipelines[0].transforms[0].config.expresion:')).toContain('unknown field (did you mean "expression"?)');
    expect(at(14, 'pipelines[0].sink.config.table:')).toContain('must be a SQL identifier');
  });

  it('run: exits 1 when the host cannot start (its port is taken), after stopping what it started', async () => {
    const blocker = createServer();
    await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', done));
    const port = (blocker.address() as AddressInfo).port;
    const file = join(dir, 'port-taken.yaml');
    writeFileSync(
      file,
      [
        `http: { host: 127.0.0.1, port: ${port} }`,
        `dataDir: ${JSON.stringify(join(dir, 'port-taken-data'))}`,
        'log: { level: info, pretty: false }',
        'pipelines:',
        '  - name: ticks',
        '    source: { plugin: generator, config: { rate: 10, fields: { n: sequence } } }',
        `    sink: { plugin: file, config: { path: ${JSON.stringify(join(dir, 'ticks.jsonl'))} } }`,
        '',
      ].join('\n'),
    );
    try {
      const result = await new Promise<{ code: number | null; output: string }>((done) => {
        let output = '';
        const child = spawn(process.execPath, [CLI, 'run', file], { env: { ...process.env, SLUICE_TOKEN: '' } });
        child.stdout.on('data', (chunk) => (output += chunk));
        child.stderr.on('data', (chunk) => (output += chunk));
        const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
        child.on('exit', (code) => {
          clearTimeout(timer);
          done({ code, output });
        });
      });
      expect(result.code).toBe(1);
      expect(result.output).toContain('EADDRINUSE');
      expect(result.output).toContain('sluice failed to start');
      expect(result.output).toContain('all pipelines drained and stopped');
    } finally {
      blocker.close();
    }
  });

  it('run: without HTTP, keeps running after a finite source ended, until SIGTERM (then exit 0)', async () => {
    const file = join(dir, 'no-http.yaml');
    const out = join(dir, 'no-http.jsonl');
    writeFileSync(
      file,
      [
        'http: { enabled: false }',
        `dataDir: ${JSON.stringify(join(dir, 'no-http-data'))}`,
        'log: { level: info, pretty: false }',
        'pipelines:',
        '  - name: few',
        '    source: { plugin: generator, config: { count: 50, fields: { n: sequence } } }',
        `    sink: { plugin: file, config: { path: ${JSON.stringify(out)} } }`,
        '',
      ].join('\n'),
    );
    let output = '';
    const child = spawn(process.execPath, [CLI, 'run', file], { env: { ...process.env, SLUICE_TOKEN: '' } });
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    const deadline = Date.now() + 30_000;
    while (!output.includes('source input ended')) {
      if (Date.now() > deadline) throw new Error(`the source never ended:\n${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    // Before the fix, the process ended here by itself with exit code 13 (an unsettled top-level await).
    const early = await Promise.race([exited, new Promise((r) => setTimeout(() => r('still running'), 1500))]);
    expect(early).toBe('still running');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(50);
  });

  it('validate: exit 2 for a missing file', () => {
    const result = sluice('validate', join(dir, 'nope.yaml'));
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('nope.yaml');
  });

  it('plugins: lists every built-in with its documented config', () => {
    const result = sluice('plugins', '--json');
    expect(result.status).toBe(0);
    const plugins = JSON.parse(result.stdout) as Array<{ kind: string; name: string; config: Array<{ name: string; description: string }> }>;
    const names = plugins.map((p) => `${p.kind}:${p.name}`);
    for (const expected of ['source:generator', 'source:vehicle-simulator', 'source:file', 'transform:validate', 'transform:map', 'transform:filter', 'transform:dedupe', 'transform:enrich', 'sink:sql', 'sink:file']) {
      expect(names).toContain(expected);
    }
    for (const plugin of plugins) {
      for (const field of plugin.config) expect({ plugin: plugin.name, field: field.name, documented: field.description.length > 10 }).toEqual({ plugin: plugin.name, field: field.name, documented: true });
    }
  });

  it('docs/plugins.md is what `sluice plugins --markdown` generates (run `npm run docs:plugins`)', () => {
    const generated = execFileSync(process.execPath, [CLI, 'plugins', '--markdown'], { encoding: 'utf8' });
    expect(readFileSync('docs/plugins.md', 'utf8')).toBe(generated);
  });
});
