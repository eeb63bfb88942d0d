import { ValidateBy, ValidateNested, type ValidationArguments } from 'class-validator';

// Validation decorators shared by the sections of the config file schema (config-schema.ts,
// jobs-schema.ts): their messages are what `sluice validate` prints, so every section says the
// same thing about the same mistake.

export const missing = (value: unknown): boolean => value === undefined || value === null;

export const isPlainMapping = (value: unknown): boolean => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The message for a value that is no mapping (validateFileSchema relies on it). */
export const MAPPING = 'must be a mapping (key: value)';

/** A required, non-empty string: "is required", "must be a string" or "must not be empty". */
export function IsRequiredString(): PropertyDecorator {
  return ValidateBy({
    name: 'isRequiredString',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && value.trim() !== '',
      defaultMessage: ({ value }: ValidationArguments) => (missing(value) ? 'is required' : typeof value === 'string' ? 'must not be empty' : 'must be a string'),
    },
  });
}

/** A required mapping validated as a nested class. */
export function IsRequiredMapping(): PropertyDecorator {
  return ValidateBy({
    name: 'isRequiredMapping',
    validator: {
      validate: isPlainMapping,
      defaultMessage: ({ value }: ValidationArguments) => (missing(value) ? 'is required' : MAPPING),
    },
  });
}

/** An optional mapping validated as a nested class. */
export function IsMapping(): PropertyDecorator {
  return ValidateBy({
    name: 'isMapping',
    validator: {
      validate: (value: unknown) => missing(value) || (typeof value === 'object' && !Array.isArray(value)),
      defaultMessage: () => MAPPING,
    },
  });
}

/** A list (of mappings, checked by the nested validation): "is required", "must be a list", "must not be empty". */
export function IsList(options: { required?: string }): PropertyDecorator {
  return ValidateBy({
    name: 'isList',
    validator: {
      validate: (value: unknown) => (missing(value) ? !options.required : Array.isArray(value) && (!options.required || value.length > 0)),
      defaultMessage: ({ value }: ValidationArguments) => {
        if (missing(value)) return `is required (${options.required})`;
        if (!Array.isArray(value)) return 'must be a list';
        return `must not be empty (${options.required})`;
      },
    },
  });
}

/**
 * Validates a nested class (or each item of a list of them). A value that is no mapping gets
 * {@link MAPPING}; for a list that is no list at all, {@link validateFileSchema} keeps the list
 * check's message instead.
 */
export function Nested(each = false): PropertyDecorator {
  return ValidateNested({ each, message: MAPPING });
}
