// The JSON codecs: `json` (one document per stream) and `jsonl` (one value per line), sharing
// their JSON text handling.
import { defineCodec } from '@sluice/sdk';
import { JsonCodecConfig } from './json-codec.config.js';
import { JsonCodec, JsonLinesCodec } from './json-codecs.js';

export const jsonCodec = defineCodec<JsonCodecConfig>({
  name: 'json',
  version: '1.0.0',
  description: 'JSON: a stream is one document, an array (one item per element, each reported on its own line) or a single value; a message is one value.',
  config: JsonCodecConfig,
  extensions: ['.json'],
  create: () => new JsonCodec(),
});

export const jsonLinesCodec = defineCodec<JsonCodecConfig>({
  name: 'jsonl',
  version: '1.0.0',
  description: 'JSON Lines: one value per line (blank lines skipped), streamed and appendable; a message is one value.',
  config: JsonCodecConfig,
  extensions: ['.jsonl', '.ndjson'],
  create: () => new JsonLinesCodec(),
});

export default [jsonCodec, jsonLinesCodec];
