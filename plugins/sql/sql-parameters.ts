import type { SqlDialect } from './sql-dialect.js';

/** Collects bind parameters in the order their placeholders appear in the statement text. */
export class SqlParameters {
  readonly values: unknown[] = [];
  constructor(private readonly dialect: SqlDialect) {}

  /** Adds a value and returns its placeholder (`?` or `$n`). */
  add(value: unknown): string {
    this.values.push(value);
    return this.dialect.placeholder(this.values.length - 1);
  }
}
