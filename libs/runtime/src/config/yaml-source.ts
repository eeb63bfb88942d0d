import { isAlias, isMap, isNode, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Alias, type Document, type Node, type Scalar, type YAMLError } from 'yaml';
import { ConfigValidationError, formatPath, parsePath, type ConfigFileIssue, type PathSegment } from './config-issues.js';

/** Syntax errors reported at most; the rest is summed up in one more issue. */
const MAX_SYNTAX_ISSUES = 5;

/**
 * yaml's `maxAliasCount`: how many copies aliases may make in all, counting aliases inside aliased
 * values. Past it the file is refused as a "billion laughs" (aliases of aliases that expand
 * exponentially). Anchors used many times without nesting stay well below it.
 */
const MAX_ALIAS_COUNT = 1000;

/** A located syntax error, before the cascade after the first mistakes is summed up. */
interface SyntaxIssue {
  readonly offset: number;
  readonly issue: ConfigFileIssue;
  /** An unquoted `${...}` inside `{ }` or `[ ]`: everything after it is probably its cascade. */
  readonly reference: boolean;
}

/**
 * A parsed YAML config file that remembers where everything is written: maps a config path to the
 * line and column of the deepest node that exists for it, so every issue points at its line.
 */
export class YamlSource {
  readonly file: string;
  readonly document: Document.Parsed;
  private readonly lines: LineCounter;
  private readonly text: string;
  /** Problems that make the document impossible to convert (alias cycles, unknown anchors, too many aliases). */
  private readonly conversionIssues: ConfigFileIssue[] = [];
  /** Scalars whose value came from `${...}` interpolation: their values are never echoed. */
  readonly interpolated = new Set<Scalar>();
  /** Paths (formatted) whose interpolation failed: other issues about them would only be noise. */
  readonly failedInterpolations = new Set<string>();

  private constructor(file: string, text: string, document: Document.Parsed, lines: LineCounter) {
    this.file = file;
    this.text = text;
    this.document = document;
    this.lines = lines;
  }

  /**
   * Parses YAML text. Syntax errors, and aliases that cannot be expanded (an alias inside its own
   * anchor, an alias without an anchor before it, aliases of aliases that expand too much), come
   * back as issues with their line; then `source` cannot be used.
   */
  static parse(text: string, file: string): { source: YamlSource; issues: ConfigFileIssue[] } {
    const lines = new LineCounter();
    // `merge: true` lets files share settings with `<<: *defaults`.
    const document = parseDocument(text, { lineCounter: lines, prettyErrors: false, merge: true, uniqueKeys: true });
    const source = new YamlSource(file, text, document, lines);
    source.conversionIssues.push(...source.aliasIssues());
    if (source.conversionIssues.length === 0) source.conversionIssues.push(...source.expansionIssues());
    return { source, issues: [...source.syntaxIssues(), ...source.conversionIssues] };
  }

  /**
   * The plain JavaScript value of the document (after interpolation). Throws a
   * {@link ConfigValidationError} when its aliases cannot be expanded (see {@link parse}).
   */
  toJS(): unknown {
    if (this.conversionIssues.length > 0) throw new ConfigValidationError(this.conversionIssues);
    return this.document.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
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

  /**
   * The parser's errors as issues. An unquoted `${...}` inside `{ }` or `[ ]` gets a hint to quote
   * it, and what the parser then trips over is summed up in one line; so are the errors after the
   * first few, which the first mistake usually causes.
   */
  private syntaxIssues(): ConfigFileIssue[] {
    const found: SyntaxIssue[] = [];
    for (const error of [...this.document.errors].sort((a, b) => a.pos[0] - b.pos[0])) {
      const offset = error.pos[0];
      const { line, column } = this.positionAt(offset);
      const reference = unquotedReferenceAt(this.text, offset);
      const located = reference ? this.referenceInFlowIssue(reference) : this.syntaxIssue(error, line, column);
      // One mistake often trips the parser several times on the same line: say it once. On the
      // line of an unquoted reference, the hint is all there is to say.
      const sameLine = found.filter((f) => f.issue.line === line);
      if (sameLine.some((f) => f.issue.message === located.message || (f.reference && !reference))) continue;
      if (reference) for (const f of sameLine) if (!f.reference) found.splice(found.indexOf(f), 1);
      found.push({ offset, issue: located, reference: reference !== undefined });
    }
    const firstReference = found.find((f) => f.reference);
    const before = found.filter((f) => !f.reference && (!firstReference || f.offset < firstReference.offset)).map((f) => f.issue);
    const after = found.filter((f) => !f.reference && firstReference && f.offset > firstReference.offset).map((f) => f.issue);
    const issues = before.slice(0, MAX_SYNTAX_ISSUES);
    // After the first mistake the parser often misreads the rest of the file: show the first few.
    if (before.length > MAX_SYNTAX_ISSUES) issues.push(this.cascade(before[MAX_SYNTAX_ISSUES]!.line, before.length - MAX_SYNTAX_ISSUES, before[0]!.line));
    issues.push(...found.filter((f) => f.reference).map((f) => f.issue));
    if (firstReference && after.length > 0) issues.push(this.cascade(after[0]!.line, after.length, firstReference.issue.line));
    return issues;
  }

  private cascade(line: number, count: number, cause: number): ConfigFileIssue {
    return { file: this.file, line, column: 0, path: '', message: `... and ${count} more YAML syntax errors after this line, probably caused by the one at line ${cause}: fix it first` };
  }

  /** One parser error, in words for the config's author. */
  private syntaxIssue(error: YAMLError, line: number, column: number): ConfigFileIssue {
    const at = (path: readonly PathSegment[], message: string): ConfigFileIssue => ({ file: this.file, line, column, path: formatPath(path), message: `YAML syntax error: ${message}` });
    switch (error.code) {
      case 'DUPLICATE_KEY': {
        const duplicate = this.duplicateKeyAt(error.pos[0]);
        if (!duplicate) break;
        return at(duplicate.path, `duplicate key "${duplicate.key}" (first at line ${duplicate.firstLine}): keep only one`);
      }
      case 'TAB_AS_INDENT':
        return at([], 'tabs are not allowed for indentation: indent with spaces');
      case 'MULTIPLE_DOCS':
        return at([], 'the file holds more than one YAML document (a "---" line starts another one): a config file holds one');
    }
    return at([], yamlMessage(error.message));
  }

  /** The key written at `offset` that its mapping already has: its path and where the first one is. */
  private duplicateKeyAt(offset: number): { path: PathSegment[]; key: string; firstLine: number } | undefined {
    let duplicate: { path: PathSegment[]; key: string; firstLine: number } | undefined;
    visit(this.document, {
      Map: (_key, map, ancestors) => {
        const pair = map.items.find((item) => rangeStart(item.key) === offset);
        if (!pair) return undefined;
        const key = keyOf(pair.key);
        const first = map.items.find((item) => item !== pair && keyOf(item.key) === key);
        const name = String(key);
        duplicate = { path: [...pathOfNode(ancestors, map), name], key: name, firstLine: this.positionAt(rangeStart(first?.key) ?? offset).line };
        return visit.BREAK;
      },
    });
    return duplicate;
  }

  /** `url: ${DB_URL}` inside `{ }` or `[ ]`: YAML reads `{` as the start of a mapping there. */
  private referenceInFlowIssue(reference: { start: number; end: number }): ConfigFileIssue {
    const { line, column } = this.positionAt(reference.start);
    const node = this.deepestNodeAt(reference.start);
    const scalarStart = isScalar(node?.node) ? rangeStart(node.node) : undefined;
    const start = scalarStart !== undefined && scalarStart <= reference.start && this.positionAt(scalarStart).line === line ? scalarStart : reference.start;
    const written = this.text.slice(reference.start, reference.end);
    const value = plainFlowValue(this.text, start, reference.end);
    return {
      file: this.file,
      line,
      column,
      path: formatPath(node?.path ?? []),
      message: `YAML syntax error: ${written} is not read as a variable inside { } or [ ], where "{" is YAML syntax: quote it: "${value}"`,
    };
  }

  /** The innermost value (not a mapping key) written over `offset`, with its config path. */
  private deepestNodeAt(offset: number): { node: Node; path: PathSegment[] } | undefined {
    let deepest: { node: Node; path: PathSegment[] } | undefined;
    const consider = (key: unknown, node: Node, ancestors: readonly unknown[]) => {
      if (key === 'key') return visit.SKIP;
      const [start, , end] = node.range ?? [];
      if (start === undefined || end === undefined || offset < start || offset >= Math.max(end, start + 1)) return visit.SKIP;
      deepest = { node, path: pathOfNode(ancestors, node) };
      return undefined;
    };
    visit(this.document, { Map: consider, Seq: consider, Scalar: consider, Alias: consider });
    return deepest;
  }

  /**
   * Aliases yaml cannot expand: one inside the value its anchor names (that value would contain
   * itself: yaml builds a circular structure, or recurses for ever through merge keys) and one
   * without an anchor of its name before it. Found on the nodes, before anything is converted.
   */
  private aliasIssues(): ConfigFileIssue[] {
    const issues: ConfigFileIssue[] = [];
    const anchors = new Map<string, Node>();
    const unresolved: { alias: Alias; path: PathSegment[] }[] = [];
    const check = (key: unknown, node: Node, ancestors: readonly unknown[]) => {
      if (!isAlias(node)) {
        if (node.anchor) anchors.set(node.anchor, node);
        return;
      }
      // An alias used as a mapping key stands for the mapping's path.
      const path = key === 'key' ? pathOfNode(ancestors.slice(0, -2), ancestors.at(-2)) : pathOfNode(ancestors, node);
      // As yaml resolves it: the last anchor of that name before the alias.
      const target = anchors.get(node.source);
      if (!target) unresolved.push({ alias: node, path });
      else if (ancestors.includes(target)) {
        const anchorLine = this.anchorLine(target, node.source);
        issues.push(this.aliasIssue(node, path, `is inside the value of its own anchor &${node.source} (line ${anchorLine}): a value cannot contain itself`));
      }
    };
    visit(this.document, { Map: check, Seq: check, Scalar: check, Alias: check });
    for (const { alias, path } of unresolved) {
      const later = anchors.get(alias.source);
      issues.push(
        later
          ? this.aliasIssue(alias, path, `comes before its anchor &${alias.source} (line ${this.anchorLine(later, alias.source)}): an anchor must be written before its aliases`)
          : this.aliasIssue(alias, path, `refers to no anchor: write &${alias.source} before a value above it to name that value`),
      );
    }
    return issues;
  }

  /** The line of `&name` on `node`: yaml's range starts at the value, which may be on the next line. */
  private anchorLine(node: Node, name: string): number {
    const start = rangeStart(node) ?? 0;
    const written = [...this.text.slice(0, start + 1).matchAll(/&([^\s,[\]{}]+)/g)].filter((match) => match[1] === name).at(-1);
    return this.positionAt(written?.index ?? start).line;
  }

  private aliasIssue(alias: Alias, path: readonly PathSegment[], message: string): ConfigFileIssue {
    const { line, column } = this.positionAt(rangeStart(alias) ?? 0);
    return { file: this.file, line, column, path: formatPath(path), message: `YAML alias *${alias.source} ${message}` };
  }

  /**
   * Aliases of aliases that expand past {@link MAX_ALIAS_COUNT}, as yaml counts them. yaml only
   * says that the whole document is refused: the issue points at the innermost value that yaml
   * refuses on its own (converted alone, each value is counted afresh).
   */
  private expansionIssues(): ConfigFileIssue[] {
    if (!this.refusesToExpand(this.document.contents)) return [];
    let node: unknown = this.document.contents;
    const path: PathSegment[] = [];
    for (;;) {
      const children: [PathSegment, unknown][] = isMap(node)
        ? node.items.map((pair) => [String(keyOf(pair.key)), pair.value])
        : isSeq(node)
          ? node.items.map((item, index) => [index, item])
          : [];
      const refused = children.find(([, child]) => this.refusesToExpand(child));
      if (!refused) break;
      path.push(refused[0]);
      node = refused[1];
    }
    const { line, column } = this.positionAt(rangeStart(node) ?? 0);
    // yaml counts an alias's copies times the copies inside its value: each alias alone passes
    // (its value did), so what yaml refuses is always a collection of them.
    const sources = [...new Set(childAliases(node).map((alias) => `*${alias.source}`))];
    const which = sources.length > 0 ? ` ${sources.join(', ')}` : '';
    const message = `YAML aliases${which} in this value expand to too many values (more than ${MAX_ALIAS_COUNT} copies in all, counting aliases of aliases): nest fewer aliases of aliases, or write the values out`;
    return [{ file: this.file, line, column, path: formatPath(path), message }];
  }

  /** Whether yaml refuses to convert `node` (on its own) for its aliases (see {@link MAX_ALIAS_COUNT}). */
  private refusesToExpand(node: unknown): boolean {
    if (!isNode(node)) return false;
    try {
      node.toJS(this.document, { maxAliasCount: MAX_ALIAS_COUNT });
      return false;
    } catch (error) {
      if (error instanceof ReferenceError) return true;
      throw error;
    }
  }

  private resolveAlias(node: unknown): unknown {
    return isAlias(node) ? node.resolve(this.document) : node;
  }
}

function rangeStart(node: unknown): number | undefined {
  return (node as Node | null | undefined)?.range?.[0] ?? undefined;
}

/** A mapping key as written: a scalar's value (the merge key `<<`, a symbol in yaml, as "<<"). */
function keyOf(key: unknown): unknown {
  if (!isScalar(key)) return key;
  return typeof key.value === 'symbol' ? (key.value.description ?? String(key.source ?? '')) : key.value;
}

/** The aliases written directly in a mapping's values or a list's items. */
function childAliases(node: unknown): Alias[] {
  const children: unknown[] = isMap(node) ? node.items.map((pair) => pair.value) : isSeq(node) ? node.items : [];
  return children.filter(isAlias);
}

/**
 * The `${...}` written over `offset` (or right at it), on its line: where the parser trips over it
 * when it is not quoted inside `{ }` or `[ ]`.
 */
function unquotedReferenceAt(text: string, offset: number): { start: number; end: number } | undefined {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const lineEnd = text.indexOf('\n', offset) < 0 ? text.length : text.indexOf('\n', offset);
  for (const match of text.slice(lineStart, lineEnd).matchAll(/\$\{[^}]*\}?/g)) {
    const start = lineStart + match.index;
    const end = start + match[0].length;
    if (start <= offset && offset < end) return { start, end };
  }
  return undefined;
}

/**
 * The plain value written from `start` on, at least to `end`, as it would be quoted: up to the
 * next `,`, `]` or `}` (those of `${...}` references aside) or the end of the line.
 */
function plainFlowValue(text: string, start: number, end: number): string {
  let i = end;
  while (i < text.length && !',]}\n'.includes(text[i]!)) {
    if (text.startsWith('${', i)) {
      const close = text.indexOf('}', i);
      const lineEnd = text.indexOf('\n', i);
      if (close < 0 || (lineEnd >= 0 && close > lineEnd)) break;
      i = close + 1;
    } else if (text.startsWith(' #', i)) break;
    else i += 1;
  }
  return text.slice(start, i).trim();
}

/** yaml's messages end with " at line X, column Y": the issue carries the line already. */
function yamlMessage(message: string): string {
  return message.replace(/ at line \d+, column \d+:?[\s\S]*$/, '').trim();
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
