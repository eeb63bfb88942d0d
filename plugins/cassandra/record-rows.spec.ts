import { makeRecord, RecordError, validateConfig } from '@sluice/sdk';
import cassandra from 'cassandra-driver';
import { CassandraSinkConfig } from './cassandra.config.js';
import { keyText, readPath, RecordRows } from './record-rows.js';
import { tableDefinition } from './table-definition.js';

const { types } = cassandra;

function rowsFor(nullValues: 'unset' | 'null' = 'unset', deleteOnNull = false) {
  const { config, issues } = validateConfig(CassandraSinkConfig, {
    contactPoints: ['127.0.0.1'],
    keyspace: 'pokemon_data',
    table: 'pokemon_by_type',
    columns: [
      { name: 'type', type: 'text' },
      { name: 'pokemon_id', type: 'int', from: 'id' },
      { name: 'pokemon_name', type: 'text', from: 'name' },
      { name: 'abilities', type: 'list<text>' },
      { name: 'timestamp', type: 'timestamp', from: 'meta.at' },
    ],
    partitionKey: ['type'],
    clusteringKey: [{ column: 'pokemon_id' }],
  });
  expect(issues).toEqual([]);
  return new RecordRows(tableDefinition(config), nullValues, deleteOnNull);
}

const pokemon = (type: string, id: unknown, extra: Record<string, unknown> = {}) =>
  makeRecord({ type, id, name: `p${String(id)}`, abilities: ['overgrow'], meta: { at: '2024-01-01T00:00:00Z' }, ...extra });

describe('record rows', () => {
  it('reads dotted paths, own properties only', () => {
    expect(readPath({ a: { b: [{ c: 1 }] } }, ['a', 'b', '0', 'c'])).toBe(1);
    expect(readPath({ a: 1 }, ['a', 'b'])).toBeUndefined();
    expect(readPath({}, ['constructor'])).toBeUndefined();
  });

  it('encodes each record into the parameters of the INSERT, with its partition', () => {
    const { rows, failed } = rowsFor().encode([pokemon('grass', 1), pokemon('fire', '4')]);
    expect(failed).toEqual([]);
    expect(rows.map((r) => r.indexes)).toEqual([[0], [1]]);
    expect(rows[0].params).toEqual(['grass', 1, 'p1', ['overgrow'], new Date(Date.UTC(2024, 0, 1))]);
    expect(rows[1].params[1]).toBe(4);
    expect(rows[0].partition).not.toBe(rows[1].partition);
    expect(rowsFor().encode([pokemon('grass', 2)]).rows[0].partition).toBe(rows[0].partition);
  });

  it('fails records on their own: a value that does not convert, a key without value', () => {
    const { rows, failed } = rowsFor().encode([
      pokemon('grass', 1),
      pokemon('grass', 'one'),
      pokemon('grass', 3, { abilities: ['a', 7, { x: 1 }] }),
      pokemon('grass', null),
      makeRecord('not an object'),
      pokemon('grass', 6),
    ]);
    expect(rows.map((r) => r.indexes)).toEqual([[0], [5]]);
    expect(failed.map((f) => f.index)).toEqual([1, 2, 3, 4]);
    for (const failure of failed) {
      expect(failure.error).toBeInstanceOf(RecordError);
      expect(failure.error.retryable).toBe(false);
    }
    expect(failed.map((f) => f.error.message)).toEqual([
      'column "pokemon_id" (int, from "id"): cannot convert "one" to int (not an integer)',
      'column "abilities" (list<text>, from "abilities"): cannot convert ["a",7,{"x":1}] to list<text> (element 2: cannot convert {"x":1} to text (expected a string, got an object))',
      'column "pokemon_id" is part of the primary key and has no value at "id" (null)',
      'column "type" is part of the primary key and has no value at "type" (undefined)',
    ]);
    expect(failed[0].error.details).toEqual({ column: 'pokemon_id', path: 'id', value: '"one"' });
  });

  it('leaves missing values unset, or writes null when configured', () => {
    const record = makeRecord({ type: 'grass', id: 1, abilities: null });
    expect(rowsFor('unset').encode([record]).rows[0].params).toEqual(['grass', 1, types.unset, types.unset, types.unset]);
    expect(rowsFor('null').encode([record]).rows[0].params).toEqual(['grass', 1, null, null, null]);
  });

  it('merges records sharing a primary key into one row holding the last value of each column', () => {
    const { rows } = rowsFor('unset').encode([
      pokemon('grass', 1, { name: 'first' }),
      pokemon('fire', 1),
      makeRecord({ type: 'grass', id: 1, abilities: ['chlorophyll'] }),
      pokemon('grass', '1', { name: 'third' }),
    ]);
    expect(rows.map((r) => r.indexes)).toEqual([[0, 2, 3], [1]]);
    expect(rows[0].params).toEqual(['grass', 1, 'third', ['overgrow'], new Date(Date.UTC(2024, 0, 1))]);

    const withNulls = rowsFor('null').encode([pokemon('grass', 1, { name: 'first' }), makeRecord({ type: 'grass', id: 1 })]);
    expect(withNulls.rows[0].params).toEqual(['grass', 1, null, null, null]);
  });

  it('renders keys so that only equal values give equal text', () => {
    expect(keyText('1')).not.toBe(keyText(1));
    expect(keyText('a') + keyText('bc')).not.toBe(keyText('ab') + keyText('c'));
    expect(keyText(types.Uuid.fromString('123e4567-e89b-42d3-a456-426614174000'))).toBe(keyText(types.Uuid.fromString('123E4567-E89B-42D3-A456-426614174000')));
    expect(keyText(new Date(5))).toBe(keyText(new Date(5)));
    expect(keyText(Buffer.from('a'))).not.toBe(keyText(Buffer.from('b')));
    expect(keyText(new Map([['a', [1]]]))).toBe(keyText(new Map([['a', [1]]])));
  });

  it('turns a tombstone into a delete of its primary key (a JSON object of partition and clustering columns), last record of a key wins', () => {
    const tombstone = (type: string, id: number) => makeRecord(null, { key: JSON.stringify({ type, pokemon_id: id }) });
    const { rows, failed } = rowsFor('unset', true).encode([pokemon('grass', 1), tombstone('grass', 1), tombstone('fire', 4), pokemon('fire', 4), tombstone('water', 7), makeRecord(null, { key: 'grass' })]);
    expect(rows.map((r) => [r.indexes, r.delete ?? false, r.delete ? r.params : r.params.slice(0, 2)])).toEqual([
      [[0, 1], true, ['grass', 1]],
      [[2, 3], false, ['fire', 4]],
      [[4], true, ['water', 7]],
    ]);
    expect(failed.map((f) => [f.index, f.error.message])).toEqual([[5, 'a null value (tombstone) deletes the row of its key, but with several key columns the record key must be a JSON object with "type", "pokemon_id"']]);
    // Without deleteOnNull a null value has no key columns: refused as before.
    expect(rowsFor().encode([tombstone('grass', 1)]).failed[0]!.error.message).toMatch(/primary key and has no value/);
  });
});
