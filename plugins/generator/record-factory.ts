import { CounterRandom } from './counter-random.js';
import type { GeneratorConfig } from './generator.config.js';
import { compileField, type CompiledField } from './record-shape.js';

/** One generated record: its value and key. */
export interface GeneratedRecord {
  readonly value: Record<string, unknown>;
  readonly key: string | null;
}

const PAD_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * Builds record n of a generator config. The record depends only on (config, n): the random stream
 * is reset to (seed, n) before each record, so any record can be made on its own, in any order.
 */
export class RecordFactory {
  private readonly fields: readonly CompiledField[];
  private readonly random = new CounterRandom();
  private readonly seed: number;
  private readonly keyField?: string;
  private readonly payloadBytes: number;
  private readonly payloadField: string;
  /** Padding characters, twice the target size so any window of the needed length can be cut from it. */
  private readonly padPool: string;
  /** JSON bytes of a record whose field values are all left out (see the constructor). */
  private readonly frameBytes: number;

  constructor(config: Pick<GeneratorConfig, 'seed' | 'fields' | 'keyField' | 'payloadBytes' | 'payloadField'>) {
    this.seed = config.seed;
    this.fields = Object.entries(config.fields).map(([name, spec]) => compileField(name, spec));
    this.keyField = config.keyField;
    this.payloadBytes = config.payloadBytes;
    this.payloadField = config.payloadField;
    let pool = '';
    if (this.payloadBytes > 0) {
      const random = new CounterRandom();
      random.reset(this.seed, Number.MAX_SAFE_INTEGER);
      const chars: string[] = [];
      for (let i = 0; i < this.payloadBytes * 2; i++) chars.push(PAD_ALPHABET[random.nextUint32() % 62]);
      pool = chars.join('');
    }
    this.padPool = pool;
    // `{"a":…,"b":…,"payload":""}` without the field values: braces, names, colons, commas, empty padding.
    const names = [...this.fields.map((f) => f.name), this.payloadField];
    this.frameBytes = 2 + names.reduce((sum, name) => sum + Buffer.byteLength(JSON.stringify(name)) + 1, 0) + (names.length - 1) + 2;
  }

  /** Record number `sequence` (0-based). */
  make(sequence: number): GeneratedRecord {
    const random = this.random;
    random.reset(this.seed, sequence);
    const value: Record<string, unknown> = {};
    const fields = this.fields;
    for (let i = 0; i < fields.length; i++) value[fields[i].name] = fields[i].generate(random, sequence);
    if (this.payloadBytes > 0) this.pad(value, random);
    let key: string | null = null;
    if (this.keyField !== undefined) {
      const keyValue = value[this.keyField];
      if (keyValue !== undefined && keyValue !== null) key = typeof keyValue === 'string' ? keyValue : JSON.stringify(keyValue);
    }
    return { value, key };
  }

  /** Adds the padding field so that the record's JSON is exactly `payloadBytes` bytes (when it is not already bigger). */
  private pad(value: Record<string, unknown>, random: CounterRandom): void {
    let base = this.frameBytes;
    const fields = this.fields;
    for (let i = 0; i < fields.length; i++) base += jsonBytes(value[fields[i].name]);
    value[this.payloadField] = '';
    const missing = this.payloadBytes - base;
    if (missing <= 0) return;
    const start = random.nextUint32() % this.payloadBytes;
    value[this.payloadField] = this.padPool.slice(start, start + missing);
  }
}

/** Characters that JSON escapes, or that take more than one byte in UTF-8. */
const NOT_PLAIN = /[\u0000-\u001f"\\\u007f-\uffff]/;

/** The size in bytes of `value` serialised as JSON (UTF-8), without serialising the common cases. */
export function jsonBytes(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return NOT_PLAIN.test(value) ? Buffer.byteLength(JSON.stringify(value)) : value.length + 2;
    case 'number':
      return Number.isFinite(value) ? String(value).length : 4;
    case 'boolean':
      return value ? 4 : 5;
    default:
      return value === null ? 4 : Buffer.byteLength(JSON.stringify(value) ?? 'null');
  }
}
