import { didYouMean, validateConfig, type ConfigIssue } from '@sluice/sdk';
import { IsoTimestampFormatter, RandomStringBuilder, UuidBuilder } from './ascii-text.js';
import type { CounterRandom } from './counter-random.js';
import { FIELD_TYPES, GeneratorFieldSpec, OPTIONS_BY_TYPE, type FieldSpecInput, type FieldType } from './generator.config.js';

/** Makes the value of one field of record `sequence`, drawing from `random` (already reset for that record). */
export type FieldGenerator = (random: CounterRandom, sequence: number) => unknown;

export interface CompiledField {
  readonly name: string;
  readonly generate: FieldGenerator;
}

const DEFAULT_TIMESTAMP_FROM = '2025-01-01T00:00:00.000Z';

/** `uuid` → `{ type: 'uuid' }`; objects pass through. */
function normalise(input: FieldSpecInput): Partial<GeneratorFieldSpec> {
  return typeof input === 'string' ? { type: input } : input;
}

/**
 * Checks the `fields` map of a generator config: each entry is validated against
 * {@link GeneratorFieldSpec}, then against the options of its type. Paths are `fields.<name>.<option>`.
 */
export function checkFields(fields: Record<string, unknown>): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const names = Object.keys(fields);
  if (names.length === 0) issues.push({ path: 'fields', message: 'must declare at least one field' });
  for (const name of names) {
    const path = `fields.${name}`;
    const raw = fields[name];
    if (typeof raw === 'string') {
      if (!(FIELD_TYPES as readonly string[]).includes(raw)) {
        const suggestion = didYouMean(raw, FIELD_TYPES);
        issues.push({ path, message: `unknown field type "${raw}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; expected one of ${FIELD_TYPES.join(', ')}` });
      }
      continue;
    }
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      issues.push({ path, message: 'must be a type name (e.g. uuid) or an object with a `type` (e.g. { type: int, min: 1, max: 9 })' });
      continue;
    }
    const { config: spec, issues: specIssues } = validateConfig(GeneratorFieldSpec, raw);
    for (const issue of specIssues) {
      if (issue.path === 'type' && typeof (raw as { type?: unknown }).type === 'string') {
        const suggestion = didYouMean((raw as { type: string }).type, FIELD_TYPES);
        issues.push({ path: `${path}.type`, message: `${issue.message}${suggestion ? ` (did you mean "${suggestion}"?)` : ''}` });
      } else {
        issues.push({ path: issue.path ? `${path}.${issue.path}` : path, message: issue.message });
      }
    }
    if (specIssues.some((i) => i.path === 'type')) continue;
    const allowed = new Set(['type', 'nullRate', ...OPTIONS_BY_TYPE[spec.type]]);
    for (const option of Object.keys(raw)) {
      if (!allowed.has(option) && !specIssues.some((i) => i.path === option)) {
        issues.push({ path: `${path}.${option}`, message: `does not apply to type ${spec.type} (it takes: ${OPTIONS_BY_TYPE[spec.type].join(', ') || 'no options'})` });
      }
    }
    issues.push(...checkTypeRules(spec, path));
  }
  return issues;
}

function checkTypeRules(spec: GeneratorFieldSpec, path: string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  switch (spec.type) {
    case 'int': {
      const min = spec.min ?? 0;
      const max = spec.max ?? 1000;
      if (!Number.isSafeInteger(min)) issues.push({ path: `${path}.min`, message: 'must be an integer for type int' });
      if (!Number.isSafeInteger(max)) issues.push({ path: `${path}.max`, message: 'must be an integer for type int' });
      if (min > max) issues.push({ path: `${path}.max`, message: `must be ≥ min (${min})` });
      break;
    }
    case 'float': {
      const min = spec.min ?? 0;
      const max = spec.max ?? 1;
      if (min > max) issues.push({ path: `${path}.max`, message: `must be ≥ min (${min})` });
      break;
    }
    case 'pick':
      if (spec.values === undefined) issues.push({ path: `${path}.values`, message: 'is required for type pick' });
      break;
    case 'constant':
      if (spec.value === undefined) issues.push({ path: `${path}.value`, message: 'is required for type constant' });
      break;
    default:
      break;
  }
  return issues;
}

function baseGenerator(spec: GeneratorFieldSpec): FieldGenerator {
  switch (spec.type) {
    case 'sequence': {
      const start = spec.start ?? 0;
      const step = spec.step ?? 1;
      return (_random, sequence) => start + sequence * step;
    }
    case 'uuid': {
      const builder = new UuidBuilder();
      return (random) => builder.next(random);
    }
    case 'int': {
      const min = spec.min ?? 0;
      const max = spec.max ?? 1000;
      return (random) => random.nextInt(min, max);
    }
    case 'float': {
      const min = spec.min ?? 0;
      const max = spec.max ?? 1;
      const scale = 10 ** (spec.decimals ?? 2);
      return (random) => Math.round((min + random.nextFloat() * (max - min)) * scale) / scale;
    }
    case 'string': {
      const builder = new RandomStringBuilder(spec.length ?? 12);
      return (random) => builder.next(random);
    }
    case 'pick': {
      const values = spec.values ?? [];
      return (random) => values[random.nextUint32() % values.length];
    }
    case 'timestamp': {
      const from = Date.parse(spec.from ?? DEFAULT_TIMESTAMP_FROM);
      const stepMs = spec.stepMs ?? 1000;
      const iso = (spec.format ?? 'iso') === 'iso';
      const formatter = new IsoTimestampFormatter();
      if (spec.clock === 'wall') return iso ? () => formatter.format(Date.now()) : () => Date.now();
      return iso ? (_random, sequence) => formatter.format(from + sequence * stepMs) : (_random, sequence) => from + sequence * stepMs;
    }
    case 'bool': {
      const probability = spec.probability ?? 0.5;
      return (random) => random.nextFloat() < probability;
    }
    case 'constant': {
      const value = spec.value;
      return () => value;
    }
  }
}

/** Turns one (already validated) field spec into its generator. */
export function compileField(name: string, input: FieldSpecInput): CompiledField {
  const spec = normalise(input) as GeneratorFieldSpec;
  const base = baseGenerator(spec);
  const nullRate = spec.nullRate ?? 0;
  const generate: FieldGenerator = nullRate > 0 ? (random, sequence) => (random.nextFloat() < nullRate ? null : base(random, sequence)) : base;
  return { name, generate };
}
