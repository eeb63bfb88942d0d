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
    value[this.payloadField] = '';
    const base = Buffer.byteLength(JSON.stringify(value));
    const missing = this.payloadBytes - base;
    if (missing <= 0) return;
    const start = random.nextUint32() % this.payloadBytes;
    value[this.payloadField] = this.padPool.slice(start, start + missing);
  }
}
