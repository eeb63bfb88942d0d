import { describeConfig, prepare, secretFieldNames, validateConfig } from '@sluice/sdk';
import sql, { SqlSinkConfig } from './index.js';
import { validateSqlConfig } from './validate-config.js';

const columns = [
  { name: 'id', type: 'string' },
  { name: 'at', type: 'timestamp' },
  { name: 'doc', type: 'json', nullable: true },
];

function issuesOf(raw: Record<string, unknown>) {
  const { config, issues } = validateConfig(SqlSinkConfig, raw);
  return [...issues, ...(issues.length === 0 ? validateSqlConfig(config) : [])];
}

describe('sql sink config', () => {
  it('accepts a complete SQLite config and fills the defaults', () => {
    const { config, issues } = validateConfig(SqlSinkConfig, { database: 'x.db', table: 't', columns, key: ['id'] });
    expect(issues).toEqual([]);
    expect(validateSqlConfig(config)).toEqual([]);
    expect(config.driver).toBe('sqlite');
    expect(config.mode).toBe('upsert');
    expect(config.createTable).toBe(true);
    expect(config.columns[0].nullable).toBe(false);
    expect(config.lockWaitMs).toBe(30_000);
  });

  it('takes lockWaitMs as a whole number of milliseconds, 0 included', () => {
    expect(issuesOf({ database: 'x.db', table: 't', columns, key: ['id'], lockWaitMs: 0 })).toEqual([]);
    expect(issuesOf({ database: 'x.db', table: 't', columns, key: ['id'], lockWaitMs: -1 }).map((i) => i.path)).toEqual(['lockWaitMs']);
    expect(issuesOf({ database: 'x.db', table: 't', columns, key: ['id'], lockWaitMs: 1.5 }).map((i) => i.path)).toEqual(['lockWaitMs']);
  });

  it('requires the connection field of the chosen driver and refuses the other one', () => {
    expect(issuesOf({ table: 't', columns, key: ['id'] })).toEqual([{ path: 'database', message: expect.stringContaining('required with driver sqlite') }]);
    expect(issuesOf({ driver: 'postgres', database: 'x.db', table: 't', columns, key: ['id'] }).map((i) => i.path)).toEqual(['url', 'database']);
    const bad = issuesOf({ driver: 'postgres', url: 'mysql://root:hunter2@h/db', table: 't', columns, key: ['id'] });
    expect(bad).toEqual([{ path: 'url', message: 'must be a postgres:// or postgresql:// URL' }]);
    expect(JSON.stringify(bad)).not.toContain('hunter2');
  });

  it('refuses identifiers that are not plain SQL names', () => {
    const issues = issuesOf({ database: 'x.db', table: 't; DROP TABLE x', columns: [{ name: 'a"b', type: 'text' }], mode: 'insert' });
    expect(issues.map((i) => i.path)).toEqual(['table', 'columns[0].name']);
  });

  it('checks key, time column, duplicate names and length against the declared columns', () => {
    const issues = issuesOf({
      database: 'x.db',
      table: 't',
      columns: [...columns, { name: 'ID', type: 'text', length: 5 }, { name: 'opt', type: 'text', nullable: true }],
      key: ['idd', 'doc', 'opt'],
      timeColumn: 'id',
    });
    expect(issues).toEqual([
      { path: 'columns[3].name', message: '"ID" is declared twice (also columns[0])' },
      { path: 'columns[3].length', message: 'only applies to string columns, this one is text' },
      { path: 'key[0]', message: 'unknown column "idd" (did you mean "id"?); declared: id, at, doc, ID, opt' },
      { path: 'key[1]', message: 'json column "doc" cannot be part of the key' },
      { path: 'key[2]', message: 'key column "opt" cannot be nullable' },
      { path: 'timeColumn', message: 'must be a timestamp column, "id" is string' },
    ]);
  });

  it('requires a key in upsert mode only', () => {
    expect(issuesOf({ database: 'x.db', table: 't', columns }).map((i) => i.path)).toEqual(['key']);
    expect(issuesOf({ database: 'x.db', table: 't', columns, mode: 'insert' })).toEqual([]);
  });

  it('reports unknown column types and fields', () => {
    const issues = issuesOf({ database: 'x.db', table: 't', columns: [{ name: 'a', type: 'varchar' }], key: ['a'], tabel: 'x' });
    expect(issues.map((i) => i.path).sort()).toEqual(['columns[0].type', 'tabel']);
  });

  it('documents every field, marks the url secret, and validates through the harness', () => {
    for (const field of describeConfig(SqlSinkConfig)) expect(field.description.length).toBeGreaterThan(20);
    expect(secretFieldNames(SqlSinkConfig)).toEqual(['url']);
    expect(() => prepare(sql, { database: 'x.db', table: 't', columns })).toThrow(/key: required in upsert mode/);
    for (const example of sql.examples ?? []) expect(issuesOf(example.config)).toEqual([]);
  });
});
