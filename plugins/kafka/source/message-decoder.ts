import type { SourceRecord } from '@sluice/sdk';
import type { IHeaders } from 'kafkajs';
import type { KeyFormat, ValueFormat } from './kafka-source.config.js';
import { laneOf, offsetPosition } from './partition-progress.js';

/** Header names of the position of a record in Kafka (the `enrich` transform reads them). */
export const KAFKA_HEADERS = { topic: 'kafka.topic', partition: 'kafka.partition', offset: 'kafka.offset' } as const;

/** The parts of a fetched Kafka message the decoder reads. */
export interface FetchedMessage {
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: string;
  readonly offset: string;
  readonly headers?: IHeaders | null;
}

export interface DecodeOptions {
  readonly format: ValueFormat;
  readonly keyFormat: KeyFormat;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Strict UTF-8 decoding: undefined when the bytes are not UTF-8. */
function strictText(bytes: Buffer): string | undefined {
  try {
    return utf8.decode(bytes);
  } catch {
    return undefined;
  }
}

function headerText(value: Buffer | string | null | undefined): string {
  if (value === null || value === undefined) return '';
  return typeof value === 'string' ? value : value.toString('utf8');
}

/**
 * Kafka headers as record headers: each value as UTF-8 text (bytes that are not UTF-8 become
 * U+FFFD), a null value as "". A header repeated in one message keeps its last value, as the Java
 * client's `lastHeader` does. The position headers `kafka.topic`, `kafka.partition` and
 * `kafka.offset` are always set and win over message headers of the same name.
 */
export function decodeHeaders(headers: IHeaders | null | undefined, topic: string, partition: number, offset: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    out[name] = Array.isArray(value) ? headerText(value[value.length - 1]) : headerText(value as Buffer | string | null | undefined);
  }
  out[KAFKA_HEADERS.topic] = topic;
  out[KAFKA_HEADERS.partition] = String(partition);
  out[KAFKA_HEADERS.offset] = offset;
  return out;
}

type Decoded<T> = { ok: true; value: T } | { ok: false; reason: string; raw: string };

function describeBytes(bytes: Buffer): string {
  return bytes.toString('base64');
}

/** The record key, or why the key cannot be one. */
export function decodeKey(key: Buffer | null, format: KeyFormat): Decoded<string | null> {
  if (key === null) return { ok: true, value: null };
  const text = strictText(key);
  if (text === undefined) return { ok: false, reason: 'key is not valid UTF-8', raw: describeBytes(key) };
  if (format === 'string') return { ok: true, value: text };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { ok: false, reason: `key is not valid JSON (${(error as Error).message})`, raw: text };
  }
  if (parsed === null) return { ok: true, value: null };
  return { ok: true, value: typeof parsed === 'string' ? parsed : JSON.stringify(parsed) };
}

/** The record value, or why the value cannot be decoded in this format (with its raw text). */
export function decodeValue(value: Buffer | null, format: ValueFormat): Decoded<unknown> {
  if (value === null) return { ok: true, value: null };
  if (format === 'bytes') return { ok: true, value: value.toString('base64') };
  const text = strictText(value);
  if (text === undefined) {
    return { ok: false, reason: `value is not valid UTF-8 (use format: bytes for binary payloads)`, raw: describeBytes(value) };
  }
  if (format === 'string') return { ok: true, value: text };
  if (text.trim() === '') return { ok: false, reason: 'value is empty, not JSON', raw: text };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { ok: false, reason: `value is not valid JSON (${(error as Error).message})`, raw: text };
  }
}

/**
 * A fetched message as a source record: key, value, headers, timestamp and its position
 * (lane `<topic>/<partition>`, offset). A message that cannot be decoded becomes a record with
 * `failure` (naming topic, partition and offset) and its raw text as value: the runtime
 * dead-letters it and commits past it, so a poison message never stalls its partition.
 * Raw bytes that are not UTF-8 are shown as base64.
 */
export function decodeMessage(topic: string, partition: number, message: FetchedMessage, options: DecodeOptions): SourceRecord {
  const headers = decodeHeaders(message.headers, topic, partition, message.offset);
  const position = { lane: laneOf(topic, partition), offset: offsetPosition(message.offset) };
  const time = Number(message.timestamp);
  const timestamp = Number.isSafeInteger(time) && time >= 0 ? { timestamp: time } : {};
  const where = `kafka: message at ${topic}/${partition} offset ${message.offset}`;
  const key = decodeKey(message.key, options.keyFormat);
  if (!key.ok) {
    const rawValue = message.value === null ? null : (strictText(message.value) ?? describeBytes(message.value));
    return { value: rawValue, key: key.raw, headers, position, ...timestamp, failure: `${where}: ${key.reason}` };
  }
  const value = decodeValue(message.value, options.format);
  if (!value.ok) return { value: value.raw, key: key.value, headers, position, ...timestamp, failure: `${where}: ${value.reason}` };
  return { value: value.value, key: key.value, headers, position, ...timestamp };
}
