import { isScalar, Scalar, visit, type ScalarTag } from 'yaml';
import { formatPath, type ConfigFileIssue } from './config-issues.js';
import { pathOfNode, type YamlSource } from './yaml-source.js';

export type Environment = Readonly<Record<string, string | undefined>>;

export interface InterpolationResult {
  readonly value: string;
  /** What went wrong (unset variables, malformed references); never contains a variable's value. */
  readonly problems: string[];
  /** How many `${...}` references were replaced. */
  readonly references: number;
  /** The text was exactly one `${...}` reference, nothing around it. */
  readonly whole: boolean;
}

const REFERENCE = /^([A-Za-z_][A-Za-z0-9_]*)(?::-([\s\S]*))?$/;

/**
 * Expands `${VAR}` and `${VAR:-default}` (the default applies when VAR is unset or empty, as in
 * the shell) in `text`; `$${` stands for a literal `${`. Defaults cannot contain `}`.
 */
export function interpolate(text: string, env: Environment): InterpolationResult {
  const problems: string[] = [];
  let value = '';
  let references = 0;
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('$${', i)) {
      value += '${';
      i += 3;
    } else if (text.startsWith('${', i)) {
      const end = text.indexOf('}', i + 2);
      if (end < 0) {
        problems.push('unclosed "${": write ${NAME} or ${NAME:-default}, or $${ for a literal "${"');
        value += text.slice(i);
        break;
      }
      const expression = text.slice(i + 2, end);
      const match = REFERENCE.exec(expression);
      if (!match) {
        problems.push(`invalid reference "\${${expression}}": write \${NAME} or \${NAME:-default}, or $\${ for a literal "\${"`);
      } else {
        const [, name, fallback] = match;
        const current = env[name!];
        if (fallback !== undefined && (current === undefined || current === '')) value += fallback;
        else if (current === undefined) problems.push(`environment variable ${name} is not set (give a default with \${${name}:-default})`);
        else value += current;
        references += 1;
      }
      i = end + 1;
    } else {
      value += text[i];
      i += 1;
    }
  }
  return { value, problems, references, whole: references === 1 && /^\$\{[^}]*\}$/.test(text) };
}

/**
 * Interpolates every string value of the document in place (keys are left alone). A plain
 * (unquoted) scalar that is exactly one reference is re-read as a YAML scalar, so
 * `port: ${PORT:-3000}` is the number 3000; quoted scalars and mixed text stay strings.
 * Interpolated scalars are recorded in `source.interpolated`.
 */
export function interpolateDocument(source: YamlSource, env: Environment): ConfigFileIssue[] {
  const issues: ConfigFileIssue[] = [];
  const { document } = source;
  visit(document, {
    Scalar(key, node, ancestors) {
      if (key === 'key' || typeof node.value !== 'string' || !node.value.includes('$')) return;
      const result = interpolate(node.value, env);
      const path = pathOfNode(ancestors, node);
      if (result.problems.length > 0) {
        // The value stays as written; the problems are what the user needs to see.
        const { line, column } = source.positionAt(node.range?.[0] ?? 0);
        for (const problem of result.problems) issues.push({ ...source.issue(path, problem), line, column });
        source.failedInterpolations.add(formatPath(path));
        return;
      }
      if (result.references > 0) source.interpolated.add(node);
      node.value = result.whole && node.type === Scalar.PLAIN ? readPlainScalar(source, result.value) : result.value;
    },
  });
  return issues;
}

/** What YAML makes of `text` written as a plain scalar: null, boolean, number or string. */
function readPlainScalar(source: YamlSource, text: string): unknown {
  const { schema } = source.document;
  const tag = schema.tags.find((t): t is ScalarTag => !t.collection && t.default === true && t.test !== undefined && t.test.test(text));
  if (!tag) return text;
  try {
    const value = tag.resolve(text, () => undefined, source.document.options);
    return isScalar(value) ? value.value : value;
  } catch {
    return text;
  }
}
