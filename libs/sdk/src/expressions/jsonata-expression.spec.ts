import { describe, expect, it } from '@jest/globals';
import { makeRecord } from '../testing/make-record.js';
import { DEFAULT_EVALUATION_TIMEOUT_MS, ExpressionEvaluationError, ExpressionSyntaxError, JsonataExpression } from './jsonata-expression.js';
import { RECORD_AND_INPUT_VARIABLES, RECORD_VARIABLES } from './record-variables.js';

const record = makeRecord({ a: 1, b: 'x' }, { key: 'k', headers: { h: 'v' }, timestamp: 5, origin: { pipeline: 'p', source: 's', lane: 'l', offset: 3 } });

describe('JsonataExpression.compile', () => {
  it('throws a syntax error naming code, position and the text before it', () => {
    const attempt = () => JsonataExpression.compile('{"a": b +}', RECORD_VARIABLES);
    expect(attempt).toThrow(ExpressionSyntaxError);
    expect(attempt).toThrow('The symbol "}" cannot be used as a unary operator (S0211, at position 10, after "{"a": b +}")');
  });

  it('shortens the excerpt of long expressions', () => {
    const source = `{"first": a, "second": b, "third": c, "fourth": ]}`;
    expect(() => JsonataExpression.compile(source, RECORD_VARIABLES)).toThrow(/after "….{1,24}"\)$/);
  });

  it('reports a config issue for an expression that does not compile, none otherwise', () => {
    expect(JsonataExpression.issues('condition', 'a =', RECORD_VARIABLES)).toEqual([
      { path: 'condition', message: 'JSONata expression does not compile: Unexpected end of expression (S0207, at position 3, after "a =")' },
    ]);
    expect(JsonataExpression.issues('condition', 'a = 1', RECORD_VARIABLES)).toEqual([]);
    expect(JsonataExpression.issues('key', undefined, RECORD_VARIABLES)).toEqual([]);
  });

  it('says whether the fast evaluator handles the expression', () => {
    expect(JsonataExpression.compile('a + 1', RECORD_VARIABLES).accelerated).toBe(true);
    expect(JsonataExpression.compile('$sum([a, 1])', RECORD_VARIABLES).accelerated).toBe(false);
    expect(JsonataExpression.compile('$input.a', RECORD_VARIABLES).accelerated).toBe(false);
    expect(JsonataExpression.compile('$input.a', RECORD_AND_INPUT_VARIABLES).accelerated).toBe(true);
  });
});

describe('JsonataExpression evaluation', () => {
  it('returns the result itself when the fast evaluator answers, and a promise when jsonata must', async () => {
    expect(JsonataExpression.compile('a + 1', RECORD_VARIABLES).evaluate(record.value, record)).toBe(2);
    expect(JsonataExpression.compile('{"k": $key, "a": a}', RECORD_VARIABLES).evaluate(record.value, record)).toEqual({ k: 'k', a: 1 });
    const slow = JsonataExpression.compile('$sum([a, 1])', RECORD_VARIABLES);
    const pending = slow.evaluate(record.value, record);
    expect(pending).toBeInstanceOf(Promise);
    await expect(pending).resolves.toBe(2);
    // A record the fast evaluator declines (a type error) is evaluated by jsonata, which reports it.
    const declined = JsonataExpression.compile('b + 1', RECORD_VARIABLES).evaluate(record.value, record);
    expect(declined).toBeInstanceOf(Promise);
    await expect(declined).rejects.toThrow(ExpressionEvaluationError);
    await expect(declined).rejects.toThrow('The left side of the "+" operator must evaluate to a number');
  });

  it('reports a failure on the fast evaluator as a rejected promise, never as a throw', async () => {
    const failing = new Map([['broken', () => { throw new TypeError('no such header'); }]]);
    const expression = JsonataExpression.compile('$broken', failing);
    expect(expression.accelerated).toBe(true);
    let evaluation: unknown;
    expect(() => (evaluation = expression.evaluate(record.value, record))).not.toThrow();
    expect(evaluation).toBeInstanceOf(Promise);
    const error = await (evaluation as Promise<unknown>).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExpressionEvaluationError);
    expect((error as Error).message).toBe('no such header');
  });

  it('binds the record variables on the jsonata path, only those mentioned, all of them for $eval', async () => {
    const viaJsonata = JsonataExpression.compile('$merge([{"k": $key, "h": $headers.h, "t": $timestamp, "o": $origin.offset}])', RECORD_VARIABLES);
    await expect(viaJsonata.evaluate(record.value, record)).resolves.toEqual({ k: 'k', h: 'v', t: 5, o: 3 });
    await expect(JsonataExpression.compile('$eval("$key & $string($timestamp)")', RECORD_VARIABLES).evaluate(record.value, record)).resolves.toBe('k5');
    await expect(JsonataExpression.compile('$count([1, 2])', RECORD_VARIABLES).evaluate(record.value, record)).resolves.toBe(2);
  });

  it('binds $input only where asked', async () => {
    await expect(JsonataExpression.compile('$count([$input.a])', RECORD_AND_INPUT_VARIABLES).evaluate('other', record)).resolves.toBe(1);
    await expect(JsonataExpression.compile('$count([$input.a])', RECORD_VARIABLES).evaluate('other', record)).resolves.toBe(0);
  });

  it('turns jsonata errors into evaluation errors with code, position and token', async () => {
    const error = await Promise.resolve(JsonataExpression.compile('$number(b)', RECORD_VARIABLES).evaluate(record.value, record)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExpressionEvaluationError);
    expect((error as ExpressionEvaluationError).message).toBe('Unable to cast value to a number: "x" (D3030, position 8, token "number")');
    expect((error as ExpressionEvaluationError).details).toEqual({ code: 'D3030', position: 8, token: 'number' });
  });

  it('stops runaway recursion with an evaluation error instead of exhausting the heap', async () => {
    const recursive = (n: number) => JsonataExpression.compile(`($f := function($n) { $n = 0 ? 0 : 1 + $f($n - 1) }; $f(${n}))`, RECORD_VARIABLES);
    await expect(recursive(300).evaluate(record.value, record)).resolves.toBe(300);
    await expect(recursive(1_000_000).evaluate(record.value, record)).rejects.toThrow(/^Stack overflow\. Check for non-terminating recursive function\..*\(D1011/);
  });
});

describe('JsonataExpression time bound', () => {
  it('stops an endless tail-recursive loop after timeoutMs (default 1 s)', async () => {
    const loop = '($f := function($n) { $f($n + 1) }; $f(0))';
    await expect(JsonataExpression.compile(loop, RECORD_VARIABLES, { timeoutMs: 40 }).evaluate(record.value, record)).rejects.toThrow(/^Evaluation timeout after 40 milliseconds\. Check for infinite loop \(D1012/);
    expect(DEFAULT_EVALUATION_TIMEOUT_MS).toBe(1_000);
  });
});

describe('ExpressionEvaluationError.from', () => {
  it('describes Error instances, jsonata error objects and anything else', () => {
    expect(ExpressionEvaluationError.from(new RangeError('too deep')).message).toBe('too deep');
    expect(ExpressionEvaluationError.from({ code: 'T2001', position: 4, token: '+', message: 'not a number' }).message).toBe('not a number (T2001, position 4, token "+")');
    expect(ExpressionEvaluationError.from({ code: 'X1' }).message).toBe('evaluation failed (X1)');
    expect(ExpressionEvaluationError.from('boom').message).toBe('boom');
  });
});
