import { describeError, RecordError, type SluiceRecord } from '@sluice/sdk';
import type { IHeaders, Message } from 'kafkajs';
import type { ValueFormat } from './kafka-sink.config.js';

export interface EncodeOptions {
  readonly format: ValueFormat;
  readonly headers: boolean;
  readonly timestamp: 'record' | 'now';
  readonly tombstoneNulls: boolean;
}

/** A record of the batch as a Kafka message, with its estimated size on the wire. */
export interface EncodedMessage {
  /** Index of the record in the batch. */
  readonly index: number;
  readonly message: Message;
  readonly bytes: number;
}

export interface EncodedBatch {
  /** The messages of the records that could be encoded, in batch order. */
  readonly messages: EncodedMessage[];
  /** Records that cannot be written, with the reason (not retryable: they go to the dead-letter destination). */
  readonly failed: Array<{ index: number; error: RecordError }>;
}

/** Per-record framing of the Kafka record format (length, attributes, deltas, sizes) at most. */
const RECORD_OVERHEAD = 32;
const HEADER_OVERHEAD = 10;
/** Record batch header (61 bytes) plus produce request framing, per request. */
export const REQUEST_OVERHEAD = 256;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function jsonText(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value === undefined ? null : value);
  } catch (error) {
    throw new RecordError(`record value has no JSON form: ${describeError(error)}`, { retryable: false });
  }
  if (text === undefined) throw new RecordError(`record value of type ${typeof value} has no JSON form`, { retryable: false });
  return text;
}

/** The message value of a record in the configured format. */
export function encodeValue(value: unknown, format: ValueFormat, tombstoneNulls: boolean): Buffer | null {
  if (value === null && tombstoneNulls) return null;
  if (format === 'bytes') {
    if (typeof value !== 'string') throw new RecordError(`format bytes needs a base64 string value, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`, { retryable: false });
    if (!BASE64.test(value)) throw new RecordError('format bytes needs a base64 string value; this string is not base64', { retryable: false });
    return Buffer.from(value, 'base64');
  }
  if (format === 'string' && typeof value === 'string') return Buffer.from(value, 'utf8');
  return Buffer.from(jsonText(value), 'utf8');
}

function headerValue(value: unknown): string {
  return typeof value === 'string' ? value : jsonText(value);
}

/** One record as a Kafka message (key from the record key); throws a non-retryable RecordError when it cannot be. */
export function encodeRecord(record: SluiceRecord, options: EncodeOptions): { message: Message; bytes: number } {
  const value = encodeValue(record.value, options.format, options.tombstoneNulls);
  const key = record.key === null || record.key === undefined ? null : String(record.key);
  let bytes = RECORD_OVERHEAD + (value?.length ?? 0) + (key === null ? 0 : Buffer.byteLength(key, 'utf8'));
  const message: Message = { key, value };
  if (options.headers) {
    const headers: IHeaders = {};
    let count = 0;
    for (const [name, raw] of Object.entries(record.headers ?? {})) {
      if (raw === undefined) continue;
      const text = headerValue(raw);
      headers[name] = text;
      bytes += HEADER_OVERHEAD + Buffer.byteLength(name, 'utf8') + Buffer.byteLength(text, 'utf8');
      count++;
    }
    if (count > 0) message.headers = headers;
  }
  if (options.timestamp === 'record') {
    if (!Number.isSafeInteger(record.timestamp) || record.timestamp < 0) {
      throw new RecordError(`record timestamp ${String(record.timestamp)} is not epoch milliseconds (set timestamp: now to use the time of writing)`, { retryable: false });
    }
    message.timestamp = String(record.timestamp);
  }
  return { message, bytes };
}

/**
 * Encodes a batch. Records that cannot be written — no JSON form (a cycle, a BigInt), the wrong
 * value type for `bytes`, a bad timestamp, or bigger than `maxRequestBytes` — are reported in
 * `failed` and left out; the others keep their batch order.
 */
export function encodeBatch(batch: readonly SluiceRecord[], options: EncodeOptions, maxRequestBytes: number): EncodedBatch {
  const messages: EncodedMessage[] = [];
  const failed: Array<{ index: number; error: RecordError }> = [];
  batch.forEach((record, index) => {
    try {
      const { message, bytes } = encodeRecord(record, options);
      if (bytes + REQUEST_OVERHEAD > maxRequestBytes) {
        throw new RecordError(`record of about ${bytes} bytes does not fit in one request (maxRequestBytes ${maxRequestBytes})`, { retryable: false });
      }
      messages.push({ index, message, bytes });
    } catch (error) {
      failed.push({ index, error: error instanceof RecordError ? error : new RecordError(describeError(error), { retryable: false, cause: error }) });
    }
  });
  return { messages, failed };
}

/**
 * Splits messages, in order, into consecutive requests of at most `maxRequestBytes` each (every
 * message fits alone: encodeBatch made sure of it). kafkajs puts all messages of a partition in one
 * record batch, which the broker refuses above max.message.bytes, so large batches must be split.
 */
export function splitRequests(messages: readonly EncodedMessage[], maxRequestBytes: number): EncodedMessage[][] {
  const requests: EncodedMessage[][] = [];
  let current: EncodedMessage[] = [];
  let size = REQUEST_OVERHEAD;
  for (const message of messages) {
    if (current.length > 0 && size + message.bytes > maxRequestBytes) {
      requests.push(current);
      current = [];
      size = REQUEST_OVERHEAD;
    }
    current.push(message);
    size += message.bytes;
  }
  if (current.length > 0) requests.push(current);
  return requests;
}
