import { quoteIdentifier, type SqlDialect } from './sql-dialect.js';
import { DEFAULT_ROWS_PER_STATEMENT } from './upsert-statement.js';

/**
 * The multi-key delete statement of one table, for tombstones: `DELETE FROM t WHERE k IN (...)`
 * with one key column, `WHERE (k1 = ? AND k2 = ?) OR (...)` with several. Same text on SQLite and
 * PostgreSQL but for the placeholders; texts cached per key count, like {@link UpsertStatement}.
 */
export class DeleteStatement {
  readonly keysPerStatement: number;
  private readonly texts = new Map<number, string>();

  constructor(
    private readonly dialect: SqlDialect,
    private readonly tableSql: string,
    private readonly key: readonly string[],
    keysPerStatement = DEFAULT_ROWS_PER_STATEMENT,
  ) {
    this.keysPerStatement = Math.max(1, Math.min(keysPerStatement, Math.floor(dialect.maxParameters / key.length)));
  }

  /** The statement text for `count` keys (1 ≤ count ≤ keysPerStatement). */
  text(count: number): string {
    let text = this.texts.get(count);
    if (text === undefined) {
      const width = this.key.length;
      const slot = (row: number, column: number) => this.dialect.placeholder(row * width + column);
      const rows = Array.from({ length: count }, (_, row) => row);
      const where =
        width === 1
          ? `${quoteIdentifier(this.key[0]!)} IN (${rows.map((row) => slot(row, 0)).join(', ')})`
          : rows.map((row) => `(${this.key.map((column, c) => `${quoteIdentifier(column)} = ${slot(row, c)}`).join(' AND ')})`).join(' OR ');
      text = `DELETE FROM ${this.tableSql} WHERE ${where}`;
      if (this.texts.size > 64) this.texts.clear();
      this.texts.set(count, text);
    }
    return text;
  }

  /** Splits the keys (each the key column values, in key order) into statements under the parameter limit. */
  *chunks(keys: readonly (readonly unknown[])[]): Generator<{ text: string; parameters: unknown[] }> {
    for (let start = 0; start < keys.length; start += this.keysPerStatement) {
      const chunk = keys.slice(start, start + this.keysPerStatement);
      yield { text: this.text(chunk.length), parameters: chunk.flat() };
    }
  }
}
