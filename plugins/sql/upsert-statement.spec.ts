import { dialectFor } from './sql-dialect.js';
import { UpsertStatement } from './upsert-statement.js';

describe('UpsertStatement', () => {
  it('builds INSERT ... ON CONFLICT DO UPDATE of the non-key columns (SQLite placeholders)', () => {
    const statement = new UpsertStatement(dialectFor('sqlite'), '"t"', ['id', 'a', 'b'], ['id']);
    expect(statement.text(2)).toBe(
      'INSERT INTO "t" ("id", "a", "b") VALUES (?, ?, ?), (?, ?, ?) ON CONFLICT ("id") DO UPDATE SET "a" = excluded."a", "b" = excluded."b"',
    );
  });

  it('numbers PostgreSQL placeholders across rows, and does nothing on conflict when every column is key', () => {
    const statement = new UpsertStatement(dialectFor('postgres'), '"s"."t"', ['x', 'y'], ['x', 'y']);
    expect(statement.text(2)).toBe('INSERT INTO "s"."t" ("x", "y") VALUES ($1, $2), ($3, $4) ON CONFLICT ("x", "y") DO NOTHING');
  });

  it('writes plain inserts without a conflict clause', () => {
    const statement = new UpsertStatement(dialectFor('sqlite'), '"t"', ['a'], null);
    expect(statement.text(1)).toBe('INSERT INTO "t" ("a") VALUES (?)');
  });

  it('chunks rows under the parameter limit, parameters flattened in row order', () => {
    const columns = Array.from({ length: 1000 }, (_, i) => `c${i}`);
    const sqlite = new UpsertStatement(dialectFor('sqlite'), '"t"', columns, null);
    const postgres = new UpsertStatement(dialectFor('postgres'), '"t"', columns, null);
    expect(sqlite.rowsPerStatement).toBe(32); // 32 × 1000 ≤ 32766
    expect(postgres.rowsPerStatement).toBe(65); // 65 × 1000 ≤ 65535

    const small = new UpsertStatement(dialectFor('sqlite'), '"t"', ['a', 'b'], null, 2);
    const chunks = [...small.chunks([[1, 'x'], [2, 'y'], [3, 'z']])];
    expect(chunks.map((c) => c.parameters)).toEqual([[1, 'x', 2, 'y'], [3, 'z']]);
    expect(chunks[1].text).toBe('INSERT INTO "t" ("a", "b") VALUES (?, ?)');
  });
});
