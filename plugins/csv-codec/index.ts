import { defineCodec } from '@sluice/sdk';
import { CsvCodec } from './csv-codec.js';
import { CsvCodecConfig, validateCsvOptions } from './csv-codec.config.js';

export { CsvCodecConfig } from './csv-codec.config.js';

export default defineCodec<CsvCodecConfig>({
  name: 'csv',
  version: '1.0.0',
  description: 'CSV: a header row (or configured columns), then one object per row; quoted fields may hold delimiters, quotes and line breaks.',
  config: CsvCodecConfig,
  validate: validateCsvOptions,
  extensions: ['.csv'],
  create: (config) => new CsvCodec(config),
  examples: [
    { title: 'Semicolon-separated, numbers cast', config: { delimiter: ';', castNumbers: true } },
    { title: 'No header row', config: { header: false, columns: ['order_id', 'customer_id', 'amount'] } },
  ],
});
