import { createRequire } from 'node:module';
import kafkajs from 'kafkajs';

// kafkajs is CommonJS and Node's ESM loader cannot see `CompressionCodecs` as a named export.
const { CompressionCodecs, CompressionTypes } = kafkajs;
type CompressionTypes = kafkajs.CompressionTypes;

/**
 * The compressions Sluice reads and writes. kafkajs has gzip built in; Java producers also use
 * snappy and lz4 (Kafka Connect's and many clients' defaults), whose codecs kafkajs takes from
 * outside: `kafkajs-snappy` (pure JavaScript) and `@2l/kafkajs-lz4` (prebuilt binaries, no compiler
 * at install). zstd is left out: its kafkajs codec must be compiled at install time.
 */
export const KAFKA_COMPRESSIONS = ['none', 'gzip', 'snappy', 'lz4'] as const;
export type KafkaCompression = (typeof KAFKA_COMPRESSIONS)[number];

const TYPES: Readonly<Record<KafkaCompression, CompressionTypes>> = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
};

// Both codec packages are CommonJS; the lz4 one has no ESM default export.
const require = createRequire(import.meta.url);

type Codec = (typeof CompressionCodecs)[kafkajs.CompressionTypes.GZIP];

let codecsRegistered = false;

/**
 * Registers the snappy and lz4 codecs with kafkajs (its codec table is one per process, shared by
 * every consumer and producer). Idempotent; a consumer without them fails on such batches with
 * an error for the codec it lacks. Called by every module that creates a Kafka client.
 */
export function registerCompressionCodecs(): void {
  // kafkajs's own table entries for these only throw: replace them once.
  if (codecsRegistered) return;
  CompressionCodecs[CompressionTypes.Snappy] = require('kafkajs-snappy') as Codec;
  const LZ4Codec = require('@2l/kafkajs-lz4') as new () => { codec: Codec };
  CompressionCodecs[CompressionTypes.LZ4] = new LZ4Codec().codec;
  codecsRegistered = true;
}

/** The kafkajs compression type of a configured compression name. */
export function compressionType(compression: KafkaCompression): CompressionTypes {
  return TYPES[compression];
}
