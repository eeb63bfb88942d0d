import { describe, expect, it } from '@jest/globals';
import { csvErrorMessage, CsvRowDecoder } from './csv-row-decoder.js';

const decoder = (options: Partial<{ delimiter: string; quote: string; trim: boolean; castNumbers: boolean; emptyAsNull: boolean }> = {}) =>
  new CsvRowDecoder({ delimiter: ',', quote: '"', trim: false, castNumbers: false, emptyAsNull: false, ...options });

describe('CsvRowDecoder', () => {
  it('splits a batch of records in one go', () => {
    expect(decoder().split(['a,b', '1,"x,y"', '2,"multi\nline"', '3,"say ""hi"""'])).toEqual([
      ['a', 'b'],
      ['1', 'x,y'],
      ['2', 'multi\nline'],
      ['3', 'say "hi"'],
    ]);
  });

  it('isolates malformed records when the batch fails', () => {
    const result = decoder().split(['1,ok', '2,bad"quote"here', '3,fine', '4,"unterminated']);
    expect(result[0]).toEqual(['1', 'ok']);
    expect(result[2]).toEqual(['3', 'fine']);
    expect(result[1]).toBeInstanceOf(Error);
    expect(result[3]).toBeInstanceOf(Error);
    expect(csvErrorMessage(result[1] as Error)).toMatch(/^malformed CSV \([A-Z_]+\): /);
    expect(csvErrorMessage(result[1] as Error)).not.toMatch(/line \d/);
  });

  it('maps fields onto columns and rejects rows with another number of fields', () => {
    const d = decoder();
    expect(d.toObject(['1', 'x'], ['id', 'name'])).toEqual({ value: { id: '1', name: 'x' } });
    expect(d.toObject(['1', 'x', 'extra'], ['id', 'name'])).toEqual({ error: 'expected 2 columns (id, name), found 3' });
    expect(d.toObject(['1'], ['id', 'name'])).toEqual({ error: 'expected 2 columns (id, name), found 1' });
  });

  it('casts plain decimal numbers only when asked, keeping codes and huge integers as strings', () => {
    const fields = ['42', '-3.5', '1e3', '0', '007', '1.', '.5', '+1', '12a', '9007199254740993', '0.10', ' 5'];
    const columns = fields.map((_, i) => `c${i}`);
    expect(Object.values((decoder({ castNumbers: true }).toObject(fields, columns) as { value: object }).value)).toEqual([
      42, -3.5, 1000, 0, '007', '1.', '.5', '+1', '12a', '9007199254740993', 0.1, ' 5',
    ]);
    expect(Object.values((decoder().toObject(['42'], ['n']) as { value: object }).value)).toEqual(['42']);
  });

  it('turns empty fields into null when asked, and trims when asked', () => {
    expect(decoder({ emptyAsNull: true }).toObject(['', 'x'], ['a', 'b'])).toEqual({ value: { a: null, b: 'x' } });
    expect(decoder().toObject(['', 'x'], ['a', 'b'])).toEqual({ value: { a: '', b: 'x' } });
    expect(decoder({ trim: true }).split([' a , "b" '])).toEqual([['a', 'b']]);
  });

  it('checks header rows', () => {
    expect(CsvRowDecoder.header(['id', 'name'])).toEqual({ columns: ['id', 'name'] });
    expect(CsvRowDecoder.header(['id', ' '])).toEqual({ error: 'invalid header: column 2 has no name' });
    expect(CsvRowDecoder.header(['id', 'x', 'id'])).toEqual({ error: 'invalid header: column name "id" is used twice (columns 1 and 3)' });
  });
});
