import { JsonataExpression, RECORD_VARIABLES } from '@sluice/sdk';
import { defineTransform } from '@sluice/sdk';
import { DedupeConfig } from './dedupe.config.js';
import { DedupeTransform } from './dedupe.transform.js';

export default defineTransform({
  name: 'dedupe',
  capabilities: { keyedState: true },
  version: '1.0.0',
  description: 'Drops records whose key (or a JSONata identity) was already seen within a bounded LRU / time window.',
  config: DedupeConfig,
  validate: (config) => JsonataExpression.issues('key', config.key, RECORD_VARIABLES),
  create: (config) => new DedupeTransform(config),
  examples: [
    { title: 'Drop repeated record keys among the last 100 000', config: {} },
    { title: 'Same order line within 10 minutes', config: { key: 'order_id & "/" & line', ttlMs: 600_000, maxKeys: 500_000 } },
    { title: 'Records without an event id are errors', config: { key: 'event.id', onMissingKey: 'deadLetter' } },
  ],
});
