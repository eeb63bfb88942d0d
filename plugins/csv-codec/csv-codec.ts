import { CodecError, type Codec, type StreamDecodeOptions, type StreamDecoder, type StreamEncoder } from '@sluice/sdk';
import type { CsvCodecConfig } from './csv-codec.config.js';
import { CsvStreamDecoder } from './csv-stream-decoder.js';
import { CsvStreamEncoder } from './csv-stream-encoder.js';

/** Largest message decoded as CSV (one row, and its header row). */
const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/**
 * The `csv` codec. A stream is a header row (unless `header: false`) and one record per row; a
 * message is one row (after its header row, with `header: true`).
 */
export class CsvCodec implements Codec {
  readonly contentType = 'text/csv';
  readonly resume = 'byte';
  readonly appendable = true;

  constructor(private readonly options: CsvCodecConfig) {}

  decoder(options: StreamDecodeOptions): StreamDecoder {
    return new CsvStreamDecoder(this.options, options);
  }

  encoder(): StreamEncoder {
    return new CsvStreamEncoder(this.options);
  }

  decodeMessage(bytes: Uint8Array): unknown {
    const decoder = new CsvStreamDecoder(this.options, { maxItemBytes: MAX_MESSAGE_BYTES });
    const items = [...decoder.push(bytes), ...decoder.end()];
    const failure = items.find((item) => item.kind === 'failure');
    if (failure) throw new CodecError(`line ${failure.line}: ${failure.problem}`);
    if (items.length !== 1) throw new CodecError(`the message holds ${items.length} CSV rows where one was expected`);
    return items[0]!.kind === 'value' ? items[0]!.value : undefined;
  }

  encodeMessage(value: unknown): Buffer {
    try {
      return Buffer.from(new CsvStreamEncoder(this.options).message(value), 'utf8');
    } catch (error) {
      throw new CodecError((error as Error).message, { cause: error });
    }
  }
}
