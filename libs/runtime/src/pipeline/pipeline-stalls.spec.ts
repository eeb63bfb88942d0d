// Stalls found under bad input (issue "One delivery engine", step 1): each test failed before its fix.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineSink, invalidRecord, type SluiceRecord } from '@sluice/sdk';
import { createEmbeddedTransport } from '#transports';
import pino from 'pino';
import { Pipeline } from './pipeline.js';
import { SluiceRuntime } from '../runtime.js';
import { RuntimeMetrics } from '../metrics/runtime-metrics.js';
import { countingSource, environment, memorySink, pipelineConfig, scriptedTransform, sinkControl, transformControl, waitFor, type CountingSourceControl } from '../testing/memory-plugins.js';
import type { SluiceConfig } from '../config/sluice-config.js';

const sourceControl = (over: Partial<CountingSourceControl> = {}): CountingSourceControl => ({ total: 50, batchSize: 5, readCount: 0, starts: [], commits: [], ...over });
const tempDir = () => mkdtempSync(join(tmpdir(), 'sluice-stalls-'));
const seqOf = (record: SluiceRecord) => (record.value as { seq: number }).seq;

/** A value nested `depth` levels deep (JSON.stringify overflows the stack on it). */
function nested(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

/** A sink that serialises what it stores, as every real dead-letter sink (file, kafka) does. */
function serialisingSink(stored: string[]) {
  return defineSink({
    name: 'serialising',
    version: '1.0.0',
    description: 'test sink writing JSON',
    config: class {},
    create: () => ({
      async write(batch) {
        for (const record of batch) stored.push(JSON.stringify(record.value));
      },
    }),
  });
}

describe('a record that cannot be serialised for its dead letter', () => {
  it('is dead-lettered with a truncated description, and the pipeline moves on', async () => {
    const dir = tempDir();
    const letters: string[] = [];
    const sink = sinkControl();
    const transform = transformControl({
      process: (record) => {
        if (seqOf(record) === 7) throw invalidRecord('seq 7 is bad');
        return record;
      },
    });
    const deep = nested(200_000);
    const source = countingSource(sourceControl({ total: 20 }));
    const pipeline = new Pipeline(
      pipelineConfig({
        source,
        transforms: [scriptedTransform({ ...transformControl(), process: (record) => (seqOf(record) === 7 ? { ...record, value: { seq: 7, deep } } : record) }, 'deepen'), scriptedTransform(transform)],
        sink: memorySink(sink),
        deadLetter: serialisingSink(letters),
      }),
      environment(createEmbeddedTransport().transport, dir),
    );
    await pipeline.start();
    await Promise.race([pipeline.sourceFinished(), new Promise((_, reject) => setTimeout(() => reject(new Error('the pipeline never finished')), 5000))]);
    await pipeline.stop();
    expect(letters).toHaveLength(1);
    const letter = JSON.parse(letters[0]) as { error: string; stage: string; record: { value: { unserialisable: string; preview: string } } };
    expect(letter).toMatchObject({ error: 'seq 7 is bad', stage: 'transforms[1]' });
    expect(letter.record.value.unserialisable).toBe('nested too deeply to serialise');
    expect(letter.record.value.preview.length).toBeLessThanOrEqual(4097);
    // Every good record stored exactly once, and the checkpoint past the bad one.
    expect(sink.stored.map(seqOf).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i).filter((i) => i !== 7));
    expect(JSON.parse(readFileSync(join(dir, 'state', 'test.checkpoint.json'), 'utf8')).positions).toEqual({ seq: 19 });
  });

  it('keeps its config hash and step, so a replay knows where it failed', async () => {
    const letters: string[] = [];
    const pipeline = new Pipeline(
      pipelineConfig({ source: countingSource(sourceControl({ total: 3, unreadable: new Set([1]) })), sink: memorySink(sinkControl()), deadLetter: serialisingSink(letters) }),
      environment(createEmbeddedTransport().transport, tempDir()),
    );
    await pipeline.start();
    await pipeline.sourceFinished();
    await pipeline.stop();
    expect(JSON.parse(letters[0])).toMatchObject({ pipeline: 'test', configHash: pipeline.identity.configHash, stage: 'source' });
    expect(pipeline.identity.configHash).toMatch(/^[0-9a-f]{16}$/);
    expect(pipeline.status().configHash).toBe(pipeline.identity.configHash);
  });
});

describe('a batch refused downstream again and again', () => {
  it('turns the source degraded (not ready) instead of retrying unseen, and recovers', async () => {
    let refuse = true;
    const sink = sinkControl();
    const dlqFails = defineSink({
      name: 'broken-dlq',
      version: '1.0.0',
      description: 'a dead-letter sink that is down',
      config: class {},
      create: () => ({
        async write() {
          if (refuse) throw new Error('dead-letter store is down');
        },
      }),
    });
    const transform = transformControl({
      process: (record) => {
        if (seqOf(record) === 3) throw invalidRecord('bad');
        return record;
      },
    });
    const pipeline = new Pipeline(
      pipelineConfig({ source: countingSource(sourceControl({ total: 10 })), transforms: [scriptedTransform(transform)], sink: memorySink(sink), deadLetter: dlqFails, maxAttempts: 2 }),
      environment(createEmbeddedTransport().transport, tempDir()),
    );
    await pipeline.start();
    const sourceState = () => pipeline.status().stages.find((s) => s.stage === 'source')!.state;
    await waitFor(() => sourceState() === 'degraded', 10_000);
    expect(pipeline.ready).toBe(false);
    expect(pipeline.state).toBe('degraded');
    expect(pipeline.status().stages.find((s) => s.stage === 'source')!.lastError?.message).toContain('dead-letter store is down');
    refuse = false;
    await pipeline.sourceFinished();
    expect(sourceState()).toBe('finished');
    await pipeline.stop();
  });
});

describe('a sink whose write hangs', () => {
  it('times out after writeTimeoutMs, aborts the write, turns degraded, and recovers when the store answers', async () => {
    let hang = true;
    const aborted: boolean[] = [];
    const sink = sinkControl();
    const hanging = defineSink({
      name: 'hanging',
      version: '1.0.0',
      description: 'a sink whose store is locked',
      config: class {},
      create: () => ({
        async write(batch, signal) {
          if (hang) {
            await new Promise<void>((resolve) => signal!.addEventListener('abort', () => resolve(), { once: true }));
            aborted.push(signal!.aborted);
            throw new Error('lock wait cancelled');
          }
          sink.stored.push(...batch);
        },
      }),
    });
    const pipeline = new Pipeline(
      pipelineConfig({ source: countingSource(sourceControl({ total: 30 })), sink: hanging, deadLetter: memorySink(sinkControl(), 'dlq'), sinkTimeouts: { writeMs: 40 } }),
      environment(createEmbeddedTransport().transport, tempDir()),
    );
    await pipeline.start();
    const sinkStage = () => pipeline.status().stages.find((s) => s.stage === 'sink')!;
    await waitFor(() => sinkStage().state === 'degraded', 5000);
    expect(pipeline.ready).toBe(false);
    expect(sinkStage().lastError?.message).toMatch(/timed out after 40 ms/);
    expect(aborted[0]).toBe(true);
    hang = false;
    await pipeline.sourceFinished();
    expect(sinkStage().state).toBe('running');
    expect(new Set(sink.stored.map(seqOf)).size).toBe(30);
    await pipeline.stop();
  });
});

describe('a sink that cannot start', () => {
  const hangingStart = defineSink({
    name: 'never-starts',
    version: '1.0.0',
    description: 'a sink whose database never answers',
    config: class {},
    create: () => ({
      start: () => new Promise<void>(() => undefined),
      async write() {},
    }),
  });

  it('holds up only its own pipeline: the others run, and stop() does not wait for it', async () => {
    const dir = tempDir();
    const good = sinkControl();
    const stuck = pipelineConfig({ source: countingSource(sourceControl()), sink: hangingStart, deadLetter: memorySink(sinkControl(), 'dlq'), sinkTimeouts: { startMs: 30 } });
    const running = pipelineConfig({ source: countingSource(sourceControl({ total: 40 })), sink: memorySink(good), deadLetter: memorySink(sinkControl(), 'dlq') });
    const config = {
      dataDir: dir,
      dir,
      transport: { kind: 'embedded' },
      pipelines: [{ ...stuck, name: 'stuck' }, { ...running, name: 'running' }],
    } as unknown as SluiceConfig;
    const runtime = new SluiceRuntime(config, createEmbeddedTransport().transport, pino({ level: 'silent' }), new RuntimeMetrics({ defaultMetrics: false }));
    await Promise.race([runtime.start(), new Promise((_, reject) => setTimeout(() => reject(new Error('runtime.start() waited for the stuck sink')), 2000))]);
    await runtime.pipeline('running')!.sourceFinished();
    expect(good.stored).toHaveLength(40);
    const stuckPipeline = runtime.pipeline('stuck')!;
    await waitFor(() => (stuckPipeline.status().stages.find((s) => s.stage === 'sink')!.counters.restarts ?? 0) >= 1);
    expect(stuckPipeline.state).toBe('starting');
    expect(stuckPipeline.status().stages.find((s) => s.stage === 'sink')!.lastError?.message).toMatch(/starting pipelines\[0\]\.sink \(plugin "never-starts"\) timed out after 30 ms/);
    expect(runtime.ready).toBe(false);
    await Promise.race([runtime.stop(), new Promise((_, reject) => setTimeout(() => reject(new Error('stop() waited for the stuck sink')), 2000))]);
    expect(stuckPipeline.state).toBe('stopped');
  });
});

describe('re-delivery after a crash', () => {
  it('is bounded by maxInFlight plus one read: acknowledged records count until their checkpoint is written', async () => {
    const dir = tempDir();
    const src = sourceControl({ total: 3000, batchSize: 25 });
    let worst = 0;
    const sink = sinkControl({
      beforeWrite: () => {
        // What a kill -9 now would deliver again: everything read past the committed checkpoint.
        const committed = src.commits.length > 0 ? (src.commits.at(-1)!.seq as number) + 1 : 0;
        worst = Math.max(worst, src.readCount - committed);
      },
    });
    const pipeline = new Pipeline(
      pipelineConfig({ source: countingSource(src), sink: memorySink(sink), deadLetter: memorySink(sinkControl(), 'dlq'), maxInFlight: 100, maxRecords: 20 }),
      environment(createEmbeddedTransport().transport, dir),
    );
    await pipeline.start();
    await pipeline.sourceFinished();
    await pipeline.stop();
    expect(sink.stored).toHaveLength(3000);
    expect(worst).toBeGreaterThan(0);
    expect(worst).toBeLessThanOrEqual(100 + 25);
  });
});
