import { describe, expect, it } from '@jest/globals';
import { ConfigValidationError, formatPath, parsePath } from './config-issues.js';
import { YamlSource } from './yaml-source.js';

const TEXT = [
  'http:', //                       1
  '  port: 3000', //                2
  'pipelines:', //                  3
  '  - name: a', //                 4
  '    sink:', //                   5
  '      plugin: sql', //           6
  '      config:', //               7
  '        columns:', //            8
  '          - { name: id }', //    9
  '          - name: x', //         10
  '            type: text', //      11
].join('\n');

describe('YamlSource', () => {
  const { source, issues } = YamlSource.parse(TEXT, '/cfg/sluice.yaml');

  it('parses without issues', () => {
    expect(issues).toEqual([]);
  });

  it('locates existing paths at their key or list item', () => {
    expect(source.locate('http.port')).toEqual({ line: 2, column: 3 });
    expect(source.locate('pipelines[0]')).toEqual({ line: 4, column: 5 });
    expect(source.locate('pipelines[0].sink.config')).toEqual({ line: 7, column: 7 });
    expect(source.locate('pipelines[0].sink.config.columns[0].name')).toEqual({ line: 9, column: 15 });
    expect(source.locate('pipelines[0].sink.config.columns[1].type')).toEqual({ line: 11, column: 13 });
  });

  it('locates a missing path at the deepest part that exists', () => {
    expect(source.locate('pipelines[0].sink.config.table')).toEqual({ line: 7, column: 7 });
    expect(source.locate('pipelines[3].name')).toEqual({ line: 3, column: 1 });
    expect(source.locate('log.level')).toEqual({ line: 1, column: 1 });
    expect(source.locate('')).toEqual({ line: 1, column: 1 });
  });

  it('builds issues with file, line, column and path', () => {
    expect(source.issue(['pipelines', 0, 'sink', 'plugin'], 'unknown')).toEqual({ file: '/cfg/sluice.yaml', line: 6, column: 7, path: 'pipelines[0].sink.plugin', message: 'unknown' });
  });

  it('reports syntax errors with their line', () => {
    const broken = YamlSource.parse('a: 1\nb: [1, 2\nc: 3\n', '/cfg/x.yaml');
    expect(broken.issues.length).toBeGreaterThan(0);
    for (const issue of broken.issues) {
      expect(issue.file).toBe('/cfg/x.yaml');
      expect(issue.line).toBeGreaterThanOrEqual(2);
      expect(issue.message).toMatch(/^YAML syntax error: /);
      expect(issue.message).not.toMatch(/at line \d+/);
    }
  });
});

describe('config paths', () => {
  it('formats and parses paths', () => {
    expect(formatPath(['pipelines', 0, 'transforms', 1, 'config', 'expression'])).toBe('pipelines[0].transforms[1].config.expression');
    expect(parsePath('pipelines[0].transforms[1].config.expression')).toEqual(['pipelines', 0, 'transforms', 1, 'config', 'expression']);
    expect(parsePath('')).toEqual([]);
    expect(formatPath([])).toBe('');
  });
});

describe('YamlSource syntax errors', () => {
  it('reports the first few and sums up the cascade after them', () => {
    const text = ['a: { x: [ }', ...Array.from({ length: 30 }, (_, i) => `k${i}: { x: [ }`)].join('\n');
    const { issues } = YamlSource.parse(text, '/tmp/x.yaml');
    expect(issues.length).toBe(6);
    expect(issues[0]!.line).toBe(1);
    expect(issues[5]!.message).toMatch(/^\.\.\. and \d+ more YAML syntax errors after this line, probably caused by the one at line 1/);
  });

  it('sums up everything after an unquoted ${...} in a flow mapping as its cascade', () => {
    const text = ['a: { b: ${X}, c: 1 }', ...Array.from({ length: 30 }, (_, i) => `k${i}: { x: [ }`)].join('\n');
    const { issues } = YamlSource.parse(text, '/tmp/x.yaml');
    expect(issues.map((i) => [i.line, i.path, i.message])).toEqual([
      [1, 'a.b', 'YAML syntax error: ${X} is not read as a variable inside { } or [ ], where "{" is YAML syntax: quote it: "${X}"'],
      [2, '', expect.stringMatching(/^\.\.\. and \d+ more YAML syntax errors after this line, probably caused by the one at line 1: fix it first$/)],
    ]);
  });

  it('gives a hint for each unquoted reference of a line', () => {
    const { issues } = YamlSource.parse('a: {x: ${A}, y: ${B:-b}}\n', '/tmp/x.yaml');
    expect(issues.map((i) => [i.line, i.column, i.message])).toEqual([
      [1, 8, 'YAML syntax error: ${A} is not read as a variable inside { } or [ ], where "{" is YAML syntax: quote it: "${A}"'],
      [1, 17, 'YAML syntax error: ${B:-b} is not read as a variable inside { } or [ ], where "{" is YAML syntax: quote it: "${B:-b}"'],
    ]);
  });
});

describe('YamlSource aliases', () => {
  it('refuses to convert a document whose aliases cannot be expanded, with the issues', () => {
    const { source, issues } = YamlSource.parse('a: &a\n  b: *a\n', '/tmp/x.yaml');
    expect(issues).toEqual([{ file: '/tmp/x.yaml', line: 2, column: 6, path: 'a.b', message: 'YAML alias *a is inside the value of its own anchor &a (line 1): a value cannot contain itself' }]);
    expect(() => source.toJS()).toThrow(ConfigValidationError);
  });

  it('reports an alias used as a key inside its own anchor at the mapping', () => {
    const { issues } = YamlSource.parse('y: &m { *m : 1 }\n', '/tmp/x.yaml');
    expect(issues.map((i) => [i.line, i.path, i.message])).toEqual([[1, 'y', 'YAML alias *m is inside the value of its own anchor &m (line 1): a value cannot contain itself']]);
  });

  it('reports an alias that is the whole document and names no anchor', () => {
    const { issues } = YamlSource.parse('*a\n', '/tmp/x.yaml');
    expect(issues.map((i) => [i.line, i.path, i.message])).toEqual([[1, '', 'YAML alias *a refers to no anchor: write &a before a value above it to name that value']]);
  });

  it('converts anchors and aliases that are fine', () => {
    const { source, issues } = YamlSource.parse('a: &a { x: 1 }\nb: *a\nc: { <<: *a, y: 2 }\n', '/tmp/x.yaml');
    expect(issues).toEqual([]);
    expect(source.toJS()).toEqual({ a: { x: 1 }, b: { x: 1 }, c: { x: 1, y: 2 } });
  });
});
