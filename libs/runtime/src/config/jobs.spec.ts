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

/** Writes `lines` as <tmp>/config/sluice.yaml; returns the file and the tmp root. */
function writeConfig(lines: readonly string[]): { file: string; root: string } {
  const root = mkdtempSync(join(tmpdir(), 'sluice-jobs-'));
  tempDirs.push(root);
  mkdirSync(join(root, 'config'));
  const file = join(root, 'config', 'sluice.yaml');
  writeFileSync(file, lines.join('\n') + '\n');
  return { file, root };
}

/** The formatted issue lines of a broken config, with the file shown as config/sluice.yaml. */
async function problems(lines: readonly string[], env: Record<string, string> = {}): Promise<string[]> {
  const { file, root } = writeConfig(lines);
  const error = await loadConfig(file, { env, catalog: testCatalog() }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigValidationError);
  return (error as ConfigValidationError).format(root).split('\n');
}

// Lines 1-9: two pipelines and a named query; jobs start at line 10.
const BASE = [
  'pipelines:',
  '  - name: vehicles',
  '    source: { plugin: generator }',
  '    sink: { plugin: sql, config: { url: "sqlite::memory:", table: events } }',
  '  - name: sales',
  '    source: { plugin: generator }',
  '    sink: { plugin: file, config: { path: out.jsonl } }',
  'queries:',
  '  - { name: events-per-vehicle, pipeline: vehicles, dataset: events, kind: table }',
  'jobs:',
];

describe('loadConfig: jobs', () => {
  it('has no jobs unless the file lists some (an empty jobs: too)', async () => {
    const { file } = writeConfig(BASE.slice(0, -1));
    expect((await loadConfig(file, { env: {}, catalog: testCatalog() })).jobs).toEqual([]);
    const { file: empty } = writeConfig(BASE);
    expect((await loadConfig(empty, { env: {}, catalog: testCatalog() })).jobs).toEqual([]);
  });

  it('resolves the three kinds with their defaults; a relative file resolves against the config folder', async () => {
    const { file, root } = writeConfig([
      ...BASE,
      '  - name: poll-now',
      '    intervalMs: 60000',
      '    trigger: { pipeline: vehicles }',
      '  - name: nightly.export_1',
      '    description: Exports the events per vehicle',
      '    cron: "0 2 * * *"',
      '    timeZone: Europe/Paris',
      '    runOnStart: true',
      '    timeoutMs: 5000',
      '    query:',
      '      name: events-per-vehicle',
      '      to:',
      '        file: ../exports/events.json',
      '        url: https://hooks.example.com/sluice?token=${HOOK_TOKEN}',
      '        headers: { X-Api-Key: "${HOOK_TOKEN}" }',
      '        log: true',
      '  - name: compact',
      '    cron: "*/30 * * * * *"',
      '    action: { pipeline: vehicles, stage: sink, name: compact, args: { olderThanDays: 30, tables: [a, b] } }',
    ]);
    const config = await loadConfig(file, { env: { HOOK_TOKEN: 's3cret' }, catalog: testCatalog() });
    expect(config.jobs).toEqual([
      { name: 'poll-now', schedule: { kind: 'interval', intervalMs: 60_000 }, runOnStart: false, timeoutMs: 300_000, task: { kind: 'trigger', pipeline: 'vehicles' }, path: 'jobs[0]' },
      {
        name: 'nightly.export_1',
        description: 'Exports the events per vehicle',
        schedule: { kind: 'cron', expression: '0 2 * * *', timeZone: 'Europe/Paris' },
        runOnStart: true,
        timeoutMs: 5000,
        task: {
          kind: 'query',
          query: 'events-per-vehicle',
          to: { file: join(root, 'exports', 'events.json'), url: 'https://hooks.example.com/sluice?token=s3cret', headers: { 'X-Api-Key': 's3cret' }, log: true },
        },
        path: 'jobs[1]',
      },
      {
        name: 'compact',
        schedule: { kind: 'cron', expression: '*/30 * * * * *' },
        runOnStart: false,
        timeoutMs: 300_000,
        task: { kind: 'action', pipeline: 'vehicles', stage: 'sink', action: 'compact', args: { olderThanDays: 30, tables: ['a', 'b'] } },
        path: 'jobs[2]',
      },
    ]);
  });

  it('accepts a query job that only logs, and an action without args', async () => {
    const { file } = writeConfig([
      ...BASE,
      '  - { name: a, intervalMs: 1000, query: { name: events-per-vehicle, to: { log: true } } }',
      '  - { name: b, intervalMs: 1000, action: { pipeline: sales, stage: source, name: rewind } }',
    ]);
    const config = await loadConfig(file, { env: {}, catalog: testCatalog() });
    expect(config.jobs.map((j) => j.task)).toEqual([
      { kind: 'query', query: 'events-per-vehicle', to: { headers: {}, log: true } },
      { kind: 'action', pipeline: 'sales', stage: 'source', action: 'rewind', args: {} },
    ]);
  });

  it('reports schedule mistakes at their line: none, two, a bad cron expression or time zone', async () => {
    expect(
      await problems([
        ...BASE,
        '  - name: none',
        '    trigger: { pipeline: vehicles }',
        '  - name: both',
        '    cron: "* * * * *"',
        '    intervalMs: 1000',
        '    trigger: { pipeline: vehicles }',
        '  - name: bad-cron',
        '    cron: "61 * * * *"',
        '    trigger: { pipeline: vehicles }',
        '  - name: bad-zone',
        '    cron: "0 2 * * *"',
        '    timeZone: Mars/Olympus',
        '    trigger: { pipeline: vehicles }',
        '  - name: zone-alone',
        '    intervalMs: 1000',
        '    timeZone: UTC',
        '    trigger: { pipeline: vehicles }',
        '  - { name: zero, intervalMs: 0, timeoutMs: 1.5, trigger: { pipeline: vehicles } }',
      ]),
    ).toEqual([
      'config/sluice.yaml:11 jobs[0]: no schedule: set one of cron (e.g. "0 2 * * *") or intervalMs (e.g. 60000)',
      'config/sluice.yaml:15 jobs[1].intervalMs: only one schedule may be set, found cron and intervalMs',
      expect.stringMatching(/^config\/sluice\.yaml:18 jobs\[2\]\.cron: "61 \* \* \* \*" is not a valid cron expression: .+ \(five fields/),
      expect.stringMatching(/^config\/sluice\.yaml:22 jobs\[3\]\.timeZone: "Mars\/Olympus" is not a time zone the cron schedule knows .*use an IANA name/),
      'config/sluice.yaml:26 jobs[4].timeZone: only applies to a cron schedule',
      'config/sluice.yaml:28 jobs[5].intervalMs: must not be less than 1',
      'config/sluice.yaml:28 jobs[5].timeoutMs: must be an integer number',
    ]);
  });

  it('reports kind mistakes: none, two, unknown pipelines and queries with a suggestion', async () => {
    expect(
      await problems([
        ...BASE,
        '  - { name: idle, intervalMs: 1000 }',
        '  - { name: greedy, intervalMs: 1000, trigger: { pipeline: vehicles }, action: { pipeline: vehicles, stage: sink, name: x } }',
        '  - { name: t, intervalMs: 1000, trigger: { pipeline: vehicle } }',
        '  - { name: a, intervalMs: 1000, action: { pipeline: orders, stage: sink, name: compact } }',
        '  - { name: q, intervalMs: 1000, query: { name: events-per-vehicel, to: { log: true } } }',
        '  - { name: q2, intervalMs: 1000, query: { name: nothing-like-it, to: { log: true } } }',
        '  - { name: e, intervalMs: 1000, trigger: { pipeline: "${P}" } }',
      ], { P: 'secret-name' }),
    ).toEqual([
      'config/sluice.yaml:11 jobs[0]: nothing to do: set one of trigger (start a source), query (run a named query) or action (run a plugin action)',
      'config/sluice.yaml:12 jobs[1].action: only one of trigger, query and action may be set, found trigger and action',
      'config/sluice.yaml:13 jobs[2].trigger.pipeline: unknown pipeline "vehicle" (did you mean "vehicles"?)',
      'config/sluice.yaml:14 jobs[3].action.pipeline: unknown pipeline "orders" (pipelines: vehicles, sales)',
      'config/sluice.yaml:15 jobs[4].query.name: unknown query "events-per-vehicel" (did you mean "events-per-vehicle"?)',
      'config/sluice.yaml:16 jobs[5].query.name: unknown query "nothing-like-it" (queries: events-per-vehicle)',
      'config/sluice.yaml:17 jobs[6].trigger.pipeline: unknown pipeline (its name comes from an environment variable) (pipelines: vehicles, sales)',
    ]);
  });

  it('reports a query result that goes nowhere, a bad URL and bad headers, without quoting them', async () => {
    const lines = await problems(
      [
        ...BASE,
        '  - name: nowhere',
        '    intervalMs: 1000',
        '    query: { name: events-per-vehicle, to: {} }',
        '  - name: bad-url',
        '    intervalMs: 1000',
        '    query:',
        '      name: events-per-vehicle',
        '      to:',
        '        url: ftp://files.example.com/x?token=${T}',
        '        headers: { "Bad Name": x, X-Token: "${T}" }',
        '  - name: headers-alone',
        '    intervalMs: 1000',
        '    query: { name: events-per-vehicle, to: { file: out/, headers: { X-A: "1" } } }',
      ],
      { T: 'sk_live_42\nX-Evil: 1' },
    );
    expect(lines).toEqual([
      'config/sluice.yaml:13 jobs[0].query.to: the result goes nowhere: set at least one of file, url or log: true',
      'config/sluice.yaml:19 jobs[1].query.to.url: must be an absolute http or https URL, e.g. https://hooks.example.com/sluice',
      'config/sluice.yaml:20 jobs[1].query.to.headers.Bad Name: "Bad Name" is not a valid header name (letters, digits and !#$%&\'*+.^_`|~-)',
      'config/sluice.yaml:20 jobs[1].query.to.headers.X-Token: must not hold a line break or NUL',
      'config/sluice.yaml:23 jobs[2].query.to.file: must name a file, not a folder',
      'config/sluice.yaml:23 jobs[2].query.to.headers: only applies with url (the headers of the POST)',
    ]);
    expect(lines.join('\n')).not.toContain('sk_live_42');
  });

  it('reports duplicate and malformed names, missing fields and unknown fields with a suggestion', async () => {
    expect(
      await problems([
        ...BASE,
        '  - { name: same, intervalMs: 1000, trigger: { pipeline: vehicles } }',
        '  - { name: same, intervalMs: 1000, trigger: { pipeline: vehicles } }',
        '  - { name: "has space", intervalMs: 1000, trigger: { pipeline: vehicles } }',
        '  - { name: x, intervalMs: 1000, runOnStrat: true, trigger: { pipeline: vehicles } }',
        '  - { name: y, intervalMs: 1000, action: { pipeline: vehicles, name: compact, args: [1] } }',
        '  - { name: z, intervalMs: 1000, query: { name: events-per-vehicle } }',
        '  - just a string',
      ]),
    ).toEqual([
      'config/sluice.yaml:12 jobs[1].name: duplicate job name "same" (jobs[0] has it too)',
      'config/sluice.yaml:13 jobs[2].name: must use only letters, digits, "_", "." and "-"',
      'config/sluice.yaml:14 jobs[3].runOnStrat: unknown field (did you mean "runOnStart"?)',
      'config/sluice.yaml:15 jobs[4].action.stage: is required',
      'config/sluice.yaml:15 jobs[4].action.args: must be a mapping (key: value)',
      'config/sluice.yaml:16 jobs[5].query.to: is required',
      'config/sluice.yaml:17 jobs[6]: must be a mapping (key: value)',
    ]);
  });

  it('reports a cron expression that never fires (no such date), which the cron package accepts', async () => {
    expect(
      await problems([
        ...BASE,
        '  - { name: feb-30, cron: "0 0 30 2 *", trigger: { pipeline: vehicles } }',
        '  - { name: apr-31, cron: "0 0 31 4 *", timeZone: Europe/Paris, trigger: { pipeline: vehicles } }',
        '  - { name: leap-day, cron: "0 0 29 2 *", trigger: { pipeline: vehicles } }',
      ]),
    ).toEqual([
      'config/sluice.yaml:11 jobs[0].cron: "0 0 30 2 *" never fires: no date matches it (e.g. day 31 of a 30-day month, or February 30)',
      'config/sluice.yaml:12 jobs[1].cron: "0 0 31 4 *" never fires: no date matches it (e.g. day 31 of a 30-day month, or February 30)',
    ]);
  });

  it('takes a field left empty (YAML null) as not set: `cron:` beside intervalMs, `file:` and `url:` of a query result', async () => {
    const { file } = writeConfig([
      ...BASE,
      '  - name: every-second',
      '    cron:',
      '    timeZone:',
      '    intervalMs: 1000',
      '    trigger: { pipeline: vehicles }',
      '  - name: log-only',
      '    intervalMs: 1000',
      '    query: { name: events-per-vehicle, to: { file: , url: , log: true } }',
    ]);
    const config = await loadConfig(file, { env: {}, catalog: testCatalog() });
    expect(config.jobs[0]!.schedule).toEqual({ kind: 'interval', intervalMs: 1000 });
    expect(config.jobs[1]!.task).toEqual({ kind: 'query', query: 'events-per-vehicle', to: { headers: {}, log: true } });
    expect(
      await problems([...BASE, '  - { name: nowhere, intervalMs: 1000, query: { name: events-per-vehicle, to: { file: , url: } } }']),
    ).toEqual(['config/sluice.yaml:11 jobs[0].query.to: the result goes nowhere: set at least one of file, url or log: true']);
  });

  it('reports a URL holding a user name or password (fetch refuses it) without quoting it', async () => {
    const lines = await problems(
      [...BASE, '  - { name: creds, intervalMs: 1000, query: { name: events-per-vehicle, to: { url: "https://bot:${T}@hooks.example.com/x" } } }'],
      { T: 'sk_live_42' },
    );
    expect(lines).toEqual([
      'config/sluice.yaml:11 jobs[0].query.to.url: must not hold a user name or password (user:password@); send credentials in headers, e.g. Authorization',
    ]);
    expect(lines.join('\n')).not.toContain('sk_live_42');
  });

  it('reports a jobs section that is no list', async () => {
    expect(await problems([...BASE.slice(0, -1), 'jobs: { name: x }'])).toEqual(['config/sluice.yaml:10 jobs: must be a list']);
  });
});
