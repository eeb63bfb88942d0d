import type { SluiceRecord } from '@sluice/sdk';
import type { MetadataField, TimeFormat } from './enrich.config.js';

/** Header names of the position conventions (set by the file and Kafka sources). */
export const POSITION_HEADERS = {
  file: 'sluice.file',
  line: 'sluice.line',
  topic: 'kafka.topic',
  partition: 'kafka.partition',
  offset: 'kafka.offset',
} as const;

export interface MetadataOptions {
  readonly fields: readonly MetadataField[];
  readonly timeFormat: TimeFormat;
  readonly sourceLabel?: string;
}

/** A numeric header as a number when it is a safe integer; its text otherwise (nothing is lost). */
function numericHeader(text: string | undefined): number | string | undefined {
  if (text === undefined) return undefined;
  if (!/^-?\d+$/.test(text)) return text;
  const number = Number(text);
  return Number.isSafeInteger(number) ? number : text;
}

/**
 * The metadata of one record, in `fields` order, leaving out fields that have no value for it.
 * `now` is the ingestion time (epoch ms).
 */
export function ingestionMetadata(record: SluiceRecord, options: MetadataOptions, now: number): Record<string, unknown> {
  const headers = record.headers;
  const has = (name: string) => Object.prototype.hasOwnProperty.call(headers, name);
  const fromKafka = has(POSITION_HEADERS.topic) || has(POSITION_HEADERS.partition) || has(POSITION_HEADERS.offset);
  const fileHeaders = has(POSITION_HEADERS.file) || has(POSITION_HEADERS.line);
  // Without position headers, a record that did not come from Kafka is placed by its origin.
  const byOrigin = !fileHeaders && !fromKafka;
  const metadata: Record<string, unknown> = {};
  for (const field of options.fields) {
    let value: unknown;
    switch (field) {
      case 'ingested_at':
        value = options.timeFormat === 'iso' ? new Date(now).toISOString() : now;
        break;
      case 'source':
        value = options.sourceLabel ?? `${record.origin.pipeline}/${record.origin.source}`;
        break;
      case 'file':
        value = byOrigin ? record.origin.lane : headers[POSITION_HEADERS.file];
        break;
      case 'line':
        value = byOrigin ? record.origin.offset : numericHeader(headers[POSITION_HEADERS.line]);
        break;
      case 'topic':
        value = headers[POSITION_HEADERS.topic];
        break;
      case 'partition':
        value = numericHeader(headers[POSITION_HEADERS.partition]);
        break;
      case 'offset':
        value = numericHeader(headers[POSITION_HEADERS.offset]);
        break;
    }
    if (value !== undefined) metadata[field] = value;
  }
  return metadata;
}
