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
 * The ingestion time in the configured format. Records of one batch mostly share a millisecond, so
 * the last ISO text is kept and reused (one `Date` and one string per millisecond, not per record).
 */
export class IngestionTime {
  private lastMs = Number.NaN;
  private lastText = '';

  constructor(private readonly format: TimeFormat) {}

  of(now: number): number | string {
    if (this.format !== 'iso') return now;
    if (now !== this.lastMs) {
      this.lastMs = now;
      this.lastText = new Date(now).toISOString();
    }
    return this.lastText;
  }
}

/**
 * Calls `add(field, value)` for the metadata of one record, in `fields` order, leaving out fields
 * that have no value for it. `ingestedAt` is the ingestion time, already formatted.
 */
export function addIngestionMetadata(record: SluiceRecord, options: MetadataOptions, ingestedAt: number | string, add: (field: MetadataField, value: unknown) => void): void {
  const headers = record.headers;
  const has = (name: string) => Object.prototype.hasOwnProperty.call(headers, name);
  const fromKafka = has(POSITION_HEADERS.topic) || has(POSITION_HEADERS.partition) || has(POSITION_HEADERS.offset);
  const fileHeaders = has(POSITION_HEADERS.file) || has(POSITION_HEADERS.line);
  // Without position headers, a record that did not come from Kafka is placed by its origin.
  const byOrigin = !fileHeaders && !fromKafka;
  for (const field of options.fields) {
    let value: unknown;
    switch (field) {
      case 'ingested_at':
        value = ingestedAt;
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
    if (value !== undefined) add(field, value);
  }
}
