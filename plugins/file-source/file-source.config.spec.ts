import { describe, expect, it } from '@jest/globals';
import { CodecSet, describeConfig, runSource, silentLogger, validateConfig, type ConfigIssue } from '@sluice/sdk';
import csvCodec from '../csv-codec/index.js';
import jsonCodecs from '../json-codec/index.js';
import fileSource from './index.js';
import { FileSourceConfig } from './file-source.config.js';

const codecs = new CodecSet([csvCodec, ...jsonCodecs], { configDir: process.cwd(), logger: silentLogger });

/** The issues a host reports: the config class, the validate hook, then the codecs the config names. */
function issuesOf(raw: unknown): ConfigIssue[] {
  const { config, issues } = validateConfig(FileSourceConfig, raw);
  if (issues.length > 0) return issues;
  const own = fileSource.validate?.(config, { configDir: process.cwd() }) ?? [];
  return own.length > 0 ? own : codecs.check(fileSource.codecsUsed?.(config) ?? []);
}

const pathsOf = (raw: unknown) => issuesOf(raw).map((i) => i.path);

describe('file source config', () => {
  it('needs only a directory and documents its defaults', () => {
    const { config, issues } = validateConfig(FileSourceConfig, { directory: 'data/raw' });
    expect(issues).toEqual([]);
    expect(config).toMatchObject({ directory: 'data/raw', format: 'auto', mode: 'once', pollIntervalMs: 1000, batchSize: 500, exclude: [], maxLineBytes: 1_048_576 });
    expect(config.csv).toBeUndefined();
    expect(issuesOf({ directory: 'data/raw' })).toEqual([]);
    const docs = describeConfig(FileSourceConfig);
    expect(docs.find((d) => d.name === 'directory')?.required).toBe(true);
    for (const doc of docs) expect(doc.description.length).toBeGreaterThan(15);
    // The CSV options are the csv codec's: documented and validated by it.
    expect(describeConfig(csvCodec.config).map((f) => f.name)).toEqual(['delimiter', 'quote', 'header', 'columns', 'castNumbers', 'emptyAsNull', 'trim']);
  });

  it.each([
    [{}, 'directory'],
    [{ directory: '' }, 'directory'],
    [{ directory: 'd', format: 'xml' }, 'format'],
    [{ directory: 'd', mode: 'tail' }, 'mode'],
    [{ directory: 'd', pollIntervalMs: 5 }, 'pollIntervalMs'],
    [{ directory: 'd', batchSize: 0 }, 'batchSize'],
    [{ directory: 'd', include: [] }, 'include'],
    [{ directory: 'd', include: '*.csv' }, 'include'],
    [{ directory: 'd', exclude: [3] }, 'exclude'],
    [{ directory: 'd', maxLineBytes: 10 }, 'maxLineBytes'],
    [{ directory: 'd', csv: { delimiter: ';;' } }, 'csv.delimiter'],
    [{ directory: 'd', csv: { quote: '' } }, 'csv.quote'],
    [{ directory: 'd', csv: { header: 'yes' } }, 'csv.header'],
    [{ directory: 'd', csv: { castNumber: true } }, 'csv.castNumber'],
    [{ directory: 'd', csv: 'semicolons' }, 'csv'],
    [{ directory: 'd', format: 'csv', codec: { delimiter: ';;' } }, 'codec.delimiter'],
    [{ directory: 'd', format: 'jsonl', codec: { framing: 'x' } }, 'codec.framing'],
    [{ directory: 'd', codec: { delimiter: ';' } }, 'codec'],
    [{ directory: 'd', format: 'csv', codec: {}, csv: {} }, 'csv'],
  ])('rejects %j at path %s', (raw, path) => {
    expect(pathsOf(raw)).toContain(path);
  });

  it('names an unknown codec with the closest known one, or the installed ones', () => {
    expect(issuesOf({ directory: 'd', format: 'cvs' })).toEqual([{ path: 'format', message: 'unknown codec "cvs" (did you mean "csv"?)' }]);
    expect(issuesOf({ directory: 'd', format: 'parquet' })).toEqual([{ path: 'format', message: 'unknown codec "parquet" (installed codecs: csv, json, jsonl)' }]);
  });

  it('takes the options of the codec format names under codec', () => {
    expect(issuesOf({ directory: 'd', format: 'csv', codec: { delimiter: '\t', header: false, columns: ['a'] } })).toEqual([]);
    expect(issuesOf({ directory: 'd', format: 'csv', codec: { header: false } })).toEqual([
      { path: 'codec.columns', message: 'is required when header is false (the data has no row naming the columns)' },
    ]);
  });

  it('suggests the closest name for a misspelt field', () => {
    expect(issuesOf({ directory: 'd', pollInterval: 10 })).toContainEqual({ path: 'pollInterval', message: 'unknown field (did you mean "pollIntervalMs"?)' });
  });

  it('rejects globs that can never match a relative path', () => {
    expect(issuesOf({ directory: 'd', include: ['ok/*.csv', '/abs/*.csv'], exclude: ['../x/*'] })).toEqual([
      { path: 'include[1]', message: '"/abs/*.csv" is absolute; patterns match paths relative to `directory`' },
      { path: 'exclude[0]', message: '"../x/*" leaves the directory ("..") and can never match; point `directory` higher instead' },
    ]);
  });

  it('checks the CSV options together', () => {
    expect(pathsOf({ directory: 'd', csv: { delimiter: '"' } })).toEqual(['csv.quote']);
    expect(pathsOf({ directory: 'd', csv: { delimiter: '\n' } })).toEqual(['csv.delimiter']);
    expect(issuesOf({ directory: 'd', csv: { header: false } })).toEqual([
      { path: 'csv.columns', message: 'is required when header is false (the data has no row naming the columns)' },
    ]);
    expect(pathsOf({ directory: 'd', csv: { columns: ['a'] } })).toEqual(['csv.columns']);
    expect(issuesOf({ directory: 'd', csv: { header: false, columns: ['a', 'b', 'a'] } })).toEqual([{ path: 'csv.columns', message: '"a" appears twice' }]);
    expect(pathsOf({ directory: 'd', csv: { header: false, columns: ['a', ''] } })).toEqual(['csv.columns']);
    expect(issuesOf({ directory: 'd', csv: { header: false, columns: ['a', 'b'], delimiter: '\t' } })).toEqual([]);
  });

  it('makes the harness refuse a bad config with the path in the message', async () => {
    await expect(runSource(fileSource, { directory: 'd', csv: { header: false } }, { codecs: [csvCodec] })).rejects.toThrow('csv.columns: is required');
  });
});
