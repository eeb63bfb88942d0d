import 'reflect-metadata';
import { Allow, getMetadataStorage } from 'class-validator';

/** Documentation of one config field, declared next to its class-validator decorators. */
export interface FieldOptions {
  /** One or two sentences: what the field does, its unit, what the default means. */
  readonly description: string;
  /** An example value shown in generated docs. */
  readonly example?: unknown;
  /** The value is a secret (password, token): never logged, never shown, redacted in APIs. */
  readonly secret?: boolean;
  /** For a nested object or an array of objects: its config class, documented recursively. */
  readonly nested?: () => new () => object;
}

const FIELD_DOCS = Symbol.for('sluice.sdk.field-docs');

/**
 * Documents a config field. Every field of a plugin's config class carries one: `sluice plugins`
 * and the generated docs read them, together with the class-validator constraints and the defaults.
 */
export function Field(options: FieldOptions): PropertyDecorator {
  return (target, propertyKey) => {
    // A documented field is a known field: whitelisting keeps it through validation even when it
    // carries no other class-validator decorator.
    Allow()(target, propertyKey as string);
    const docs: Map<string, FieldOptions> = Reflect.getOwnMetadata(FIELD_DOCS, target.constructor) ?? new Map();
    docs.set(String(propertyKey), options);
    Reflect.defineMetadata(FIELD_DOCS, docs, target.constructor);
  };
}

/** The documentation of one field, as `sluice plugins` shows it. */
export interface FieldDoc {
  readonly name: string;
  readonly type: string;
  readonly required: boolean;
  readonly default?: unknown;
  readonly description: string;
  readonly example?: unknown;
  readonly secret: boolean;
  /** Human-readable class-validator constraints, e.g. `min(1)`, `isIn(csv, json)`. */
  readonly constraints: readonly string[];
  readonly fields?: readonly FieldDoc[];
}

function ownAndInheritedDocs(configClass: Function): Map<string, FieldOptions> {
  const chain: Function[] = [];
  for (let c: Function | null = configClass; c && c !== Function.prototype; c = Object.getPrototypeOf(c)) chain.unshift(c);
  const docs = new Map<string, FieldOptions>();
  for (const c of chain) {
    const own: Map<string, FieldOptions> | undefined = Reflect.getOwnMetadata(FIELD_DOCS, c);
    own?.forEach((value, key) => docs.set(key, value));
  }
  return docs;
}

function typeName(configClass: Function, property: string): string {
  const designType: unknown = Reflect.getMetadata('design:type', configClass.prototype, property);
  if (designType === String) return 'string';
  if (designType === Number) return 'number';
  if (designType === Boolean) return 'boolean';
  if (designType === Array) return 'array';
  if (designType === Object || designType === undefined) return 'any';
  return typeof designType === 'function' ? 'object' : 'any';
}

/** The names of the fields a config class declares (documented or validated). */
export function configFieldNames(configClass: new () => object): string[] {
  const names = new Set(ownAndInheritedDocs(configClass).keys());
  for (const meta of getMetadataStorage().getTargetValidationMetadatas(configClass, '', true, false)) names.add(meta.propertyName);
  return [...names];
}

/** Reads a config class into documentation: names, types, defaults, constraints, descriptions. */
export function describeConfig(configClass: new () => object): FieldDoc[] {
  const docs = ownAndInheritedDocs(configClass);
  const storage = getMetadataStorage();
  const validations = storage.getTargetValidationMetadatas(configClass, '', true, false);
  const defaults = new configClass() as Record<string, unknown>;
  return configFieldNames(configClass).map((name) => {
    const own = validations.filter((v) => v.propertyName === name);
    const optional = own.some((v) => v.type === 'conditionalValidation');
    const constraints = own
      .filter((v) => v.type !== 'conditionalValidation' && v.type !== 'nestedValidation' && v.type !== 'whitelistValidation')
      .map((v) => {
        const label = v.name ?? v.type;
        const args = (v.constraints ?? []).filter((c) => c !== undefined && c !== null && typeof c !== 'function' && (typeof c !== 'object' || Array.isArray(c) || c instanceof RegExp));
        const show = (a: unknown) => (Array.isArray(a) ? a.join(', ') : a instanceof RegExp ? String(a) : String(a));
        return args.length ? `${label}(${args.map(show).join(', ')})` : label;
      });
    const doc = docs.get(name);
    const nested = doc?.nested?.();
    const defaultValue = defaults[name];
    const declared = typeName(configClass, name);
    const defaultType = defaults[name] === undefined ? undefined : Array.isArray(defaults[name]) ? 'array' : typeof defaults[name];
    return {
      name,
      type: declared === 'any' && defaultType ? defaultType : declared,
      required: !optional && defaultValue === undefined,
      ...(defaultValue === undefined ? {} : { default: doc?.secret ? '<secret>' : defaultValue }),
      description: doc?.description ?? '',
      ...(doc?.example === undefined ? {} : { example: doc.example }),
      secret: doc?.secret ?? false,
      constraints,
      ...(nested ? { fields: describeConfig(nested) } : {}),
    };
  });
}

/** Names of the secret fields of a config class (top level), for redaction. */
export function secretFieldNames(configClass: new () => object): string[] {
  return [...ownAndInheritedDocs(configClass)].filter(([, o]) => o.secret).map(([name]) => name);
}
