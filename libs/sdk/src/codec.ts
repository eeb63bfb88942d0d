import type { RecordError } from './errors.js';
import type { PluginLogger } from './logger.js';

/**
 * Codecs: data formats (CSV, JSON, JSON Lines; later Avro, Parquet) written once as `codec`
 * plugins and used by name by any source or sink: a file, an HTTP body, a Kafka message.
 */

/** What a codec instance receives when it is created. */
export interface CodecContext {
  /** Folder of the config file: resolve relative paths in the codec's options against it. */
  readonly configDir: string;
  readonly logger: PluginLogger;
}

/** A point in a byte stream: a byte offset and the number of the line that starts there (1-based). */
export interface StreamPoint {
  readonly byte: number;
  readonly line: number;
}

/** Where an item (a value, or input that could not become one) sits in its stream. */
export interface ItemPosition {
  /** 0-based number of the item in the stream (values and failures counted alike). */
  readonly index: number;
  /** The line it starts on (1-based). */
  readonly line: number;
  /** The line it ends on (a CSV record or a JSON element may span lines). */
  readonly lastLine: number;
  /** Byte offset right after it (and its line break): where decoding resumes after it. */
  readonly end: number;
}

/** A decoded value. */
export interface DecodedValue extends ItemPosition {
  readonly kind: 'value';
  readonly value: unknown;
  /** Its text in the stream (cut to `maxFailureBytes`): what a consumer shows when it refuses the value. */
  readonly text: string;
}

/** Input that could not be decoded: a malformed CSV row, broken JSON, a line over the limit. */
export interface DecodeFailure extends ItemPosition {
  readonly kind: 'failure';
  /** The input as it stands (its text, cut), for dead letters. */
  readonly raw: unknown;
  /** What is wrong, without file or line (the consumer names where). */
  readonly problem: string;
}

export type DecodedItem = DecodedValue | DecodeFailure;

export interface StreamDecodeOptions {
  /** Longest item in bytes (a line, a CSV record, a JSON element): a longer one is a failure and is never held whole. */
  readonly maxItemBytes: number;
  /** The setting behind `maxItemBytes`, named in failures (e.g. `maxLineBytes`). Default: `maxItemBytes`. */
  readonly maxItemBytesName?: string;
  /** How much of a failed item's text a failure keeps, in bytes. Default: `maxItemBytes`. */
  readonly maxFailureBytes?: number;
}

/**
 * Decodes a byte stream pushed chunk by chunk, holding at most one chunk plus one unfinished item:
 * chunks may split a line, a quoted field or a multi-byte character anywhere.
 */
export interface StreamDecoder {
  /** The items completed by `chunk`, in stream order. */
  push(chunk: Uint8Array): DecodedItem[];
  /** The end of the stream: what the last bytes complete (a last line without line break, an unclosed array...). */
  end(): DecodedItem[];
  /**
   * Where decoding would resume after what was decoded so far: right after the last item, or after
   * input that holds none (blank lines, a header row). A stream read in passes resumes here.
   */
  readonly settled: StreamPoint;
  /**
   * Where the items start: known at once for formats without a prelude, and once the prelude (a CSV
   * header row) was pushed for the others; undefined until then.
   */
  readonly dataStart: StreamPoint | undefined;
  /**
   * Continues at `point`, an item boundary at or after `dataStart` (a checkpoint): drops any
   * unfinished input; the next bytes pushed are those from `point.byte` on.
   */
  skipTo(point: StreamPoint): void;
}

/** The bytes of a batch of values, and the values that have no form in this format. */
export interface EncodedBatch {
  readonly data: Buffer;
  /** Values that could not be encoded (indexes into the batch), with the reason; the others are in `data`. */
  readonly failed: ReadonlyArray<{ readonly index: number; readonly error: RecordError }>;
}

/** Encodes values as the successive parts of one stream (a file, an HTTP body). */
export interface StreamEncoder {
  /** The next part of the stream. `atStart`: nothing precedes it (a CSV header row goes first). */
  encode(values: readonly unknown[], atStart: boolean): EncodedBatch;
  /** What closes the stream (the `]` of a JSON array); empty for appendable formats. */
  finish(): Buffer;
}

/**
 * One configured codec: decodes and encodes values as streams and as single messages. Creating one
 * does no I/O, so hosts may create codecs to check a config.
 */
export interface Codec {
  /** Media type of its output (`text/csv`, `application/json`, `application/x-ndjson`). */
  readonly contentType: string;
  /**
   * How a stream read in passes resumes. `byte`: decoding can restart at any item boundary (after the
   * prelude is read again). `item`: the stream is one document, decoded from its start again, and the
   * items already handled are skipped by their index.
   */
  readonly resume: 'byte' | 'item';
  /** Whether encoded parts can be appended to a stream written earlier (a file reopened): no trailer, a header only at the start. */
  readonly appendable: boolean;
  decoder(options: StreamDecodeOptions): StreamDecoder;
  /** One whole message (a Kafka value) to one value; throws a {@link CodecError} when it is malformed. */
  decodeMessage(bytes: Uint8Array): unknown;
  encoder(): StreamEncoder;
  /** One value to one message; throws a {@link CodecError} when the value has no form in this format. */
  encodeMessage(value: unknown): Buffer;
}

/** Input or a value that a codec cannot decode or encode. */
export class CodecError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CodecError';
  }
}

/** The codecs a plugin can use by name (`context.codecs`). */
export interface Codecs {
  /** Names of the codecs the host knows, sorted. */
  names(): string[];
  has(name: string): boolean;
  /** The codec that claims a file extension (`.csv`, lower-case with its dot), if any. */
  forExtension(extension: string): string | undefined;
  /** The file extensions a codec claims (empty when it claims none). */
  extensions(name: string): readonly string[];
  /**
   * Creates codec `name` with `options` validated by its config class. Throws a {@link CodecConfigError}
   * for an unknown name or invalid options (hosts check both when they load the config first).
   */
  create(name: string, options?: unknown): Codec;
}

/** A codec the config names that does not exist, or options it refuses. */
export class CodecConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CodecConfigError';
  }
}

/**
 * A codec a plugin's config names, declared by the plugin (`codecsUsed`) so that the host checks it
 * with the config: the name must be a known codec, and the options valid for it.
 */
export interface CodecUse {
  /** Path of the field naming the codec, relative to the plugin config (`format`). */
  readonly path: string;
  readonly name: string;
  /** Path of the codec's options in the plugin config (`csv`, `codec`); absent when they are the defaults. */
  readonly optionsPath?: string;
  readonly options?: unknown;
  /** The plugin appends to streams written earlier (a file sink): the codec must be appendable. */
  readonly appending?: boolean;
}
