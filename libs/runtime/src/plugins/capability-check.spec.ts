import { defineSink, defineTransform } from '@sluice/sdk';
import { createEmbeddedTransport } from '#transports';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingCapabilities } from './capability-check.js';
import { PluginCatalog } from './plugin-catalog.js';
import { Pipeline } from '../pipeline/pipeline.js';
import { countingSource, environment, memorySink, pipelineConfig, sinkControl } from '../testing/memory-plugins.js';

class NoConfig {}
const claimsQueryable = defineSink({ name: 'claims-queryable', version: '1.0.0', description: 'test', config: NoConfig, capabilities: { queryable: true }, create: () => ({ async write() {} }) });

describe('plugin capabilities', () => {
  it('are refused at registration when they do not apply to the kind', () => {
    const catalog = new PluginCatalog();
    const odd = defineTransform({ name: 'odd', version: '1.0.0', description: 'test', config: NoConfig, capabilities: { queryable: true, stateless: true, keyedState: true }, create: () => ({ process: (r) => r }) });
    expect(() => catalog.register(odd, { kind: 'path', from: 'test' })).toThrow(
      /capability "queryable" applies to sink plugins, not to a transform; a transform cannot be both "stateless" and "keyedState"/,
    );
  });

  it('are checked against each instance: a declared capability the instance lacks is named', () => {
    expect(missingCapabilities(claimsQueryable, {})).toEqual(['queryable']);
    expect(missingCapabilities(claimsQueryable, { listDatasets() {}, queryTimeSeries() {}, queryTable() {} })).toEqual([]);
  });

  it('fail the pipeline, not the host, when an instance lacks one', async () => {
    const pipeline = new Pipeline(
      pipelineConfig({ source: countingSource({ total: 1, batchSize: 1, readCount: 0, starts: [], commits: [] }), sink: claimsQueryable, deadLetter: memorySink(sinkControl(), 'dlq') }),
      environment(createEmbeddedTransport().transport, mkdtempSync(join(tmpdir(), 'sluice-caps-'))),
    );
    await expect(pipeline.start()).rejects.toThrow('pipelines[0].sink (plugin "claims-queryable"): the plugin declares "queryable" but its instance does not implement it');
    expect(pipeline.state).toBe('failed');
    expect(pipeline.status().error).toContain('declares "queryable"');
    await pipeline.stop();
  });
});
