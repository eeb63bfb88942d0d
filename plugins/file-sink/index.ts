import { defineSink } from '@sluice/sdk';
import { FileSinkConfig } from './file-sink.config.js';
import { FileSink } from './file-sink.js';

export { FileSinkConfig } from './file-sink.config.js';
export { FileSink } from './file-sink.js';

export default defineSink({
  name: 'file',
  version: '1.0.0',
  description: 'Appends records to a file as JSON lines (the envelope or only the value), flushed to disk before each batch is acknowledged; the default dead-letter destination.',
  config: FileSinkConfig,
  create: (config, context) => new FileSink(config, context),
  examples: [
    { title: 'Keep whole records, durably (as the dead-letter destination does)', config: { path: 'dlq/orders.jsonl' } },
    { title: 'Export only the values, without fsync', config: { path: 'export/values.jsonl', format: 'value', fsync: false } },
  ],
});
