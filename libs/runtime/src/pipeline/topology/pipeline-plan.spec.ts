import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineTransform, type SluiceRecord } from '@sluice/sdk';
import { createEmbeddedTransport } from '#transports';
import { Pipeline } from '../pipeline.js';
import { planPipeline } from './pipeline-plan.js';
import { countingSource, environment, memorySink, pickyTransform, pipelineConfig, sinkControl, type CountingSourceControl } from '../../testing/memory-plugins.js';
import type { PipelineConfig } from '../../config/sluice-config.js';

const keyed = defineTransform({ name: 'keyed', version: '1.0.0', description: 'test', config: class {}, capabilities: { keyedState: true }, create: () => ({ process: (r: SluiceRecord) => r }) });
const sourceControl = (over: Partial<CountingSourceControl> = {}): CountingSourceControl => ({ total: 100, batchSize: 10, readCount: 0, starts: [], commits: [], ...over });
const base = () => pipelineConfig({ source: countingSource(sourceControl()), transforms: [pickyTransform({}), keyed, pickyTransform({})], sink: memorySink(sinkControl()), deadLetter: memorySink(sinkControl(), 'dlq') });
/** The same config with `channel: true` on stage `index` of the transforms (or the sink). */
function forced(config: PipelineConfig, stage: 'sink' | number): PipelineConfig {
  if (stage === 'sink') {
    if (!config.sink) throw new Error('a pipeline with routes has no sink stage');
    return { ...config, sink: { ...config.sink, channel: true } };
  }
  return { ...config, transforms: config.transforms.map((t, i) => (i === stage ? { ...t, channel: true } : t)) };
}

describe('planPipeline', () => {
  it('fuses every stage on the embedded transport', () => {
    const plan = planPipeline(base(), 'embedded');
    expect(plan.channels).toEqual([]);
    expect(plan.stages.map((s) => s.input)).toEqual([null, null, null, null, null]);
  });

  it('on Kafka: a channel after the source and before the keyed transform, the stateless ones in-line', () => {
    const plan = planPipeline(base(), 'kafka');
    expect(plan.channels).toEqual([
      { name: 'test.stage-1', from: 'source', to: 'transforms[0]', reason: 'scale-out' },
      { name: 'test.stage-2', from: 'transforms[0]', to: 'transforms[1]', reason: 'keyed-state' },
    ]);
    expect(plan.stages.map((s) => s.input)).toEqual([null, 'test.stage-1', 'test.stage-2', null, null]);
  });

  it('puts a channel where the config asks for one, on either transport', () => {
    expect(planPipeline(forced(base(), 'sink'), 'embedded').channels).toEqual([{ name: 'test.stage-4', from: 'transforms[2]', to: 'sink', reason: 'configured' }]);
    expect(planPipeline(forced(base(), 2), 'kafka').channels.map((c) => [c.name, c.reason])).toEqual([
      ['test.stage-1', 'scale-out'],
      ['test.stage-2', 'keyed-state'],
      ['test.stage-3', 'configured'],
    ]);
  });
});

describe('planPipeline with routes', () => {
  const routed = () =>
    pipelineConfig({
      source: countingSource(sourceControl()),
      transforms: [pickyTransform({})],
      routes: [
        { name: 'a', transforms: [pickyTransform({}), keyed], sink: memorySink(sinkControl(), 'store-a') },
        { name: 'b', sink: memorySink(sinkControl(), 'store-b') },
      ],
      deadLetter: memorySink(sinkControl(), 'dlq'),
    });

  it('ends the main chain in the fan-out, followed by each route’s stages in-line, with the route’s name', () => {
    const plan = planPipeline(routed(), 'embedded');
    expect(plan.channels).toEqual([]);
    expect(plan.stages).toEqual([
      { stage: 'source', plugin: 'counting', kind: 'source', input: null },
      { stage: 'transforms[0]', plugin: 'picky', kind: 'transform', input: null },
      { stage: 'routes', plugin: 'fan-out', kind: 'fan-out', input: null },
      { stage: 'routes.a.transforms[0]', plugin: 'picky', kind: 'transform', input: null, route: 'a' },
      { stage: 'routes.a.transforms[1]', plugin: 'keyed', kind: 'transform', input: null, route: 'a' },
      { stage: 'routes.a.sink', plugin: 'store-a', kind: 'sink', input: null, route: 'a' },
      { stage: 'routes.b.sink', plugin: 'store-b', kind: 'sink', input: null, route: 'b' },
    ]);
  });

  it('on Kafka: a channel before the fan-out, and inside a route only before a keyed transform (its repartition channel)', () => {
    const plan = planPipeline(routed(), 'kafka');
    expect(plan.channels).toEqual([
      { name: 'test.stage-1', from: 'source', to: 'transforms[0]', reason: 'scale-out' },
      { name: 'test.stage-2', from: 'transforms[0]', to: 'routes', reason: 'fan-out' },
      { name: 'test.routes.a.transforms-1', from: 'routes.a.transforms[0]', to: 'routes.a.transforms[1]', reason: 'keyed-state' },
    ]);
    expect(plan.stages.filter((s) => s.route !== undefined).map((s) => s.input)).toEqual([null, 'test.routes.a.transforms-1', null, null]);
    // Right after the source, the fan-out's channel is the scale-out boundary.
    const direct = planPipeline({ ...routed(), transforms: [] }, 'kafka');
    expect(direct.channels.slice(0, 1)).toEqual([{ name: 'test.stage-1', from: 'source', to: 'routes', reason: 'scale-out' }]);
  });
});

describe('a pipeline runs its plan', () => {
  it('fused on the embedded transport: no channel is used, every record arrives in order', async () => {
    const embedded = createEmbeddedTransport().transport;
    const sink = sinkControl();
    const pipeline = new Pipeline(
      pipelineConfig({ source: countingSource(sourceControl()), transforms: [pickyTransform({}), pickyTransform({})], sink: memorySink(sink), deadLetter: memorySink(sinkControl(), 'dlq') }),
      environment(embedded, mkdtempSync(join(tmpdir(), 'sluice-plan-'))),
    );
    await pipeline.start();
    await pipeline.sourceFinished();
    expect(embedded.status().details).toMatchObject({ channels: 0, consumers: 0 });
    await pipeline.stop();
    expect(sink.stored.map((r) => (r.value as { seq: number }).seq)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(pipeline.status().channels).toEqual([]);
  });

  it('through a channel where one is forced, with the same result', async () => {
    const embedded = createEmbeddedTransport().transport;
    const sink = sinkControl();
    const config = forced(pipelineConfig({ source: countingSource(sourceControl()), transforms: [pickyTransform({})], sink: memorySink(sink), deadLetter: memorySink(sinkControl(), 'dlq') }), 'sink');
    const pipeline = new Pipeline(config, environment(embedded, mkdtempSync(join(tmpdir(), 'sluice-plan-'))));
    await pipeline.start();
    expect(embedded.status().details).toMatchObject({ consumers: 1 });
    await pipeline.sourceFinished();
    await pipeline.stop();
    expect(sink.stored.map((r) => (r.value as { seq: number }).seq)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(pipeline.status().channels.map((c) => c.name)).toEqual(['test.stage-2']);
  });
});
