import type { Codec, StreamDecodeOptions, StreamDecoder, StreamEncoder } from '@sluice/sdk';
import { JsonDocumentDecoder } from './json-document-decoder.js';
import { JsonArrayEncoder, JsonLinesEncoder } from './json-encoders.js';
import { JsonLinesDecoder } from './json-lines-decoder.js';
import { decodeJsonMessage, encodeJsonMessage } from './json-text.js';

/** `json`: a stream is one document, an array of values (one item per element) or a single value; a message is one value. */
export class JsonCodec implements Codec {
  readonly contentType = 'application/json';
  readonly resume = 'item';
  readonly appendable = false;

  decoder(options: StreamDecodeOptions): StreamDecoder {
    return new JsonDocumentDecoder(options);
  }

  encoder(): StreamEncoder {
    return new JsonArrayEncoder();
  }

  decodeMessage(bytes: Uint8Array): unknown {
    return decodeJsonMessage(bytes);
  }

  encodeMessage(value: unknown): Buffer {
    return encodeJsonMessage(value);
  }
}

/** `jsonl` (JSON Lines): a stream holds one value per line; a message is one value. */
export class JsonLinesCodec implements Codec {
  readonly contentType = 'application/x-ndjson';
  readonly resume = 'byte';
  readonly appendable = true;

  decoder(options: StreamDecodeOptions): StreamDecoder {
    return new JsonLinesDecoder(options);
  }

  encoder(): StreamEncoder {
    return new JsonLinesEncoder();
  }

  decodeMessage(bytes: Uint8Array): unknown {
    return decodeJsonMessage(bytes);
  }

  encodeMessage(value: unknown): Buffer {
    return encodeJsonMessage(value);
  }
}
