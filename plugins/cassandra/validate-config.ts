import { didYouMean, type ConfigIssue } from '@sluice/sdk';
import type { CassandraSinkConfig } from './cassandra.config.js';
import { CqlTypeError, formatCqlType, parseCqlType, type CqlType } from './cql-type.js';

/**
 * Checks across fields that decorators cannot express: CQL types against the grammar, unique column
 * names, primary key and time columns that exist and fit their role, replication settings that fit
 * the strategy, credentials given together. Messages never echo the password.
 */
export function validateCassandraConfig(config: CassandraSinkConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if ((config.username === undefined) !== (config.password === undefined)) {
    issues.push({ path: config.username === undefined ? 'username' : 'password', message: 'username and password go together: give both or neither' });
  }
  const creation = config.createKeyspace;
  if (creation) {
    const dataCenters = creation.dataCenters === undefined ? [] : Object.entries(creation.dataCenters);
    if (creation.strategy === 'SimpleStrategy') {
      if (creation.replicationFactor === undefined) issues.push({ path: 'createKeyspace.replicationFactor', message: 'required with SimpleStrategy' });
      if (creation.dataCenters !== undefined) issues.push({ path: 'createKeyspace.dataCenters', message: 'only applies to NetworkTopologyStrategy' });
    } else if (creation.replicationFactor === undefined && dataCenters.length === 0) {
      issues.push({ path: 'createKeyspace', message: 'NetworkTopologyStrategy needs dataCenters (copies per data centre) or replicationFactor (copies in every data centre)' });
    }
    for (const [name, factor] of dataCenters) {
      if (!/^[A-Za-z0-9_.-]{1,128}$/.test(name)) issues.push({ path: `createKeyspace.dataCenters.${name}`, message: 'a data centre name: letters, digits, ".", "-" or "_"' });
      if (!Number.isInteger(factor) || factor < 0 || factor > 100) issues.push({ path: `createKeyspace.dataCenters.${name}`, message: `must be an integer from 0 to 100, got ${JSON.stringify(factor)}` });
    }
  }

  const columns = config.columns ?? [];
  const types = new Map<string, CqlType>();
  const seen = new Map<string, number>();
  columns.forEach((column, index) => {
    // Quoted names are case-sensitive, but "Id" next to "id" is a trap for anyone using cqlsh.
    const folded = column.name?.toLowerCase();
    if (seen.has(folded)) issues.push({ path: `columns[${index}].name`, message: `"${column.name}" is declared twice (also columns[${seen.get(folded)}], names differing only in case are refused)` });
    else seen.set(folded, index);
    try {
      types.set(column.name, parseCqlType(column.type));
    } catch (error) {
      if (!(error instanceof CqlTypeError)) throw error;
      issues.push({ path: `columns[${index}].type`, message: error.message });
    }
  });

  const names = columns.map((c) => c.name);
  const unknown = (name: string) => {
    const suggestion = didYouMean(name, names);
    return `unknown column "${name}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; declared: ${names.join(', ')}`;
  };
  const keyColumn = (name: string, path: string, role: string) => {
    if (!names.includes(name)) return issues.push({ path, message: unknown(name) });
    const type = types.get(name);
    if (type && type.kind !== 'scalar' && !type.frozen) {
      issues.push({ path, message: `${role} column "${name}" is ${formatCqlType(type)}: a collection in the primary key must be frozen (frozen<${formatCqlType(type)}>)` });
    }
    return undefined;
  };
  const primary = new Map<string, string>();
  (config.partitionKey ?? []).forEach((name, index) => {
    const path = `partitionKey[${index}]`;
    if (primary.has(name)) issues.push({ path, message: `"${name}" is already part of the primary key (${primary.get(name)})` });
    primary.set(name, path);
    keyColumn(name, path, 'partition key');
  });
  (config.clusteringKey ?? []).forEach((key, index) => {
    const path = `clusteringKey[${index}].column`;
    if (primary.has(key.column)) issues.push({ path, message: `"${key.column}" is already part of the primary key (${primary.get(key.column)})` });
    primary.set(key.column, path);
    keyColumn(key.column, path, 'clustering');
  });
  if (config.timeColumn !== undefined) {
    const type = types.get(config.timeColumn);
    if (!names.includes(config.timeColumn)) issues.push({ path: 'timeColumn', message: unknown(config.timeColumn) });
    else if (type && !(type.kind === 'scalar' && type.name === 'timestamp')) {
      issues.push({ path: 'timeColumn', message: `must be a timestamp column, "${config.timeColumn}" is ${formatCqlType(type)}` });
    }
  }
  return issues;
}
