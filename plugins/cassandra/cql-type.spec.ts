import { CqlTypeError, describedType, formatCqlType, isNumericType, parseCqlType } from './cql-type.js';

const canonical = (text: string) => formatCqlType(parseCqlType(text));

describe('CQL type grammar', () => {
  it.each([
    ['text', 'text'],
    ['varchar', 'text'],
    ['INT', 'int'],
    ['bigint', 'bigint'],
    ['float', 'float'],
    ['double', 'double'],
    ['boolean', 'boolean'],
    ['timestamp', 'timestamp'],
    ['uuid', 'uuid'],
    ['timeuuid', 'timeuuid'],
    ['date', 'date'],
    ['decimal', 'decimal'],
    ['blob', 'blob'],
    ['list<text>', 'list<text>'],
    ['set< varchar >', 'set<text>'],
    ['map<text,int>', 'map<text, int>'],
    ['  Map < TEXT , Int >  ', 'map<text, int>'],
    ['frozen<list<int>>', 'frozen<list<int>>'],
    ['list<frozen<map<text, int>>>', 'list<frozen<map<text, int>>>'],
    ['map<frozen<set<uuid>>, frozen<list<frozen<list<double>>>>>', 'map<frozen<set<uuid>>, frozen<list<frozen<list<double>>>>>'],
  ])('parses %j as %s', (text, expected) => {
    expect(canonical(text)).toBe(expected);
  });

  it('builds a tree of the type', () => {
    expect(parseCqlType('map<text, frozen<list<int>>>')).toEqual({
      kind: 'map',
      key: { kind: 'scalar', name: 'text' },
      value: { kind: 'list', element: { kind: 'scalar', name: 'int' }, frozen: true },
      frozen: false,
    });
  });

  it.each([
    ['', /empty type/],
    ['   ', /empty type/],
    ['string', /unknown type "string"; expected type = text \| varchar/],
    ['counter', /unknown type "counter"/],
    ['list<list<int>>', /a collection inside a collection must be frozen: write frozen<list<...>> \(at character 6 of "list<list<int>>"\)/],
    ['map<text, map<text, int>>', /a collection inside a collection must be frozen: write frozen<map<...>>/],
    ['set<frozen<int>>', /frozen<> applies to collections only, not to int/],
    ['frozen<frozen<list<int>>>', /frozen<list<int>> is already frozen/],
    ['list<int', /expected ">", found the end/],
    ['list int', /expected "<", found "int"/],
    ['map<text>', /expected ",", found ">"/],
    ['map<text, int, int>', /expected ">", found ","/],
    ['int int', /unexpected "int" after the type \(at character 5 of "int int"\)/],
    ['list<text>>', /unexpected ">" after the type/],
    ['list<text>; DROP TABLE x', /unexpected character ";"/],
    ['<int>', /expected a type name, found "<"/],
  ])('refuses %j', (text, message) => {
    expect(() => parseCqlType(text)).toThrow(CqlTypeError);
    expect(() => parseCqlType(text)).toThrow(message);
  });

  it('maps types to the column types queries report', () => {
    const described = (text: string) => describedType(parseCqlType(text));
    expect(['int', 'bigint', 'float', 'double', 'decimal'].map(described)).toEqual(['number', 'number', 'number', 'number', 'number']);
    expect(['text', 'varchar', 'uuid', 'timeuuid', 'blob'].map(described)).toEqual(['string', 'string', 'string', 'string', 'string']);
    expect(['timestamp', 'date'].map(described)).toEqual(['time', 'time']);
    expect(described('boolean')).toBe('boolean');
    expect(['list<text>', 'set<int>', 'map<text, int>', 'frozen<list<int>>'].map(described)).toEqual(['json', 'json', 'json', 'json']);
    expect(isNumericType(parseCqlType('decimal'))).toBe(true);
    expect(isNumericType(parseCqlType('list<int>'))).toBe(false);
    expect(isNumericType(parseCqlType('timestamp'))).toBe(false);
  });
});
