import { defineSource, type ConfigIssue } from '@sluice/sdk';
import { GeneratorConfig } from './generator.config.js';
import { GeneratorSource } from './generator-source.js';
import { checkFields } from './record-shape.js';

/** Cross-field checks: the field specs, and the key/padding fields against the shape. */
function validate(config: GeneratorConfig): ConfigIssue[] {
  const issues = checkFields(config.fields);
  const names = Object.keys(config.fields);
  if (config.keyField !== undefined && !names.includes(config.keyField)) {
    issues.push({ path: 'keyField', message: `names no field of the shape (fields: ${names.join(', ')})` });
  }
  if (config.payloadBytes > 0 && names.includes(config.payloadField)) {
    issues.push({ path: 'payloadField', message: `"${config.payloadField}" is already a field of the shape; choose another name for the padding` });
  }
  return issues;
}

export default defineSource<GeneratorConfig>({
  name: 'generator',
  version: '1.0.0',
  description: 'Generates seeded, reproducible records of a configured shape and size, as fast as possible or at a set rate (the benchmark source).',
  config: GeneratorConfig,
  validate,
  create: (config) => new GeneratorSource(config),
  examples: [
    { title: 'Benchmark load: 1 million 1 KiB records, as fast as possible', config: { count: 1_000_000, payloadBytes: 1024 } },
    {
      title: 'Sensor readings at 50 records/s, keyed by sensor',
      config: {
        rate: 50,
        seed: 7,
        keyField: 'sensor_id',
        fields: {
          reading_id: 'uuid',
          sensor_id: { type: 'pick', values: ['s-1', 's-2', 's-3'] },
          temperature: { type: 'float', min: -10, max: 40, decimals: 1 },
          measured_at: { type: 'timestamp', clock: 'wall' },
        },
      },
    },
  ],
});
