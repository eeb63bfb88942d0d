import { describe, expect, it } from '@jest/globals';
import { LineCounter, scanJsonLayout, type JsonLayout } from './json-document.js';

function texts(source: string, layout: JsonLayout): string[] {
  if (layout.kind !== 'array') throw new Error(`expected an array layout, got ${layout.kind}`);
  return layout.elements.map((e) => source.slice(e.start, e.end));
}

describe('scanJsonLayout', () => {
  it('locates the elements of an array, whatever they hold', () => {
    const source = ' [ {"a": "x,]}[\\"", "b": [1, {"c": 2}]} ,\n 42, "s,]", null, [1,2] ]\n';
    const layout = scanJsonLayout(source);
    expect(texts(source, layout)).toEqual(['{"a": "x,]}[\\"", "b": [1, {"c": 2}]}', '42', '"s,]"', 'null', '[1,2]']);
    expect(layout).not.toHaveProperty('problem');
  });

  it('splits an array holding broken elements so each can be reported', () => {
    const source = '[{"ok": 1}, {"bad": }, {"also": tru}, {"ok": 2}]';
    expect(texts(source, scanJsonLayout(source))).toEqual(['{"ok": 1}', '{"bad": }', '{"also": tru}', '{"ok": 2}']);
  });

  it('reports empty elements, a missing "]" and text after the array', () => {
    const stray = '[{"a":1},,{"b":2},]';
    expect(texts(stray, scanJsonLayout(stray))).toEqual(['{"a":1}', '', '{"b":2}', '']);
    const open = '[{"a":1},\n{"b":2}';
    const openLayout = scanJsonLayout(open);
    expect(texts(open, openLayout)).toEqual(['{"a":1}', '{"b":2}']);
    expect(openLayout).toMatchObject({ problem: { at: open.length, message: 'the array is not closed (missing "]")' } });
    const trailing = '[{"a":1}] {"b":2}';
    expect(scanJsonLayout(trailing)).toMatchObject({ problem: { at: 10, message: 'unexpected text after the closing "]"' } });
    const closer = '[{"a":1}}, {"b":2}]';
    expect(scanJsonLayout(closer)).toMatchObject({ problem: { at: 8, message: 'unexpected "}" between array elements' } });
  });

  it('treats an empty array, a single value and an empty document', () => {
    expect(scanJsonLayout(' [ ] ')).toEqual({ kind: 'array', elements: [] });
    expect(scanJsonLayout('\n {"a": 1} \n')).toEqual({ kind: 'value', span: { start: 2, end: 10 } });
    expect(scanJsonLayout(' \n ')).toEqual({ kind: 'empty' });
  });
});

describe('LineCounter', () => {
  it('turns increasing offsets into line numbers', () => {
    const text = 'a\nbb\n\nccc\n';
    const counter = new LineCounter(text);
    expect([0, 1, 2, 4, 5, 6, 9, 10].map((o) => counter.lineAt(o))).toEqual([1, 1, 2, 2, 3, 4, 4, 5]);
  });
});
