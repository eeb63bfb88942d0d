import jsonata from 'jsonata';
import type { ConfigIssue } from '../config-validation.js';
import type { SluiceRecord } from '../record.js';
import { compileFastEvaluator, type FastEvaluator, type VariableReader } from './fast-evaluator.js';
import type { ExpressionResult, MaybePromise } from './expression-result.js';
import { DECLINE } from './jsonata-semantics.js';
import { toPlainJson } from './plain-json.js';

/**
 * The deepest nesting of JSONata evaluation steps a record may reach (error D1011 beyond). jsonata
 * evaluates through promises, so a runaway recursive function never overflows the call stack: it
 * would grow the heap until the process dies. Ordinary expressions stay far below this (a
 * recursive function uses about three levels per call, so it allows some 600 nested calls).
 */
export const MAX_EVALUATION_DEPTH = 2_000;

/**
 * Default bound on the time jsonata may spend on one record (error D1012 beyond). Tail calls are
 * trampolined, so a tail-recursive loop escapes the depth bound, and while it runs it starves the
 * event loop (every step is a resolved promise). The fast evaluator has no loops and no bound.
 */
export const DEFAULT_EVALUATION_TIMEOUT_MS = 1_000;

export interface ExpressionOptions {
  /** Bound on jsonata's evaluation time per record, in ms. */
  readonly timeoutMs?: number;
}

/** The shape of the errors jsonata throws (plain objects, not Error instances). */
interface JsonataErrorShape {
  readonly code?: string;
  readonly position?: number;
  readonly token?: string;
  readonly message?: string;
  readonly value?: unknown;
}

function asJsonataError(error: unknown): JsonataErrorShape {
  return typeof error === 'object' && error !== null ? (error as JsonataErrorShape) : { message: String(error) };
}

/** A few characters of `source` before `position` (JSONata positions count from 1, at the token's end). */
function excerpt(source: string, position: number): string {
  const end = Math.max(0, Math.min(source.length, position));
  const start = Math.max(0, end - 24);
  return `${start > 0 ? '…' : ''}${source.slice(start, end)}`;
}

/** The expression does not parse. `position` is JSONata's (1-based, end of the offending token). */
export class ExpressionSyntaxError extends Error {
  constructor(
    readonly source: string,
    readonly code: string | undefined,
    readonly position: number | undefined,
    reason: string,
  ) {
    super(
      position === undefined
        ? `${reason}${code ? ` (${code})` : ''}`
        : `${reason} (${code ? `${code}, ` : ''}at position ${position}, after "${excerpt(source, position)}")`,
    );
    this.name = 'ExpressionSyntaxError';
  }
}

/** The expression failed on a record (a type error, a non-JSON result...). Always a data problem. */
export class ExpressionEvaluationError extends Error {
  constructor(
    message: string,
    readonly code?: string,
    readonly position?: number,
    readonly token?: string,
  ) {
    super(message);
    this.name = 'ExpressionEvaluationError';
  }

  static from(error: unknown): ExpressionEvaluationError {
    if (error instanceof ExpressionEvaluationError) return error;
    if (error instanceof Error) return new ExpressionEvaluationError(error.message);
    const shape = asJsonataError(error);
    const where = [shape.code, shape.position === undefined ? undefined : `position ${shape.position}`, shape.token ? `token "${shape.token}"` : undefined].filter(Boolean).join(', ');
    return new ExpressionEvaluationError(`${shape.message ?? 'evaluation failed'}${where ? ` (${where})` : ''}`, shape.code, shape.position, shape.token);
  }

  /** Structured details for dead-letter reports. */
  get details(): Record<string, unknown> {
    return { code: this.code, position: this.position, token: this.token };
  }
}

/** What an AST walk finds out about an expression. */
interface AstFacts {
  /** `$names` the expression mentions. */
  readonly variables: Set<string>;
  /** Whether it uses the `[]` keep-array operator. */
  keepsArrays: boolean;
}

function inspect(node: unknown, facts: AstFacts): void {
  if (Array.isArray(node)) {
    for (const member of node) inspect(member, facts);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const candidate = node as { type?: unknown; value?: unknown; keepArray?: unknown; keepSingletonArray?: unknown };
  if (candidate.type === 'variable' && typeof candidate.value === 'string') facts.variables.add(candidate.value);
  if (candidate.keepArray === true || candidate.keepSingletonArray === true) facts.keepsArrays = true;
  for (const [property, child] of Object.entries(node)) {
    if (property !== 'value' && typeof child === 'object' && child !== null) inspect(child, facts);
  }
}

/**
 * A compiled JSONata expression bound to a record's envelope variables.
 *
 * Evaluation: {@link evaluate} is the one way to evaluate. It returns the result itself when the
 * fast evaluator (a synchronous evaluator of the common JSONata subset: plain closures, no
 * promises) handles the record, and a promise of it when the record needs the jsonata package
 * (asynchronous: functions outside the subset, or a record the fast evaluator declines, such as one
 * JSONata reports a type error for). Both give the same result for the same record; a failure is
 * always a rejected promise of an {@link ExpressionEvaluationError}, never a synchronous throw. To
 * use results without caring which evaluator ran and without a promise on the fast path, compose
 * them with {@link whenEvaluated}, {@link allEvaluated} or {@link runEvaluationSteps}:
 *
 * ```ts
 * process(record: SluiceRecord): TransformOutput | Promise<TransformOutput> {
 *   return whenEvaluated(this.condition.evaluate(record.value, record), (result) => (jsonataTruthy(result) ? record : null), failure);
 * }
 * ```
 *
 * Performance: the expression is parsed once; only records the fast evaluator declines go through
 * the jsonata package. For those, only the variables the expression mentions are bound (no
 * per-record binding object otherwise). Results are always plain JSON (no JSONata sequences, no
 * prototype-less objects, no functions), never a promise themselves.
 */
export class JsonataExpression {
  private readonly bound: ReadonlyArray<readonly [string, VariableReader]>;
  /**
   * jsonata marks the arrays a `[]` path returns by setting a property on them, input arrays
   * included (and fails on frozen ones). Such expressions, and `$eval` (which may parse one at run
   * time), get a copy of the input and bindings.
   */
  private readonly copiesInput: boolean;

  private constructor(
    readonly source: string,
    private readonly expression: jsonata.Expression,
    private readonly fast: FastEvaluator | null,
    variables: ReadonlyMap<string, VariableReader>,
  ) {
    const facts: AstFacts = { variables: new Set(), keepsArrays: false };
    inspect(expression.ast(), facts);
    // `$eval()` evaluates a string as an expression in the current scope: bind everything then.
    const evaluatesText = facts.variables.has('eval');
    this.bound = [...variables].filter(([name]) => evaluatesText || facts.variables.has(name));
    this.copiesInput = evaluatesText || facts.keepsArrays;
  }

  /**
   * Parses `source`; throws {@link ExpressionSyntaxError}. `variables` are the `$names` bound per
   * record; `options.timeoutMs` bounds jsonata's time per record.
   */
  static compile(source: string, variables: ReadonlyMap<string, VariableReader>, options: ExpressionOptions = {}): JsonataExpression {
    let expression: jsonata.Expression;
    try {
      expression = jsonata(source, { stack: MAX_EVALUATION_DEPTH, timeout: options.timeoutMs ?? DEFAULT_EVALUATION_TIMEOUT_MS });
    } catch (error) {
      const shape = asJsonataError(error);
      throw new ExpressionSyntaxError(source, shape.code, shape.position, shape.message ?? 'invalid expression');
    }
    return new JsonataExpression(source, expression, compileFastEvaluator(expression.ast(), variables), variables);
  }

  /** Config issues for an expression field: none when it compiles. */
  static issues(path: string, source: unknown, variables: ReadonlyMap<string, VariableReader>): ConfigIssue[] {
    if (typeof source !== 'string') return [];
    try {
      JsonataExpression.compile(source, variables);
      return [];
    } catch (error) {
      return [{ path, message: `JSONata expression does not compile: ${(error as Error).message}` }];
    }
  }

  /**
   * Whether the fast evaluator handles this expression at all (records it declines still go
   * through jsonata). For tests and diagnostics only: evaluation never depends on it.
   */
  get accelerated(): boolean {
    return this.fast !== null;
  }

  /**
   * Evaluates on `input` (usually the record value) with the record's variables: the plain-JSON
   * result (undefined when the expression yields nothing), or a promise of it when the jsonata
   * package must evaluate this record. A failure is a rejected promise of an
   * {@link ExpressionEvaluationError}, on either evaluator; this method never throws.
   */
  evaluate(input: unknown, record: SluiceRecord): MaybePromise<ExpressionResult> {
    if (this.fast !== null) {
      try {
        return this.fast(input, record) as ExpressionResult;
      } catch (error) {
        if (error !== DECLINE) return Promise.reject(ExpressionEvaluationError.from(error));
      }
    }
    return this.evaluateWithJsonata(input, record);
  }

  /** The jsonata package's evaluation: binds the variables the expression uses, copies input where jsonata would mark it. */
  private async evaluateWithJsonata(input: unknown, record: SluiceRecord): Promise<ExpressionResult> {
    let bindings: Record<string, unknown> | undefined;
    if (this.bound.length > 0) {
      bindings = {};
      for (const [name, read] of this.bound) bindings[name] = this.copiesInput ? structuredClone(read(record)) : read(record);
    }
    try {
      return toPlainJson(await this.expression.evaluate(this.copiesInput ? structuredClone(input) : input, bindings)) as ExpressionResult;
    } catch (error) {
      throw ExpressionEvaluationError.from(error);
    }
  }
}
