import { describe, expect, it } from '@jest/globals';
import jsonata from 'jsonata';
import { makeRecord } from '../testing/make-record.js';
import type { SluiceRecord } from '../record.js';
import { compileFastEvaluator } from './fast-evaluator.js';
import { DECLINE } from './jsonata-semantics.js';
import { toPlainJson } from './plain-json.js';
import { RECORD_AND_INPUT_VARIABLES } from './record-variables.js';
import { SeededRandom } from '../../../../bench/csv/seeded-random.js';

// The fast evaluator must return exactly what the jsonata package returns, or decline. These tests
// run both on the same expressions and inputs (deep-frozen, so any mutation would throw).

type Outcome = { readonly kind: 'value'; readonly value: unknown } | { readonly kind: 'error'; readonly code: string };

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const member of Object.values(value)) deepFreeze(member);
    Object.freeze(value);
  }
  return value;
}

function recordFor(value: unknown): SluiceRecord {
  return deepFreeze(
    makeRecord(value, {
      key: 'k-1',
      headers: { h: 'header value', n: '12' },
      timestamp: 1_700_000_000_000,
      origin: { pipeline: 'orders', source: 'file', lane: '/data/a.jsonl', offset: 7 },
    }),
  );
}

async function viaJsonata(source: string, record: SluiceRecord): Promise<Outcome> {
  try {
    const result = await jsonata(source).evaluate(record.value, {
      key: record.key,
      headers: record.headers,
      timestamp: record.timestamp,
      origin: record.origin,
      input: record.value,
    });
    return { kind: 'value', value: toPlainJson(result) };
  } catch (error) {
    return { kind: 'error', code: String((error as { code?: string }).code ?? (error as Error).message) };
  }
}

type FastOutcome = { readonly kind: 'value'; readonly value: unknown } | { readonly kind: 'declined' };

function viaFastPath(source: string, record: SluiceRecord): FastOutcome | null {
  const evaluate = compileFastEvaluator(jsonata(source).ast(), RECORD_AND_INPUT_VARIABLES);
  if (!evaluate) return null;
  try {
    return { kind: 'value', value: evaluate(record.value, record) };
  } catch (error) {
    if (error === DECLINE) return { kind: 'declined' };
    throw error;
  }
}

const INPUTS: unknown[] = [
  {},
  { a: 1, b: 2 },
  { a: 'x', b: 'y' },
  { a: 1.1, b: 2.2 },
  { a: 0.1, b: 0.2 },
  { a: 0, b: -3 },
  { a: null, b: true },
  { a: true, b: false },
  { a: [1, 2, 3], b: [1] },
  { a: [], b: {} },
  { a: { b: { c: 5 } }, b: 'str' },
  { a: { b: [1] } },
  { a: { b: [] } },
  { a: [{ b: 1 }, { b: [2, 3] }, { c: 4 }] },
  { a: [{ b: [1] }, { c: 1 }] },
  { a: [{ b: 1 }] },
  { a: [[{ b: 1 }], { b: 2 }] },
  { a: [{ b: { c: 1 } }, { b: { c: [2, 3] } }] },
  { a: [{ b: [[1, 2]] }] },
  { a: '  spaced \t\n text ', b: 'Mixed Case' },
  { a: '12.5', b: '0x1F' },
  { a: '-3e2', b: ' 7' },
  { a: 'abc', b: 'abd' },
  { a: { x: 1 }, b: { x: 1 } },
  { a: { x: 1, y: [1, { z: 2 }] }, b: { y: [1, { z: 2 }], x: 1 } },
  { a: [1, 2], b: [1, 2] },
  { a: [1], b: 1 },
  { a: 1e308, b: 1e308 },
  { a: 5, b: 0 },
  { a: { _jsonata_lambda: true, b: 1 } },
  { a: 'héllo😀', b: '' },
  { a: { '1': 'one', z: 'zed' }, b: ['x', 'y'] },
  'scalar',
  42,
  null,
  true,
  [1, 2],
  [{ a: 1 }, { a: 2 }],
];

const SUBSET = [
  'a', 'b', 'a.b', 'a.b.c', 'a.c', 'x', 'a.b.c.d', '`a`', '$', '$$', '$.a', '$$.a.b', '$.a.b',
  '$key', '$headers', '$headers.h', '$headers.missing', '$origin.source', '$origin.offset', '$timestamp', '$input', '$input.a',
  '"lit"', '42', '1.5', 'true', 'false', 'null', '-a', '-(a)', '-5', '-b',
  'a + b', 'a - b', 'a * b', 'a / b', 'a % b', 'a * 2', 'a / 0', '0 / 0', 'a + 1 - b * 2', '$timestamp + 1000',
  'a = b', 'a != b', 'a = 1', 'a = "x"', 'a.b = b', 'a < b', 'a <= b', 'a > b', 'a >= b', 'a > 0', 'a < "m"',
  'a & b', 'a & "-" & b', '$key & ":" & a', 'a.b & ""', 'x & x',
  'a and b', 'a or b', 'a and b or $not(a)', 'x or a', 'a in b', '1 in a', '"x" in [a, b]', 'b in a', 'a.b in [1, 2]',
  'a ? b : "no"', 'a ? b', 'a > 0 ? "pos" : a < 0 ? "neg" : "zero"', 'x ? 1 : 2',
  '(a)', '(a; b)', '()', '(x; a.b)',
  '{"x": a, "y": b}', '{"x": a.b, "y": {"z": b}}', '{"sum": a + b, "txt": a & b, "flag": a > b}', '{"x": $}', '{}',
  '{"k": $key, "h": $headers.h, "src": $origin.pipeline & "/" & $origin.source}', '{"1": a, "z": b, "0": x}', '{"nested": {"deep": {"v": a.b}}}',
  '[a, b]', '[a, [b]]', '[]', '[[a]]', '[a.b]', '[a.b, x, "c"]', '[{"v": a}]',
  '$string(a)', '$string(b)', '$string(a.b)', '$number(a)', '$number(b)', '$uppercase(a)', '$lowercase(b)', '$trim(a)', '$length(a)',
  '$exists(a)', '$exists(a.b)', '$exists(x)', '$boolean(a)', '$boolean(b)', '$boolean(a.b)', '$not(a)', '$not(x)',
  '$floor(a)', '$ceil(a)', '$abs(b)', '$uppercase(x)', '$number(x)', '$string(1.1 + 2.2)', '$string(0.1 + 0.2)',
  '$round(a)', '$round(b)', '$round(a * 100)', '$round(a, 1)', '$round(b, -1)', '$round(a, b)', '$round(x, 2)', '$round(a, x)',
  '$round(2.5)', '$round(3.5)', '$round(-2.5)', '$round(-0.4)', '$round(1.005, 2)', '$round(12345.675, 2)', '$round(1e21, 2)', '$round(1.5e-7, 7)',
];

const OUTSIDE_SUBSET = [
  'a[0]', 'a.b[0]', 'a[b > 1]', 'a[]', '$map(a, function($v){$v})', '$count(a)', '$sum(a)', 'a.{"x": b}', '($x := 1; $x)',
  '{"a": 1, "a": 2}', '{a: 1}', '{"__proto__": 1}', '$now()', '$millis()', '**', 'a.*', '$foo', 'a ~> $string', '1..3', '$uppercase',
  '$string(a, true)', '$uppercase()', '$round()', '$round(a, 1, 2)', '$substring(a, 1)', 'a.$', 'a#$i', 'a@$x', 'a^(b)', '$eval("a")', 'function($x){$x}', 'a{b: c}',
  '$string', '"a" ~> $uppercase()', '$lookup($, "a")', '$.(a)', '%.a',
];

describe('fast evaluator: coverage of the subset', () => {
  it.each(SUBSET)('compiles %s', (source) => {
    expect(compileFastEvaluator(jsonata(source).ast(), RECORD_AND_INPUT_VARIABLES)).not.toBeNull();
  });

  it.each(OUTSIDE_SUBSET)('leaves %s to jsonata', (source) => {
    let ast: unknown;
    try {
      ast = jsonata(source).ast();
    } catch {
      return; // not even valid JSONata: nothing to compile
    }
    expect(compileFastEvaluator(ast, RECORD_AND_INPUT_VARIABLES)).toBeNull();
  });

  it('leaves variables it does not know to jsonata (they may be bound elsewhere)', () => {
    expect(compileFastEvaluator(jsonata('$input.a').ast(), new Map())).toBeNull();
  });
});

describe('fast evaluator: agrees with jsonata', () => {
  it('on every subset expression and input: same value, or declines where jsonata fails', async () => {
    let succeeded = 0;
    let handled = 0;
    const mismatches: string[] = [];
    for (const source of SUBSET) {
      for (const input of INPUTS) {
        const record = recordFor(structuredClone(input));
        const expected = await viaJsonata(source, record);
        const actual = viaFastPath(source, record)!;
        if (expected.kind === 'value' && !Array.isArray(input)) succeeded++;
        if (actual.kind === 'declined') continue;
        handled++;
        if (expected.kind === 'error') {
          mismatches.push(`${source} on ${JSON.stringify(input)}: jsonata fails with ${expected.code}, fast path returned ${JSON.stringify(actual.value)}`);
        } else {
          try {
            expect(actual.value).toStrictEqual(expected.value);
          } catch {
            mismatches.push(`${source} on ${JSON.stringify(input)}: jsonata ${JSON.stringify(expected.value)}, fast path ${JSON.stringify(actual.value)}`);
          }
        }
      }
    }
    expect(mismatches).toEqual([]);
    // It declines only exceptional cases: nearly every successful evaluation is handled.
    expect(handled / succeeded).toBeGreaterThan(0.95);
  });

  it('declines on array values (JSONata sequence rules) and on type errors, which jsonata then reports', async () => {
    expect(viaFastPath('a', recordFor([{ a: 1 }]))).toEqual({ kind: 'declined' });
    expect(viaFastPath('a + 1', recordFor({ a: 'x' }))).toEqual({ kind: 'declined' });
    expect(await viaJsonata('a + 1', recordFor({ a: 'x' }))).toEqual({ kind: 'error', code: 'T2001' });
    expect(viaFastPath('a < 1', recordFor({ a: 'x' }))).toEqual({ kind: 'declined' });
    expect(viaFastPath('$uppercase(a)', recordFor({ a: 1 }))).toEqual({ kind: 'declined' });
    expect(viaFastPath('a / b', recordFor({ a: 1, b: 0 }))).toEqual({ kind: 'declined' });
  });

  it('returns data arrays and sub-objects as JSONata does (singletons unwrapped, one matched array kept)', () => {
    expect(viaFastPath('a.b', recordFor({ a: [{ b: 1 }, { c: 2 }] }))).toEqual({ kind: 'value', value: 1 });
    expect(viaFastPath('a.b', recordFor({ a: [{ b: [1] }, { c: 2 }] }))).toEqual({ kind: 'value', value: [1] });
    expect(viaFastPath('a.b', recordFor({ a: [{ b: [1, 2] }, { b: 3 }] }))).toEqual({ kind: 'value', value: [1, 2, 3] });
    expect(viaFastPath('{"x": a.b}', recordFor({ a: [{ b: 1 }, { b: 2 }] }))).toEqual({ kind: 'value', value: { x: [1, 2] } });
    expect(viaFastPath('[a]', recordFor({ a: [1, 2] }))).toEqual({ kind: 'value', value: [1, 2] });
  });
});

// ---- random expressions -------------------------------------------------------------------------

/** A seeded generator (mulberry32), so failures reproduce. */
function random(seed: number): () => number {
  const generator = new SeededRandom(seed);
  return () => generator.next();
}

function expressionGenerator(next: () => number) {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const names = ['a', 'b', 'c', 'x'];
  const leaf = (): string =>
    pick([
      () => pick(names),
      () => `${pick(names)}.${pick(names)}`,
      () => `${pick(names)}.${pick(names)}.${pick(names)}`,
      () => pick(['$', '$$.a', '$key', '$headers.h', '$origin.source', '$timestamp']),
      () => String(pick([0, 1, 2, -1, 0.5, 10, 2.5, 1.005, -3.5])),
      () => JSON.stringify(pick(['', 'a', 'x', 'abc'])),
      () => pick(['true', 'false', 'null']),
    ])();
  const expression = (depth: number): string => {
    if (depth <= 0 || next() < 0.3) return leaf();
    const sub = () => expression(depth - 1);
    return pick([
      () => `(${sub()} ${pick(['+', '-', '*', '/', '%', '=', '!=', '<', '<=', '>', '>=', '&', 'and', 'or', 'in'])} ${sub()})`,
      () => `-(${sub()})`,
      () => `(${sub()} ? ${sub()} : ${sub()})`,
      () => `(${sub()} ? ${sub()})`,
      () => `{"p": ${sub()}, "q": ${sub()}}`,
      () => `[${sub()}, ${sub()}]`,
      () => `[[${sub()}]]`,
      () => `$${pick(['string', 'number', 'uppercase', 'lowercase', 'trim', 'length', 'exists', 'boolean', 'not', 'floor', 'ceil', 'abs', 'round'])}(${sub()})`,
      () => `$round(${sub()}, ${pick(['0', '1', '2', '-1', 'a', 'b'])})`,
      () => `(${sub()}; ${sub()})`,
    ])();
  };
  return expression;
}

function inputGenerator(next: () => number) {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const value = (depth: number): unknown => {
    const scalar = () => pick<unknown>([0, 1, -2, 0.5, 3.25, 2.5, 0.125, 1.005, 'a', 'abc', '', ' x ', '12', true, false, null]);
    if (depth <= 0) return scalar();
    return pick([
      scalar,
      scalar,
      () => Array.from({ length: Math.floor(next() * 3) }, () => value(depth - 1)),
      () => Object.fromEntries(['a', 'b', 'c', 'x'].filter(() => next() < 0.6).map((key) => [key, value(depth - 1)])),
    ])();
  };
  return () => Object.fromEntries(['a', 'b', 'c'].filter(() => next() < 0.8).map((key) => [key, value(2)]));
}

describe('fast evaluator: random expressions', () => {
  it('agrees with jsonata on 1 500 random expression/input pairs', async () => {
    const next = random(20_240_611);
    const expression = expressionGenerator(next);
    const input = inputGenerator(next);
    const mismatches: string[] = [];
    let handled = 0;
    for (let i = 0; i < 1_500 && mismatches.length < 5; i++) {
      const source = expression(3);
      const record = recordFor(input());
      const actual = viaFastPath(source, record);
      expect(actual).not.toBeNull(); // the generator only produces subset expressions
      if (actual!.kind === 'declined') continue;
      handled++;
      const expected = await viaJsonata(source, record);
      if (expected.kind === 'error') {
        mismatches.push(`${source} on ${JSON.stringify(record.value)}: jsonata fails with ${expected.code}, fast path returned ${JSON.stringify(actual!.value)}`);
        continue;
      }
      try {
        expect(actual!.value).toStrictEqual(expected.value);
      } catch {
        mismatches.push(`${source} on ${JSON.stringify(record.value)}: jsonata ${JSON.stringify(expected.value)}, fast path ${JSON.stringify(actual!.value)}`);
      }
    }
    expect(mismatches).toEqual([]);
    expect(handled).toBeGreaterThan(600);
  });
});
