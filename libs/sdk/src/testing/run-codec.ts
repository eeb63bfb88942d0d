import type { Codec, DecodedItem, StreamDecodeOptions } from '../codec.js';
import { CodecSet } from '../codec-set.js';
import { silentLogger } from '../logger.js';
import type { CodecPluginDefinition } from '../plugin.js';

/** A codec made from its definition with `rawOptions` validated as a host does; throws on invalid options. */
export function makeCodec(definition: CodecPluginDefinition, rawOptions?: unknown, configDir = process.cwd()): Codec {
  return new CodecSet([definition], { configDir, logger: silentLogger }).create(definition.name, rawOptions);
}

/**
 * Decodes a stream given as chunks (strings are UTF-8), pushed one by one, then ends it: every item
 * in order. Split the input anywhere to test chunk boundaries.
 */
export function decodeChunks(codec: Codec, chunks: ReadonlyArray<string | Uint8Array>, options: StreamDecodeOptions = { maxItemBytes: 1_048_576 }): DecodedItem[] {
  const decoder = codec.decoder(options);
  const items: DecodedItem[] = [];
  for (const chunk of chunks) items.push(...decoder.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk));
  items.push(...decoder.end());
  return items;
}
