import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type Scalar } from 'yaml';
import { formatPath, parsePath, type ConfigFileIssue, type PathSegment } from './config-issues.js';

/**
 * A parsed YAML config file that remembers where everything is written: maps a config path to the
 * line and column of the deepest node that exists for it, so every issue points at its line.
 */
/** Syntax errors reported at most; the rest is summed up in one more issue. */
const MAX_SYNTAX_ISSUES = 5;

export class YamlSource {
  readonly file: string;
  readonly document: Document.Parsed;
  private readonly lines: LineCounter;
  /** Scalars whose value came from `${...}` interpolation: their values are never echoed. */
  readonly interpolated = new Set<Scalar>();
  /** Paths (formatted) whose interpolation failed: other issues about them would only be noise. */
  readonly failedInterpolations = new Set<string>();

  private constructor(file: string, document: Document.Parsed, lines: LineCounter) {
    this.file = file;
    this.document = document;
    this.lines = lines;
  }

  /** Parses YAML text; syntax errors come back as issues with their line (then `source` is unusable). */
  static parse(text: string, file: string): { source: YamlSource; issues: ConfigFileIssue[] } {
    const lines = new LineCounter();
    // `merge: true` lets files share settings with `<<: *defaults`.
    const document = parseDocument(text, { lineCounter: lines, prettyErrors: false, merge: true, uniqueKeys: true });
    const source = new YamlSource(file, document, lines);
    const issues: ConfigFileIssue[] = [];
    for (const error of document.errors) {
      const { line, col } = lines.linePos(error.pos[0]);
      const message = yamlMessage(error.message);
      // One mistake often trips the parser several times on the same line: say it once.
      if (!issues.some((i) => i.line === line && i.message === message)) issues.push({ file, line, column: col, path: '', message });
    }
    // After the first mistake the parser often misreads the rest of the file: show the first few.
    if (issues.length > MAX_SYNTAX_ISSUES) {
      const rest = issues.length - MAX_SYNTAX_ISSUES;
      const first = issues[0]!;
      issues.splice(MAX_SYNTAX_ISSUES, rest, { file, line: issues[MAX_SYNTAX_ISSUES]!.line, column: 0, path: '', message: `... and ${rest} more YAML syntax errors after this line, probably caused by the one at line ${first.line}: fix it first` });
    }
    return { source, issues };
  }

  /** The plain JavaScript value of the document (after interpolation). */
  toJS(): unknown {
    return this.document.toJS({ maxAliasCount: 1000 });
  }

  /** Line and column of `offset` in the text. */
  positionAt(offset: number): { line: number; column: number } {
    const { line, col } = this.lines.linePos(offset);
    return { line, column: col };
  }

  /** Where `path` is written: the key of the deepest mapping entry (or the list item) that exists. */
  locate(path: string | readonly PathSegment[]): { line: number; column: number } {
    const segments = typeof path === 'string' ? parsePath(path) : path;
    let node: unknown = this.document.contents;
    let offset = rangeStart(node) ?? 0;
    for (const segment of segments) {
      node = this.resolveAlias(node);
      if (isMap(node) && typeof segment === 'string') {
        const pair = node.items.find((item) => keyOf(item.key) === segment);
        if (!pair) break;
        offset = rangeStart(pair.key) ?? rangeStart(pair.value) ?? offset;
        node = pair.value;
      } else if (isSeq(node) && typeof segment === 'number') {
        const item: unknown = node.items[segment];
        if (item === undefined) break;
        offset = rangeStart(item) ?? offset;
        node = item;
      } else {
        break;
      }
    }
    return this.positionAt(offset);
  }

  /** The scalar node written at exactly `path`, if any. */
  scalarAt(path: readonly PathSegment[]): Scalar | undefined {
    let node: unknown = this.document.contents;
    for (const segment of path) {
      node = this.resolveAlias(node);
      if (isMap(node) && typeof segment === 'string') node = node.items.find((item) => keyOf(item.key) === segment)?.value;
      else if (isSeq(node) && typeof segment === 'number') node = node.items[segment];
      else return undefined;
    }
    node = this.resolveAlias(node);
    return isScalar(node) ? node : undefined;
  }

  /** Whether the value at `path` came from an environment variable (so it must not be echoed). */
  isInterpolated(path: readonly PathSegment[]): boolean {
    const scalar = this.scalarAt(path);
    return scalar !== undefined && this.interpolated.has(scalar);
  }

  /** An issue at `path`, located in the file. */
  issue(path: string | readonly PathSegment[], message: string): ConfigFileIssue {
    const segments = typeof path === 'string' ? parsePath(path) : path;
    const { line, column } = this.locate(segments);
    return { file: this.file, line, column, path: formatPath(segments), message };
  }

  private resolveAlias(node: unknown): unknown {
    return isAlias(node) ? node.resolve(this.document) : node;
  }
}

function rangeStart(node: unknown): number | undefined {
  return (node as Node | null | undefined)?.range?.[0] ?? undefined;
}

function keyOf(key: unknown): unknown {
  return isScalar(key) ? key.value : key;
}

/** yaml's messages end with " at line X, column Y": the issue carries the line already. */
function yamlMessage(message: string): string {
  return `YAML syntax error: ${message.replace(/ at line \d+, column \d+:?[\s\S]*$/, '').trim()}`;
}

/** Ancestors (as `visit` reports them) plus the node → its config path. */
export function pathOfNode(ancestors: readonly unknown[], node: unknown): PathSegment[] {
  const chain = [...ancestors, node];
  const segments: PathSegment[] = [];
  for (let i = 0; i < chain.length - 1; i++) {
    const ancestor = chain[i];
    if (isPair(ancestor)) segments.push(String(keyOf(ancestor.key)));
    else if (isSeq(ancestor)) segments.push(ancestor.items.indexOf(chain[i + 1] as never));
  }
  return segments;
}
