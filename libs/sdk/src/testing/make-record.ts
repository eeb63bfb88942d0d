import type { SluiceRecord } from '../record.js';

/** A record for tests: `value` plus whatever envelope fields you want to set. */
export function makeRecord<V>(value: V, envelope: Partial<Omit<SluiceRecord<V>, 'value'>> = {}): SluiceRecord<V> {
  return {
    key: envelope.key ?? null,
    headers: envelope.headers ?? {},
    timestamp: envelope.timestamp ?? Date.now(),
    origin: envelope.origin ?? { pipeline: 'test', source: 'test' },
    value,
  };
}
