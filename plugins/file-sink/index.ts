import { defineSink, type ConfigIssue } from '@sluice/sdk';
import { FileSinkConfig, fileSinkOutput, LEGACY_FORMATS } from './file-sink.config.js';
import { FileSink } from './file-sink.js';

export { FileSinkConfig } from './file-sink.config.js';
export { FileSink } from './file-sink.js';

/** `write` conflicts with the older `format: envelope | value`, which already says what is written. */
function validate(config: FileSinkConfig): ConfigIssue[] {
  if (config.write !== undefined && LEGACY_FORMATS.includes(config.format)) {
    return [{ path: 'write', message: `format: ${config.format} already writes the ${config.format === 'value' ? 'value' : 'envelope'}; use format: jsonl with write: ${config.write}` }];
  }
  return [];
}

export default defineSink<FileSinkConfig>({
  name: 'file',
  version: '1.0.0',
  description: 'Appends records (the envelope or only the value) to a file through a codec, JSON lines by default or CSV, flushed to disk before each batch is acknowledged; the default dead-letter destination.',
  config: FileSinkConfig,
  validate,
  codecsUsed: (config) => [{ path: 'format', name: fileSinkOutput(config).codec, optionsPath: config.codec === undefined ? undefined : 'codec', options: config.codec, appending: true }],
  create: (config, context) => new FileSink(config, context),
  examples: [
    { title: 'Keep whole records, durably (as the dead-letter destination does)', config: { path: 'dlq/orders.jsonl' } },
    { title: 'Export only the values, without fsync', config: { path: 'export/values.jsonl', write: 'value', fsync: false } },
    { title: 'Export the values as semicolon-separated CSV', config: { path: 'export/orders.csv', format: 'csv', codec: { delimiter: ';' } } },
  ],
});
