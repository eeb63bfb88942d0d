import { JsonataExpression, RECORD_VARIABLES } from '@sluice/sdk';
import { defineTransform } from '@sluice/sdk';
import { FilterConfig } from './filter.config.js';
import { FilterTransform } from './filter.transform.js';

export default defineTransform({
  name: 'filter',
  capabilities: { stateless: true },
  version: '1.0.0',
  description: 'Keeps the records for which a JSONata condition is true and drops the others.',
  config: FilterConfig,
  validate: (config) => JsonataExpression.issues('condition', config.condition, RECORD_VARIABLES),
  create: (config) => new FilterTransform(config),
  examples: [
    { title: 'Paid orders of at least 100', config: { condition: 'status = "paid" and amount >= 100' } },
    { title: 'Records that have an email address', config: { condition: '$exists(email)' } },
    { title: 'Only one tenant, by header', config: { condition: '$headers.tenant = "acme"' } },
  ],
});
