import { didYouMean, type ConfigIssue } from '@sluice/sdk';
import type { SqlSinkConfig } from './sql.config.js';

/**
 * Checks across fields that decorators cannot express: which fields each driver needs, unique
 * column names, key and time columns that exist and fit their role. Messages never echo the URL.
 */
export function validateSqlConfig(config: SqlSinkConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (config.driver === 'sqlite') {
    if (!config.database) issues.push({ path: 'database', message: 'required with driver sqlite (a file path relative to the config file, or ":memory:")' });
    if (config.url !== undefined) issues.push({ path: 'url', message: 'only applies to driver postgres' });
    if (config.schema !== undefined) issues.push({ path: 'schema', message: 'only applies to driver postgres' });
  } else {
    if (!config.url) issues.push({ path: 'url', message: 'required with driver postgres (postgres://user:password@host:port/database)' });
    else if (!isPostgresUrl(config.url)) issues.push({ path: 'url', message: 'must be a postgres:// or postgresql:// URL' });
    if (config.database !== undefined) issues.push({ path: 'database', message: 'only applies to driver sqlite (name the database in the url)' });
  }

  const columns = config.columns ?? [];
  const names = columns.map((c) => c.name);
  const seen = new Map<string, number>();
  columns.forEach((column, index) => {
    // SQLite treats identifiers case-insensitively, so "Id" and "id" would collide there.
    const folded = column.name?.toLowerCase();
    if (seen.has(folded)) issues.push({ path: `columns[${index}].name`, message: `"${column.name}" is declared twice (also columns[${seen.get(folded)}])` });
    else seen.set(folded, index);
    if (column.length !== undefined && column.type !== 'string') {
      issues.push({ path: `columns[${index}].length`, message: `only applies to string columns, this one is ${column.type}` });
    }
  });

  const byName = new Map(columns.map((c) => [c.name, c]));
  const unknown = (name: string) => {
    const suggestion = didYouMean(name, names);
    return `unknown column "${name}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; declared: ${names.join(', ')}`;
  };
  const key = config.key ?? [];
  if (config.mode === 'upsert' && key.length === 0) {
    issues.push({ path: 'key', message: 'required in upsert mode: the column(s) whose values identify a row (or use mode: insert)' });
  }
  key.forEach((name, index) => {
    const column = byName.get(name);
    if (!column) issues.push({ path: `key[${index}]`, message: unknown(name) });
    else if (column.type === 'json') issues.push({ path: `key[${index}]`, message: `json column "${name}" cannot be part of the key` });
    else if (column.nullable) issues.push({ path: `key[${index}]`, message: `key column "${name}" cannot be nullable` });
    if (key.indexOf(name) !== index) issues.push({ path: `key[${index}]`, message: `"${name}" is listed twice` });
  });
  if (config.timeColumn !== undefined) {
    const column = byName.get(config.timeColumn);
    if (!column) issues.push({ path: 'timeColumn', message: unknown(config.timeColumn) });
    else if (column.type !== 'timestamp') issues.push({ path: 'timeColumn', message: `must be a timestamp column, "${column.name}" is ${column.type}` });
  }
  return issues;
}

function isPostgresUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'postgres:' || parsed.protocol === 'postgresql:';
  } catch {
    return false;
  }
}
