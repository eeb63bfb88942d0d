import type { SluiceRecord } from '@sluice/sdk';
import type { KafkaMessage, Message } from 'kafkajs';

/** Header carrying a record's origin across a Kafka hop. */
export const ORIGIN_HEADER = 'sluice.origin';
/** Header set on a channel message whose value was not JSON (it is passed on as text). */
export const DECODE_ERROR_HEADER = 'sluice.decode-error';

/**
 * How a record travels on a channel topic: the key is the Kafka key (so records of one key share a
 * partition and keep their order), the value is JSON, the event time is the Kafka timestamp, the
 * headers are Kafka headers, and the origin rides in the `sluice.origin` header.
 */
export function encodeRecord(record: SluiceRecord): Message {
  return {
    key: record.key,
    value: JSON.stringify(record.value ?? null),
    timestamp: String(record.timestamp),
    headers: { ...record.headers, [ORIGIN_HEADER]: JSON.stringify(record.origin) },
  };
}

function headerText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) return headerText(value[value.length - 1]);
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  // Nest's Kafka parser may already have decoded a JSON header into a value.
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** The record a channel message carries (see {@link encodeRecord}). */
export function decodeRecord(message: KafkaMessage, fallbackOrigin: SluiceRecord['origin']): SluiceRecord {
  const headers: Record<string, string> = {};
  let origin = fallbackOrigin;
  for (const [name, raw] of Object.entries(message.headers ?? {})) {
    const text = headerText(raw);
    if (text === undefined) continue;
    if (name === ORIGIN_HEADER) {
      try {
        origin = JSON.parse(text) as SluiceRecord['origin'];
      } catch {
        // keep the fallback: the origin is informational
      }
    } else headers[name] = text;
  }
  const text = message.value === null ? 'null' : message.value.toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    // Not written by Sluice: passed on as text, flagged, for the stages (and dead letters) to see.
    value = text;
    headers[DECODE_ERROR_HEADER] = `not JSON: ${(error as Error).message}`;
  }
  return {
    key: message.key === null ? null : message.key.toString('utf8'),
    value,
    headers,
    timestamp: Number(message.timestamp),
    origin,
  };
}
