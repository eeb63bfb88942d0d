import { defineTransform } from '@sluice/sdk';
import { AggregateConfig } from './aggregate.config.js';
import { AggregateTransform } from './aggregate.transform.js';
import { aggregateConfigIssues } from './validate-config.js';

export default defineTransform({
  name: 'aggregate',
  capabilities: { keyedState: true },
  version: '1.0.0',
  description: 'Continuous aggregates by key (count, sum, avg, min, max; optional tumbling windows and distinct entities), emitted as upserts of the groups each record changes.',
  config: AggregateConfig,
  validate: (config) => aggregateConfigIssues(config),
  create: (config, context) => new AggregateTransform(config, context),
  examples: [
    {
      title: 'Statistics per Pokémon stat (the pokemon_stats table): each Pokémon counts once, its latest record wins',
      config: {
        each: 'stats',
        groupBy: { stat_type: 'stat.name' },
        distinct: 'id',
        metrics: {
          avg_value: { fn: 'avg', of: 'base_stat' },
          max_value: { fn: 'max', of: 'base_stat' },
          min_value: { fn: 'min', of: 'base_stat' },
          count_pokemon: { fn: 'count' },
        },
      },
    },
    {
      title: 'Events per hour and status, accepting records up to 10 minutes late',
      config: {
        groupBy: { status: 'status' },
        metrics: { events: { fn: 'count' }, total_amount: { fn: 'sum', of: 'amount' } },
        window: { sizeMs: 3_600_000, allowedLatenessMs: 600_000 },
        windowStartField: 'hour',
        windowEndField: 'hour_end',
      },
    },
    {
      title: 'Running totals per customer, passing the orders on too',
      config: {
        groupBy: { customer_id: 'customer.id' },
        metrics: { orders: { fn: 'count' }, revenue: { fn: 'sum', of: 'price * quantity' }, largest: { fn: 'max', of: 'price * quantity' } },
        passThrough: true,
      },
    },
  ],
});
