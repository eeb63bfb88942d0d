import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineCodec, defineSource, type Codec } from '@sluice/sdk';
import csvCodec from '../../../../plugins/csv-codec/index.js';
import jsonCodecs from '../../../../plugins/json-codec/index.js';
import fileSink from '../../../../plugins/file-sink/index.js';
import fileSource from '../../../../plugins/file-source/index.js';
import { ConfigValidationError } from '../config/config-issues.js';
import { loadConfig } from '../config/load-config.js';
import { codecDefinitions, codecSetFor, PluginCatalog, stageCodecs } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'sluice-plugin-codecs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

class NoOptions {}

/** A catalog with the file plugins and the built-in codecs. */
function catalog(): PluginCatalog {
  const plugins = new PluginCatalog();
  for (const definition of [fileSource, fileSink, csvCodec, ...jsonCodecs]) plugins.register(definition, { kind: 'path', from: import.meta.url });
  return plugins;
}

let files = 0;
function configFile(text: string): string {
  const file = join(dir, `sluice-${files++}.yaml`);
  writeFileSync(file, text);
  return file;
}

async function issuesOf(text: string): Promise<Array<{ line: number; path: string; message: string }>> {
  const error = await loadConfig(configFile(text), { env: {}, catalog: catalog() }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ConfigValidationError);
  return (error as ConfigValidationError).issues.map(({ line, path, message }) => ({ line, path, message }));
}

const pipeline = (source: string) => `pipelines:
  - name: orders
    source:
      plugin: file
      config:
${source}
    sink:
      plugin: file
      config: { path: out.jsonl }
`;

describe('codec plugins in the catalog', () => {
  it('registers codecs as a kind of their own, beside a source of the same name', () => {
    const plugins = new PluginCatalog();
    const csvSource = defineSource({ name: 'csv', version: '1.0.0', description: 'a source named csv', config: NoOptions, create: () => ({ read: async () => null }) });
    plugins.register(csvCodec, { kind: 'builtin', from: '/plugins/csv-codec' });
    plugins.register(csvSource, { kind: 'path', from: '/x.js' });
    expect(plugins.names('codec')).toEqual(['csv']);
    expect(plugins.names('source')).toEqual(['csv']);
    expect(codecDefinitions(plugins)).toEqual([csvCodec]);
  });

  it('refuses two codecs with the same name, naming both origins', () => {
    const plugins = new PluginCatalog();
    plugins.register(csvCodec, { kind: 'builtin', from: '/plugins/csv-codec' });
    const other = defineCodec({ name: 'csv', version: '2.0.0', description: 'another csv', config: NoOptions, create: () => ({}) as Codec });
    expect(() => plugins.register(other, { kind: 'package', from: 'sluice-plugin-csv' })).toThrow(
      'duplicate codec plugin "csv": defined by built-in /plugins/csv-codec and by package sluice-plugin-csv',
    );
  });

  it('discovers the built-in codecs', async () => {
    const plugins = await PluginCatalog.discover({ specifiers: [], baseDir: process.cwd() });
    expect(plugins.names('codec')).toEqual(['csv', 'json', 'jsonl']);
    expect(codecDefinitions(plugins).find((d) => d.name === 'jsonl')?.extensions).toEqual(['.jsonl', '.ndjson']);
  });
});

describe('codecs named by a config', () => {
  it('resolve: every stage carries the host codecs, and its context can create them', async () => {
    const config = await loadConfig(configFile(pipeline('        directory: in\n        format: csv\n        codec: { delimiter: ";" }')), { env: {}, catalog: catalog() });
    const source = config.pipelines[0]!.source;
    expect(stageCodecs(source).map((d) => d.name)).toEqual(['csv', 'json', 'jsonl']);
    expect(stageCodecs(config.pipelines[0]!.deadLetter).map((d) => d.name)).toEqual(['csv', 'json', 'jsonl']);
    // A stage built without codecs (one made by hand) takes those of a stage of the same file.
    expect(stageCodecs({ name: 'sink' }, source).map((d) => d.name)).toEqual(['csv', 'json', 'jsonl']);
    expect(stageCodecs({ name: 'sink' })).toEqual([]);
    const codecs = codecSetFor(stageCodecs(source), dir);
    expect(codecs.create('csv', { delimiter: ';' }).contentType).toBe('text/csv');
  });

  it('report an unknown codec at its field, with the closest name', async () => {
    expect(await issuesOf(pipeline('        directory: in\n        format: cvs'))).toEqual([
      { line: 7, path: 'pipelines[0].source.config.format', message: 'unknown codec "cvs" (did you mean "csv"?)' },
    ]);
  });

  it('report codec options the codec refuses, at their own path', async () => {
    expect(await issuesOf(pipeline('        directory: in\n        csv:\n          delimiter: ";;"\n          header: false'))).toEqual([
      { line: 8, path: 'pipelines[0].source.config.csv.delimiter', message: 'must be shorter than or equal to 1 characters' },
    ]);
  });

  it('report a sink codec that cannot append', async () => {
    const text = `pipelines:
  - name: orders
    source:
      plugin: file
      config: { directory: in }
    sink:
      plugin: file
      config:
        path: out.json
        format: json
`;
    expect(await issuesOf(text)).toEqual([
      { line: 10, path: 'pipelines[0].sink.config.format', message: 'codec "json" writes one whole document per stream and cannot append to a file written before' },
    ]);
  });
});
