import { describe, expect, it } from '@jest/globals';
import type { TableOutcome, TimeSeriesOutcome } from './query-runner.js';
import { seriesToTable, toAnnotations, toGrafanaSeries, toGrafanaTable, toRestBody, toRows } from './response-format.js';

const single: TimeSeriesOutcome = {
  kind: 'timeseries',
  from: 0,
  to: 299,
  intervalMs: 100,
  grouped: false,
  series: [{ name: 'count', points: [[5, 0], [7, 100], [1, 200]] }],
};

const grouped: TimeSeriesOutcome = {
  ...single,
  grouped: true,
  series: [
    { name: 'Paris', points: [[1, 0], [2, 200]] },
    { name: 'Berlin', points: [[3, 100], [4, 200]] },
  ],
};

describe('toGrafanaSeries', () => {
  it('names a single series after the target, with the refId', () => {
    expect(toGrafanaSeries(single, 'events', 'A')).toEqual([{ target: 'events', datapoints: [[5, 0], [7, 100], [1, 200]], refId: 'A' }]);
    expect(toGrafanaSeries(single, 'events')).toEqual([{ target: 'events', datapoints: [[5, 0], [7, 100], [1, 200]] }]);
  });

  it('names grouped series after their group', () => {
    expect(toGrafanaSeries(grouped, 'by-city').map((s) => s.target)).toEqual(['Paris', 'Berlin']);
  });
});

describe('toGrafanaTable', () => {
  it('maps columns to { text, type } and passes rows through', () => {
    const table = {
      columns: [
        { name: 'ts', type: 'time' as const },
        { name: 'city', type: 'string' as const },
        { name: 'n', type: 'number' as const },
        { name: 'ok', type: 'boolean' as const },
      ],
      rows: [[1, 'Paris', 2, true]],
    };
    expect(toGrafanaTable(table, 'B')).toEqual({
      type: 'table',
      columns: [
        { text: 'ts', type: 'time' },
        { text: 'city', type: 'string' },
        { text: 'n', type: 'number' },
        { text: 'ok', type: 'boolean' },
      ],
      rows: [[1, 'Paris', 2, true]],
      refId: 'B',
    });
  });

  it('sends json columns as JSON text in string columns', () => {
    const table = { columns: [{ name: 'tags', type: 'json' as const }], rows: [[{ a: [1] }], [null]] };
    expect(toGrafanaTable(table)).toEqual({ type: 'table', columns: [{ text: 'tags', type: 'string' }], rows: [['{"a":[1]}'], [null]] });
  });
});

describe('seriesToTable', () => {
  it('makes a wide table: Time then one column per series, ascending, null where a series has no point', () => {
    expect(seriesToTable(grouped, 'by-city')).toEqual({
      columns: [
        { name: 'Time', type: 'time' },
        { name: 'Paris', type: 'number' },
        { name: 'Berlin', type: 'number' },
      ],
      rows: [
        [0, 1, null],
        [100, null, 3],
        [200, 2, 4],
      ],
    });
    expect(seriesToTable(single, 'events').columns[1]).toEqual({ name: 'events', type: 'number' });
  });
});

describe('toRows', () => {
  it('gives one object per row, time series wide', () => {
    expect(toRows(grouped, 'x')).toEqual([
      { Time: 0, Paris: 1, Berlin: null },
      { Time: 100, Paris: null, Berlin: 3 },
      { Time: 200, Paris: 2, Berlin: 4 },
    ]);
    const table: TableOutcome = { kind: 'table', columns: [{ name: 'a', type: 'string' }, { name: 'b', type: 'number' }], rows: [['x', 1]] };
    expect(toRows(table, 't')).toEqual([{ a: 'x', b: 1 }]);
  });
});

describe('toRestBody', () => {
  it('shapes a time series and a table, with the range when one applied', () => {
    expect(toRestBody('events', single)).toEqual({ name: 'events', kind: 'timeseries', from: 0, to: 299, intervalMs: 100, series: single.series });
    const table: TableOutcome = { kind: 'table', range: { from: 1, to: 2 }, columns: [{ name: 'a', type: 'string' }], rows: [['x']] };
    expect(toRestBody('t', table)).toEqual({ name: 't', kind: 'table', from: 1, to: 2, columns: table.columns, rows: [['x']] });
    expect(toRestBody('t', { ...table, range: undefined })).toEqual({ name: 't', kind: 'table', columns: table.columns, rows: [['x']] });
  });
});

describe('toAnnotations', () => {
  const annotation = { name: 'deploys', query: 'deploys' };
  const window = { from: 100, to: 1000 };

  it('uses the time column, the first string column as title, the other columns as text, ascending', () => {
    const table = {
      columns: [
        { name: 'city', type: 'string' as const },
        { name: 'at', type: 'time' as const },
        { name: 'latency', type: 'number' as const },
        { name: 'code', type: 'string' as const },
      ],
      rows: [
        ['Berlin', 500, 12.5, 'E2'],
        ['Paris', 200, 3, 'E1'],
        ['Madrid', 50, 1, 'E0'],
      ],
    };
    expect(toAnnotations(table, annotation, 'deploys', window)).toEqual([
      { annotation, time: 200, title: 'Paris', text: 'latency: 3, code: E1' },
      { annotation, time: 500, title: 'Berlin', text: 'latency: 12.5, code: E2' },
    ]);
  });

  it('prefers title, text and tags columns, and falls back to the given title', () => {
    const table = {
      columns: [
        { name: 'at', type: 'time' as const },
        { name: 'title', type: 'string' as const },
        { name: 'text', type: 'string' as const },
        { name: 'tags', type: 'string' as const },
      ],
      rows: [[300, 'v2 deployed', 'by ci', 'deploy, prod']],
    };
    expect(toAnnotations(table, annotation, 'x', window)).toEqual([{ annotation, time: 300, title: 'v2 deployed', text: 'by ci', tags: ['deploy', 'prod'] }]);
    const bare = { columns: [{ name: 'at', type: 'time' as const }, { name: 'tags', type: 'json' as const }], rows: [[400, ['a', 'b']]] };
    expect(toAnnotations(bare, annotation, 'deploys', window)).toEqual([{ annotation, time: 400, title: 'deploys', tags: ['a', 'b'] }]);
  });

  it('is null without a time column', () => {
    expect(toAnnotations({ columns: [{ name: 'a', type: 'string' }], rows: [] }, annotation, 'x', window)).toBeNull();
  });
});
