import { describe, expect, it } from '@jest/globals';
import { formatPath, parsePath } from './config-issues.js';
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
    const text = ['a: { b: ${X}, c: 1 }', ...Array.from({ length: 30 }, (_, i) => `k${i}: { x: [ }`)].join('\n');
    const { issues } = YamlSource.parse(text, '/tmp/x.yaml');
    expect(issues.length).toBe(6);
    expect(issues[0]!.line).toBe(1);
    expect(issues[5]!.message).toMatch(/^\.\.\. and \d+ more YAML syntax errors after this line, probably caused by the one at line 1/);
  });
});
