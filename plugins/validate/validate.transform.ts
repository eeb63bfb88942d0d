import { invalidRecord, withValue, type PluginLogger, type SluiceRecord, type Transform } from '@sluice/sdk';
import type { ValidateFunction } from 'ajv';
import { cloneJson } from './clone-json.js';
import { changesData, compileSchema, describeSchemaError } from './schema-compiler.js';
import { loadSchema } from './schema-source.js';
import type { ValidateConfig } from './validate.config.js';

/**
 * Checks record values against a JSON Schema compiled once at creation. Valid records pass on
 * unchanged, or as a changed copy when coercion, defaults or pruning are on; invalid ones are
 * dead-lettered with every schema error.
 */
export class ValidateTransform implements Transform {
  private readonly check: ValidateFunction;
  private readonly copies: boolean;

  constructor(config: ValidateConfig, configDir: string, logger?: PluginLogger) {
    this.check = compileSchema(loadSchema(config, configDir), config, logger);
    this.copies = changesData(config);
  }

  process(record: SluiceRecord): SluiceRecord {
    if (!this.copies) {
      if (this.check(record.value)) return record;
      return this.reject();
    }
    // The copy sits in a holder so that ajv can replace the value itself (coercing "5" to 5).
    const holder = { value: cloneJson(record.value) };
    const valid = this.check(holder.value, { instancePath: '', parentData: holder, parentDataProperty: 'value', rootData: holder.value as object, dynamicAnchors: {} });
    if (!valid) return this.reject();
    return withValue(record, holder.value);
  }

  private reject(): never {
    const errors = [...(this.check.errors ?? [])];
    throw invalidRecord(`does not match the JSON Schema: ${errors.map(describeSchemaError).join('; ')}`, errors);
  }
}
