import { defineSink } from '@sluice/sdk';
import { SqlSinkConfig } from './sql.config.js';
import { SqlSink } from './sql-sink.js';
import { validateSqlConfig } from './validate-config.js';

export { SqlSinkConfig, SqlColumnConfig } from './sql.config.js';
export { SqlSink } from './sql-sink.js';

export default defineSink({
  name: 'sql',
  capabilities: { queryable: true },
  version: '1.0.0',
  description: 'Writes records as rows of a SQLite or PostgreSQL table (transactional batched upserts by key) and answers time-series and table queries over it.',
  config: SqlSinkConfig,
  validate: (config) => validateSqlConfig(config),
  create: (config, context) => new SqlSink(config, context),
  examples: [
    {
      title: 'Upsert orders into an embedded SQLite file',
      config: {
        driver: 'sqlite',
        database: 'data/orders.db',
        table: 'orders',
        columns: [
          { name: 'id', type: 'string', length: 64 },
          { name: 'customer', type: 'string', from: 'customer.name' },
          { name: 'amount', type: 'float' },
          { name: 'paid', type: 'boolean', nullable: true },
          { name: 'created_at', type: 'timestamp', from: 'createdAt' },
          { name: 'items', type: 'json', nullable: true },
        ],
        key: ['id'],
        timeColumn: 'created_at',
      },
    },
    {
      title: 'Append readings to PostgreSQL',
      config: {
        driver: 'postgres',
        url: 'postgres://sluice:secret@db.internal:5432/metrics',
        schema: 'telemetry',
        table: 'readings',
        mode: 'insert',
        columns: [
          { name: 'sensor', type: 'string' },
          { name: 'at', type: 'timestamp', from: 'time' },
          { name: 'celsius', type: 'float', from: 'values.temperature' },
        ],
        timeColumn: 'at',
      },
    },
  ],
});
