import { describe, expect, it } from '@jest/globals';
import { CompressionCodecs, CompressionTypes } from 'kafkajs';
import { compressionType, KAFKA_COMPRESSIONS, registerCompressionCodecs } from './compression.js';

describe('Kafka compression codecs', () => {
  it('registers snappy and lz4 with kafkajs, once, and they round-trip a record batch', async () => {
    registerCompressionCodecs();
    const registered = { snappy: CompressionCodecs[CompressionTypes.Snappy], lz4: CompressionCodecs[CompressionTypes.LZ4] };
    registerCompressionCodecs();
    expect(CompressionCodecs[CompressionTypes.Snappy]).toBe(registered.snappy);
    expect(CompressionCodecs[CompressionTypes.LZ4]).toBe(registered.lz4);
    const payload = Buffer.from(JSON.stringify(Array.from({ length: 200 }, (_, i) => ({ id: i, text: 'a fairly repetitive value' }))));
    for (const type of [CompressionTypes.Snappy, CompressionTypes.LZ4] as const) {
      const codec = CompressionCodecs[type]!();
      const compressed = await codec.compress({ buffer: payload } as never);
      expect(compressed.length).toBeLessThan(payload.length / 4);
      expect(Buffer.from(await codec.decompress(compressed)).equals(payload)).toBe(true);
    }
  });

  it('maps every configured name to its kafkajs type', () => {
    expect(KAFKA_COMPRESSIONS.map(compressionType)).toEqual([CompressionTypes.None, CompressionTypes.GZIP, CompressionTypes.Snappy, CompressionTypes.LZ4]);
  });
});
