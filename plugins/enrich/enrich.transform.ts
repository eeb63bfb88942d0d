import { invalidRecord, withValue, type SluiceRecord, type Transform } from '@sluice/sdk';
import type { EnrichConfig } from './enrich.config.js';
import { ingestionMetadata, type MetadataOptions } from './ingestion-metadata.js';

/** A wall clock in epoch milliseconds (`Date` by default; tests pass their own). */
export interface WallClock {
  now(): number;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Adds ingestion metadata (time, source label, file/Kafka position) to object values. */
export class EnrichTransform implements Transform {
  private readonly options: MetadataOptions;

  constructor(
    private readonly config: EnrichConfig,
    private readonly clock: WallClock = Date,
  ) {
    this.options = { fields: config.fields, timeFormat: config.timeFormat, ...(config.sourceLabel === undefined ? {} : { sourceLabel: config.sourceLabel }) };
  }

  process(record: SluiceRecord): SluiceRecord {
    const value = record.value;
    if (!isPlainObject(value)) {
      throw invalidRecord(`enrich adds fields to object values, but this record's value is ${describeValue(value)}`, { valueType: describeValue(value) });
    }
    const metadata = ingestionMetadata(record, this.options, this.clock.now());
    if (this.config.target === 'top-level') {
      const enriched: Record<string, unknown> = { ...value };
      for (const [name, field] of Object.entries(metadata)) enriched[`${this.config.prefix}${name}`] = field;
      return withValue(record, enriched);
    }
    const name = this.config.field;
    const existing = Object.prototype.hasOwnProperty.call(value, name) ? value[name] : undefined;
    if (existing !== undefined && !isPlainObject(existing)) {
      throw invalidRecord(`cannot add metadata under "${name}": the value already has a field "${name}" holding ${describeValue(existing)}, not an object`, { field: name });
    }
    return withValue(record, { ...value, [name]: { ...existing, ...metadata } });
  }
}
