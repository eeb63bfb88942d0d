// A synchronous evaluator for the everyday subset of JSONata: field paths, literals, object and
// array constructors, arithmetic, comparisons, `and`/`or`/`in`, `&`, conditions, parenthesised
// blocks and a few pure functions. The jsonata package evaluates every node through `await`,
// which caps a simple reshaping expression at well under 100 000 records/s; compiled to plain
// closures, the same expression runs many times faster.
//
// Exactness rule: this evaluator either returns what jsonata would return, or declines (throws
// DECLINE) and the caller evaluates the record with jsonata. Expressions using anything outside
// the subset are not compiled at all (`compileFastEvaluator` returns null). At run time it declines
// on every case where JSONata would raise an error (type errors, infinite numbers), on an array as
// the evaluation context (JSONata's sequence rules differ there), and on non-finite arithmetic
// results. `fast-evaluator.spec.ts` compares it with jsonata on a corpus and on random expressions.
import type { SluiceRecord } from '../record.js';
import {
  decline,
  isFunctionLike,
  isNumeric,
  isTruthy,
  jsonataBoolean,
  jsonataDeepEqual,
  jsonataLength,
  jsonataNumber,
  jsonataRound,
  jsonataString,
  jsonataTrim,
} from './jsonata-semantics.js';

/** Reads the value of a `$variable` from the record being processed. */
export type VariableReader = (record: SluiceRecord) => unknown;

/** Evaluates the expression on `input`; throws DECLINE when jsonata must do it instead. */
export type FastEvaluator = (input: unknown, record: SluiceRecord) => unknown;

type Compiled = (context: unknown, root: unknown, record: SluiceRecord) => unknown;

interface AstNode {
  readonly type: string;
  readonly value?: unknown;
  readonly [property: string]: unknown;
}

class Unsupported extends Error {}

function unsupported(): never {
  throw new Unsupported();
}

const BASE_PROPERTIES = new Set(['type', 'value', 'position']);

/** The parser annotates nodes (predicates, grouping, focus, tuples...): any such annotation is out of the subset. */
function requireOnly(node: AstNode, ...properties: string[]): void {
  for (const property of Object.keys(node)) {
    if (!BASE_PROPERTIES.has(property) && !properties.includes(property)) unsupported();
  }
}

function asNode(value: unknown): AstNode {
  if (typeof value !== 'object' || value === null || typeof (value as AstNode).type !== 'string') unsupported();
  return value as AstNode;
}

function asNodes(value: unknown): AstNode[] {
  if (!Array.isArray(value)) unsupported();
  return value.map(asNode);
}

const hasOwn = Object.prototype.hasOwnProperty;

/** Set by `evaluateName`: whether its result is a JSONata sequence (several matches) rather than data. */
let nameResultIsSequence = false;

/** JSONata's `lookup` over an array: matches of every member, arrays flattened one level. */
function lookupInto(items: readonly unknown[], key: string, out: unknown[]): void {
  for (const item of items) {
    if (Array.isArray(item)) {
      lookupInto(item, key, out);
    } else if (item !== null && typeof item === 'object' && hasOwn.call(item, key) && !isFunctionLike(item)) {
      const value = (item as Record<string, unknown>)[key];
      if (value === undefined) continue;
      if (Array.isArray(value)) for (const member of value) out.push(member);
      else out.push(value);
    }
  }
}

/** A name step applied to one item, as JSONata's `evaluate` returns it (sequences of 0/1 unwrapped). */
function evaluateName(item: unknown, key: string): unknown {
  nameResultIsSequence = false;
  if (Array.isArray(item)) {
    const matches: unknown[] = [];
    lookupInto(item, key, matches);
    if (matches.length === 0) return undefined;
    if (matches.length === 1) return matches[0];
    nameResultIsSequence = true;
    return matches;
  }
  if (item !== null && typeof item === 'object' && hasOwn.call(item, key) && !isFunctionLike(item)) {
    return (item as Record<string, unknown>)[key];
  }
  return undefined;
}

/** JSONata's `evaluatePath` restricted to name steps, optionally starting at a variable. */
function pathEvaluator(start: Compiled | null, keys: readonly string[]): Compiled {
  return (context, root, record) => {
    let sequence: readonly unknown[];
    if (start) {
      const first = start(context, root, record);
      if (first === undefined) return undefined;
      sequence = Array.isArray(first) ? first : [first];
      if (sequence.length === 0) return undefined;
    } else {
      if (Array.isArray(context)) decline();
      sequence = [context];
    }
    let isSequence = true;
    for (let step = 0; step < keys.length; step++) {
      const key = keys[step]!;
      const results: unknown[] = [];
      let firstIsSequence = false;
      for (const item of sequence) {
        const result = evaluateName(item, key);
        if (result === undefined) continue;
        if (results.length === 0) firstIsSequence = nameResultIsSequence;
        results.push(result);
      }
      if (step === keys.length - 1 && results.length === 1 && Array.isArray(results[0]) && !firstIsSequence) {
        // The last step matched one array in the data: JSONata returns that array as it is.
        sequence = results[0] as unknown[];
        isSequence = false;
      } else {
        const flattened: unknown[] = [];
        for (const result of results) {
          if (Array.isArray(result)) for (const member of result) flattened.push(member);
          else flattened.push(result);
        }
        sequence = flattened;
        isSequence = true;
      }
      if (sequence.length === 0) break;
    }
    if (!isSequence) return sequence;
    return sequence.length === 0 ? undefined : sequence.length === 1 ? sequence[0] : sequence;
  };
}

type NumericOperator = '+' | '-' | '*' | '/' | '%';

function arithmetic(operator: NumericOperator, lhs: Compiled, rhs: Compiled): Compiled {
  return (context, root, record) => {
    const left = lhs(context, root, record);
    const right = rhs(context, root, record);
    if (left !== undefined && !isNumeric(left)) decline();
    if (right !== undefined && !isNumeric(right)) decline();
    if (left === undefined || right === undefined) return undefined;
    let result: number;
    switch (operator) {
      case '+': result = left + right; break;
      case '-': result = left - right; break;
      case '*': result = left * right; break;
      case '/': result = left / right; break;
      case '%': result = left % right; break;
    }
    if (!Number.isFinite(result)) decline();
    return result;
  };
}

function comparison(operator: '<' | '<=' | '>' | '>=', lhs: Compiled, rhs: Compiled): Compiled {
  return (context, root, record) => {
    const left = lhs(context, root, record);
    const right = rhs(context, root, record);
    const leftType = typeof left;
    const rightType = typeof right;
    if ((leftType !== 'undefined' && leftType !== 'string' && leftType !== 'number') || (rightType !== 'undefined' && rightType !== 'string' && rightType !== 'number')) decline();
    if (left === undefined || right === undefined) return undefined;
    if (leftType !== rightType) decline();
    const l = left as string | number;
    const r = right as string | number;
    switch (operator) {
      case '<': return l < r;
      case '<=': return l <= r;
      case '>': return l > r;
      case '>=': return l >= r;
    }
  };
}

function binary(node: AstNode, compile: (node: AstNode) => Compiled): Compiled {
  requireOnly(node, 'lhs', 'rhs');
  const lhs = compile(asNode(node.lhs));
  const rhs = compile(asNode(node.rhs));
  const operator = node.value;
  switch (operator) {
    case '+':
    case '-':
    case '*':
    case '/':
    case '%':
      return arithmetic(operator, lhs, rhs);
    case '<':
    case '<=':
    case '>':
    case '>=':
      return comparison(operator, lhs, rhs);
    case '=':
    case '!=': {
      const equal = operator === '=';
      return (context, root, record) => {
        const left = lhs(context, root, record);
        const right = rhs(context, root, record);
        if (left === undefined || right === undefined) return false;
        return jsonataDeepEqual(left, right) === equal;
      };
    }
    case '&':
      return (context, root, record) => {
        const left = lhs(context, root, record);
        const right = rhs(context, root, record);
        return (left === undefined ? '' : jsonataString(left)!) + (right === undefined ? '' : jsonataString(right)!);
      };
    case 'and':
      return (context, root, record) => isTruthy(lhs(context, root, record)) && isTruthy(rhs(context, root, record));
    case 'or':
      return (context, root, record) => isTruthy(lhs(context, root, record)) || isTruthy(rhs(context, root, record));
    case 'in':
      return (context, root, record) => {
        const left = lhs(context, root, record);
        const right = rhs(context, root, record);
        if (left === undefined || right === undefined) return false;
        return Array.isArray(right) ? right.some((member) => member === left) : right === left;
      };
    default:
      return unsupported();
  }
}

function stringArgument(value: unknown): string | undefined {
  if (value !== undefined && typeof value !== 'string') decline();
  return value;
}

function numberArgument(value: unknown): number | undefined {
  if (value !== undefined && !isNumeric(value)) decline();
  return value;
}

/** A pure built-in: the argument counts it is compiled for, and its implementation. */
interface BuiltIn {
  readonly arities: readonly number[];
  readonly call: (...args: unknown[]) => unknown;
}

const unary = (call: (value: unknown) => unknown): BuiltIn => ({ arities: [1], call: call as BuiltIn['call'] });

/** Pure built-in functions by name. Each declines where JSONata's signature check would fail. */
const FUNCTIONS: Readonly<Record<string, BuiltIn>> = {
  string: unary((value) => jsonataString(value)),
  number: unary((value) => jsonataNumber(value)),
  uppercase: unary((value) => stringArgument(value)?.toUpperCase()),
  lowercase: unary((value) => stringArgument(value)?.toLowerCase()),
  trim: unary((value) => {
    const text = stringArgument(value);
    return text === undefined ? undefined : jsonataTrim(text);
  }),
  length: unary((value) => {
    const text = stringArgument(value);
    return text === undefined ? undefined : jsonataLength(text);
  }),
  exists: unary((value) => value !== undefined),
  boolean: unary((value) => jsonataBoolean(value)),
  not: unary((value) => (value === undefined ? undefined : !jsonataBoolean(value))),
  floor: unary((value) => {
    const number = numberArgument(value);
    return number === undefined ? undefined : Math.floor(number);
  }),
  ceil: unary((value) => {
    const number = numberArgument(value);
    return number === undefined ? undefined : Math.ceil(number);
  }),
  abs: unary((value) => {
    const number = numberArgument(value);
    return number === undefined ? undefined : Math.abs(number);
  }),
  round: {
    arities: [1, 2],
    call: (value, precision) => {
      const number = numberArgument(value);
      const places = numberArgument(precision);
      if (number === undefined) return undefined;
      const result = jsonataRound(number, places);
      if (!Number.isFinite(result)) decline();
      return result;
    },
  },
};

/** Names the fast evaluator handles as built-in function calls. */
export const FAST_FUNCTIONS: readonly string[] = Object.keys(FUNCTIONS);

function compiler(variables: ReadonlyMap<string, VariableReader>) {
  const variable = (node: AstNode): Compiled => {
    requireOnly(node);
    const name = node.value;
    if (name === '') return (context) => context;
    if (name === '$') return (_context, root) => root;
    const reader = typeof name === 'string' ? variables.get(name) : undefined;
    if (!reader) return unsupported();
    return (_context, _root, record) => reader(record);
  };

  const compile = (node: AstNode): Compiled => {
    switch (node.type) {
      case 'string':
      case 'number':
      case 'value': {
        requireOnly(node);
        const value = node.value;
        return () => value;
      }
      case 'variable':
        return variable(node);
      case 'path': {
        requireOnly(node, 'steps');
        const steps = asNodes(node.steps);
        const startsWithVariable = steps[0]?.type === 'variable';
        if (steps.length === 0 || (startsWithVariable && steps.length < 2)) return unsupported();
        const start = startsWithVariable ? variable(steps[0]!) : null;
        const keys = (startsWithVariable ? steps.slice(1) : steps).map((step) => {
          requireOnly(step);
          if (step.type !== 'name' || typeof step.value !== 'string') unsupported();
          return step.value;
        });
        return pathEvaluator(start, keys);
      }
      case 'binary':
        return binary(node, compile);
      case 'unary':
        return unary(node);
      case 'condition': {
        requireOnly(node, 'condition', 'then', 'else');
        const condition = compile(asNode(node.condition));
        const then = compile(asNode(node.then));
        const otherwise = node.else === undefined ? null : compile(asNode(node.else));
        return (context, root, record) => {
          if (jsonataBoolean(condition(context, root, record))) return then(context, root, record);
          return otherwise ? otherwise(context, root, record) : undefined;
        };
      }
      case 'block': {
        requireOnly(node, 'expressions');
        const expressions = asNodes(node.expressions).map(compile);
        return (context, root, record) => {
          let result: unknown;
          for (const expression of expressions) result = expression(context, root, record);
          return result;
        };
      }
      case 'function': {
        // The parser gives function calls a `name` property (undefined for ordinary calls).
        if (node.name !== undefined) return unsupported();
        requireOnly(node, 'arguments', 'procedure', 'name');
        const procedure = asNode(node.procedure);
        requireOnly(procedure);
        const builtIn = procedure.type === 'variable' && typeof procedure.value === 'string' && hasOwn.call(FUNCTIONS, procedure.value) ? FUNCTIONS[procedure.value] : undefined;
        const args = asNodes(node.arguments);
        if (node.value !== '(' || !builtIn || !builtIn.arities.includes(args.length)) return unsupported();
        const call = builtIn.call;
        // JSONata passes function-valued arguments on as callbacks (data flagged as a function included).
        const argument = (value: unknown) => (isFunctionLike(value) ? decline() : value);
        const [first, second] = args.map(compile);
        if (!second) return (context, root, record) => call(argument(first!(context, root, record)));
        return (context, root, record) => call(argument(first!(context, root, record)), argument(second(context, root, record)));
      }
      default:
        return unsupported();
    }
  };

  const unary = (node: AstNode): Compiled => {
    switch (node.value) {
      case '-': {
        requireOnly(node, 'expression');
        const operand = compile(asNode(node.expression));
        return (context, root, record) => {
          const value = operand(context, root, record);
          if (value === undefined) return undefined;
          if (!isNumeric(value)) decline();
          return -value;
        };
      }
      case '[': {
        requireOnly(node, 'expressions');
        const items = asNodes(node.expressions).map((item) => ({ evaluate: compile(item), nested: item.value === '[' }));
        return (context, root, record) => {
          const result: unknown[] = [];
          for (const item of items) {
            const value = item.evaluate(context, root, record);
            if (value === undefined) continue;
            if (item.nested || !Array.isArray(value)) result.push(value);
            else for (const member of value) result.push(member);
          }
          return result;
        };
      }
      case '{': {
        requireOnly(node, 'lhs');
        if (!Array.isArray(node.lhs)) return unsupported();
        const seen = new Set<string>();
        const pairs = (node.lhs as unknown[]).map((pair): readonly [string, Compiled] => {
          if (!Array.isArray(pair) || pair.length !== 2) return unsupported();
          const keyNode = asNode(pair[0]);
          requireOnly(keyNode);
          const key = keyNode.value;
          // Static, distinct keys only; JSONata rejects its internal flag names, and `__proto__`
          // cannot be assigned as a plain property.
          if (keyNode.type !== 'string' || typeof key !== 'string' || seen.has(key)) return unsupported();
          if (key === '_jsonata_lambda' || key === '_jsonata_function' || key === '__proto__') return unsupported();
          seen.add(key);
          return [key, compile(asNode(pair[1]))];
        });
        return (context, root, record) => {
          // JSONata groups an array context member by member: left to it.
          if (Array.isArray(context)) decline();
          const result: Record<string, unknown> = {};
          for (const [key, value] of pairs) {
            const evaluated = value(context, root, record);
            if (evaluated !== undefined) result[key] = evaluated;
          }
          return result;
        };
      }
      default:
        return unsupported();
    }
  };

  return compile;
}

/**
 * Compiles a JSONata AST (`jsonata(source).ast()`) into a fast evaluator, or returns null when the
 * expression uses anything outside the subset. `variables` are the `$names` bound from the record.
 */
export function compileFastEvaluator(ast: unknown, variables: ReadonlyMap<string, VariableReader>): FastEvaluator | null {
  let root: Compiled;
  try {
    root = compiler(variables)(asNode(ast));
  } catch (error) {
    if (error instanceof Unsupported) return null;
    throw error;
  }
  return (input, record) => {
    // JSONata wraps an array input in a sequence of its own: left to it.
    if (Array.isArray(input)) decline();
    return root(input, input, record);
  };
}
