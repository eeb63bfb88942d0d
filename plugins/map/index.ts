import { JsonataExpression, RECORD_AND_INPUT_VARIABLES, RECORD_VARIABLES } from '@sluice/sdk';
import { defineTransform } from '@sluice/sdk';
import { MapConfig } from './map.config.js';
import { MapTransform } from './map.transform.js';

export default defineTransform({
  name: 'map',
  capabilities: { stateless: true },
  version: '1.0.0',
  description: 'Reshapes, renames and derives record values with a JSONata expression; can set the key and headers and fan arrays out.',
  config: MapConfig,
  validate(config) {
    const issues = [
      ...JsonataExpression.issues('expression', config.expression, RECORD_VARIABLES),
      ...JsonataExpression.issues('key', config.key, RECORD_AND_INPUT_VARIABLES),
    ];
    for (const [name, source] of Object.entries(config.headers ?? {})) {
      if (typeof source !== 'string' || source.trim() === '') issues.push({ path: `headers.${name}`, message: 'must be a JSONata expression (a non-empty string)' });
      else issues.push(...JsonataExpression.issues(`headers.${name}`, source, RECORD_AND_INPUT_VARIABLES));
    }
    return issues;
  },
  create: (config) => new MapTransform(config),
  examples: [
    {
      title: 'Rename and derive fields',
      config: { expression: '{"id": order_id, "customer": $uppercase(customer.name), "total": price * quantity}' },
    },
    {
      title: 'Keep only paid orders (others are dropped) and key them by id',
      config: { expression: 'status = "paid" ? $ : null', key: '$string(order_id)' },
    },
    {
      title: 'One record per order line, tagged with the file it came from',
      config: {
        expression: 'lines.{"order": $$.order_id, "sku": sku, "qty": qty}',
        explode: true,
        key: 'order & "/" & sku',
        headers: { 'x-source-file': '$headers."sluice.file"' },
      },
    },
  ],
});
