import { describe, expect, it } from '@jest/globals';
import { interpolate, interpolateDocument } from './interpolation.js';
import { YamlSource } from './yaml-source.js';

describe('interpolate', () => {
  const env = { HOST: 'db.local', EMPTY: '', PORT: '5432' };

  it('replaces ${VAR} with the variable', () => {
    expect(interpolate('postgres://${HOST}:${PORT}/x', env)).toEqual({ value: 'postgres://db.local:5432/x', problems: [], references: 2, whole: false });
  });

  it('uses the default of ${VAR:-default} when the variable is unset or empty', () => {
    expect(interpolate('${MISSING:-fallback}', env).value).toBe('fallback');
    expect(interpolate('${EMPTY:-fallback}', env).value).toBe('fallback');
    expect(interpolate('${HOST:-fallback}', env).value).toBe('db.local');
    expect(interpolate('${MISSING:-}', env).value).toBe('');
    expect(interpolate('${MISSING:-a:b/c d}', env).value).toBe('a:b/c d');
  });

  it('keeps an empty variable without default empty', () => {
    expect(interpolate('[${EMPTY}]', env)).toMatchObject({ value: '[]', problems: [] });
  });

  it('turns $${ into a literal ${ and leaves other dollars alone', () => {
    expect(interpolate('$${HOST} costs $5 and $$', env)).toEqual({ value: '${HOST} costs $5 and $$', problems: [], references: 0, whole: false });
  });

  it('reports an unset variable by name, not by value', () => {
    const result = interpolate('${HOST}/${NOPE}', env);
    expect(result.problems).toEqual(['environment variable NOPE is not set (give a default with ${NOPE:-default})']);
  });

  it('reports malformed and unclosed references', () => {
    expect(interpolate('${1ABC}', env).problems).toEqual(['invalid reference "${1ABC}": write ${NAME} or ${NAME:-default}, or $${ for a literal "${"']);
    expect(interpolate('${HOST-x}', env).problems).toHaveLength(1);
    expect(interpolate('x ${HOST', env).problems).toEqual(['unclosed "${": write ${NAME} or ${NAME:-default}, or $${ for a literal "${"']);
  });

  it('says whether the text is exactly one reference', () => {
    expect(interpolate('${PORT}', env).whole).toBe(true);
    expect(interpolate('${PORT:-1}', env).whole).toBe(true);
    expect(interpolate(' ${PORT}', env).whole).toBe(false);
    expect(interpolate('${PORT}${PORT}', env).whole).toBe(false);
  });
});

describe('interpolateDocument', () => {
  function run(text: string, env: Record<string, string>) {
    const { source, issues } = YamlSource.parse(text, '/x/sluice.yaml');
    expect(issues).toEqual([]);
    const problems = interpolateDocument(source, env);
    return { value: source.toJS(), problems, source };
  }

  it('re-reads a plain lone reference as a YAML scalar: numbers, booleans, null', () => {
    const { value } = run(['a: ${N}', 'b: ${B}', 'c: ${F}', 'd: ${Z:-}', 'e: ${S}', 'f: ${HEX}', 'g: ${N} items'].join('\n'), {
      N: '3000',
      B: 'true',
      F: '0.25',
      S: 'plain text # not a comment',
      HEX: '0x1F',
    });
    expect(value).toEqual({ a: 3000, b: true, c: 0.25, d: null, e: 'plain text # not a comment', f: 31, g: '3000 items' });
  });

  it('keeps quoted and block scalars strings', () => {
    const { value } = run(['a: "${N}"', "b: '${N}'", 'c: |', '  ${N}'].join('\n'), { N: '42' });
    expect(value).toEqual({ a: '42', b: '42', c: '42\n' });
  });

  it('does not touch keys', () => {
    const { value } = run('${KEY}: 1', { KEY: 'k' });
    expect(value).toEqual({ '${KEY}': 1 });
  });

  it('reports problems at the line and path of the scalar, inside lists too', () => {
    const { problems, value } = run(['list:', '  - fine', '  - ${NOPE}', 'map:', '  deep: { x: "${ALSO_NOPE}" }'].join('\n'), {});
    expect(problems.map((p) => [p.line, p.path, p.message.split(' (')[0]])).toEqual([
      [3, 'list[1]', 'environment variable NOPE is not set'],
      [5, 'map.deep.x', 'environment variable ALSO_NOPE is not set'],
    ]);
    // A failed value stays as written.
    expect(value).toEqual({ list: ['fine', '${NOPE}'], map: { deep: { x: '${ALSO_NOPE}' } } });
  });

  it('records which scalars were interpolated', () => {
    const { source } = run('a: ${N}\nb: plain\nc: $${N}', { N: '1' });
    expect(source.isInterpolated(['a'])).toBe(true);
    expect(source.isInterpolated(['b'])).toBe(false);
    expect(source.isInterpolated(['c'])).toBe(false);
  });
});
