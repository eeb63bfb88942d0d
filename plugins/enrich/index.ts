import { defineTransform } from '@sluice/sdk';
import { EnrichConfig } from './enrich.config.js';
import { EnrichTransform } from './enrich.transform.js';

export default defineTransform({
  name: 'enrich',
  capabilities: { stateless: true },
  version: '1.0.0',
  description: 'Adds ingestion metadata to object values: ingestion time, source label and the file or Kafka position.',
  config: EnrichConfig,
  create: (config) => new EnrichTransform(config),
  examples: [
    { title: 'Everything under _meta', config: {} },
    {
      title: 'Time and file position as top-level columns (meta_ingested_at, meta_file, meta_line)',
      config: { target: 'top-level', prefix: 'meta_', fields: ['ingested_at', 'file', 'line'], timeFormat: 'epochMs' },
    },
    { title: 'A fixed source label', config: { fields: ['ingested_at', 'source'], sourceLabel: 'erp-export' } },
  ],
});
