import { defineSource } from '@sluice/sdk';
import { HttpSourceConfig } from './http-source.config.js';
import { createHttpSource } from './http-source.js';
import { validateHttpSourceConfig } from './validate-config.js';

export default defineSource<HttpSourceConfig>({
  name: 'http',
  version: '1.0.0',
  description:
    'Polls an HTTP JSON API on an interval, a cron expression or a random interval, or when a scheduled job triggers it, with templated URLs and bodies, pagination, timeouts, retries (backoff, Retry-After) and ETag/Last-Modified; failed polls become dead-lettered failure records.',
  config: HttpSourceConfig,
  validate: (config) => validateHttpSourceConfig(config),
  create: (config, context) => createHttpSource(config, context),
  examples: [
    {
      title: 'One random Pokémon every 3–8 seconds, keyed by its id',
      config: { url: 'https://pokeapi.co/api/v2/pokemon/{{randomInt 1 1025}}', randomIntervalMs: { min: 3000, max: 8000 }, keyPath: 'id', timeoutMs: 5000 },
    },
    {
      title: 'Random user profiles every 5 seconds, one record per user',
      config: { url: 'https://randomuser.me/api/?results=5', intervalMs: 5000, recordsPath: 'results', keyPath: 'login.uuid' },
    },
    {
      title: 'A paginated list every night at 02:00 (Paris), following the `next` URL, with a token from the environment',
      config: {
        url: 'https://api.example.com/v1/orders?status=open&per_page=100',
        cron: '0 2 * * *',
        timeZone: 'Europe/Paris',
        bearerToken: '{{env ORDERS_API_TOKEN}}',
        recordsPath: 'data',
        keyPath: 'id',
        nextPath: 'links.next',
        maxPages: 50,
      },
    },
    {
      title: 'Three random Pokémon, 1–2 s apart, each time a job triggers the source (no schedule of its own)',
      config: { url: 'https://pokeapi.co/api/v2/pokemon/{{randomInt 1 1025}}', trigger: { polls: 3, randomSpacingMs: { min: 1000, max: 2000 } }, keyPath: 'id' },
    },
  ],
});
