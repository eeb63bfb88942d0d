import { defineTransform, type ConfigIssue } from '@sluice/sdk';
import { compileSchema, SchemaCompileError } from './schema-compiler.js';
import { loadSchema, SchemaSourceError } from './schema-source.js';
import { ValidateConfig } from './validate.config.js';
import { ValidateTransform } from './validate.transform.js';

export default defineTransform({
  name: 'validate',
  capabilities: { stateless: true },
  version: '1.0.0',
  description: 'Checks record values against a JSON Schema (ajv); invalid records go to the dead-letter destination with every error.',
  config: ValidateConfig,
  validate(config, { configDir }): ConfigIssue[] {
    try {
      compileSchema(loadSchema(config, configDir), config);
      return [];
    } catch (error) {
      if (error instanceof SchemaSourceError) return [{ path: error.path, message: error.message }];
      if (error instanceof SchemaCompileError) return [{ path: config.schemaFile === undefined ? 'schema' : 'schemaFile', message: `the JSON Schema does not compile: ${error.message}` }];
      throw error;
    }
  },
  create: (config, context) => new ValidateTransform(config, context.configDir, context.logger),
  examples: [
    {
      title: 'Inline schema',
      config: {
        schema: {
          type: 'object',
          required: ['id', 'email'],
          properties: { id: { type: 'integer', minimum: 1 }, email: { type: 'string', format: 'email' }, tags: { type: 'array', items: { type: 'string' } } },
        },
      },
    },
    { title: 'Schema file, CSV strings coerced to numbers, defaults filled in', config: { schemaFile: 'schemas/order.schema.yaml', coerceTypes: true, useDefaults: true } },
  ],
});
