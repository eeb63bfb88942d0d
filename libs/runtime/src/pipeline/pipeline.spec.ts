import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RecordError, type Checkpoint, type SluiceRecord } from '@sluice/sdk';
import { createEmbeddedTransport } from '#transports';
import { Pipeline } from './pipeline.js';
import {
  countingSource,
  environment,
  memorySink,
  pickyTransform,
  pipelineConfig,
  runToEnd,
  scriptedTransform,
  sinkControl,
  waitFor,
  type CountingSourceControl,
  type ScriptedTransformControl,
} from '../testing/memory-plugins.js';

const seqs = (records: readonly SluiceRecord[]) => records.map((r) => (r.value as { seq: number }).seq);
const sourceControl = (over: Partial<CountingSourceControl> = {}): CountingSourceControl => ({ total: 200, batchSize: 7, readCount: 0, starts: [], commits: [], ...over });
const tempDir = () => mkdtempSync(join(tmpdir(), 'sluice-pipeline-'));


describe('Pipeline on the embedded transport', () => {
  it('moves every record through a transform into the sink and commits the last position', async () => {
    const src = sourceControl();
    const sink = sinkControl();
    const dlq = sinkControl();
    const dir = tempDir();
    const pipeline = new Pipeline(
      pipelineConfig({ source: countingSource(src), transforms: [pickyTransform({})], sink: memorySink(sink), deadLetter: memorySink(dlq, 'dlq') }),
      environment(createEmbeddedTransport().transport, dir),
    );
    await runToEnd(pipeline);
    expect(seqs(sink.stored).sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect((sink.stored[5].value as { doubled: number }).doubled).toBe(10);
    expect(dlq.stored).toHaveLength(0);
    expect(JSON.parse(readFileSync(join(dir, 'state', 'test.checkpoint.json'), 'utf8')).positions).toEqual({ seq: 199 });
    expect(src.commits.at(-1)).toEqual({ seq: 199 });
    const status = pipeline.status();
    expect(status.stages.find((s) => s.stage === 'sink')?.counters).toMatchObject({ in: 200, acked: 200 });
    expect(status.stages.find((s) => s.stage === 'source')?.state).toBe('stopped');
  });

  it('keeps per-key order through the stages', async () => {
    const src = sourceControl({ total: 500, batchSize: 3 });
    const sink = sinkControl();
    await runToEnd(new Pipeline(pipelineConfig({ source: countingSource(src), transforms: [pickyTransform({})], sink: memorySink(sink), deadLetter: memorySink(sinkControl(), 'dlq') }), environment(createEmbeddedTransport().transport, tempDir())));
    const byKey = new Map<string, number[]>();
    for (const r of sink.stored) byKey.set(r.key!, [...(byKey.get(r.key!) ?? []), (r.value as { seq: number }).seq]);
    for (const list of byKey.values()) expect(list).toEqual([...list].sort((a, b) => a - b));
  });

  it('retries a retryable transform failure and then succeeds', async () => {
    const flaky = new Map([[3, 2], [50, 1]]);
    const sink = sinkControl();
    const dlq = sinkControl();
    const pipeline = new Pipeline(
      pipelineConfig({ source: countingSource(sourceControl({ total: 60 })), transforms: [pickyTransform({ flaky })], sink: memorySink(sink), deadLetter: memorySink(dlq, 'dlq') }),
      environment(createEmbeddedTransport().transport, tempDir()),
    );
    await runToEnd(pipeline);
    expect(sink.stored).toHaveLength(60);
    expect(dlq.stored).toHaveLength(0);
    expect(pipeline.status().stages.find((s) => s.stage === 'transforms[0]')?.counters.retried).toBe(3);
  });

  it('retries a failing sink batch with backoff, then stores it', async () => {
    let failures = 2;
    const sink = sinkControl({
      beforeWrite: () => {
        if (failures-- > 0) throw new Error('connection reset');
      },
    });
    const pipeline = new Pipeline(
      pipelineConfig({ source: countingSource(sourceControl({ total: 30 })), sink: memorySink(sink), deadLetter: memorySink(sinkControl(), 'dlq') }),
      environment(createEmbeddedTransport().transport, tempDir()),
    );
    await runToEnd(pipeline);
    expect(seqs(sink.stored).sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(pipeline.status().stages.find((s) => s.stage === 'sink')?.counters.retried).toBeGreaterThan(0);
  });

  it('dead-letters records that fail for good with the error, stage and attempts, and still commits past them', async () => {
    const sink = sinkControl();
    const dlq = sinkControl();
    const dir = tempDir();
    const pipeline = new Pipeline(
      pipelineConfig({
        source: countingSource(sourceControl({ total: 40, unreadable: new Set([7]) })),
        transforms: [pickyTransform({ poison: new Set([13, 39]), flaky: new Map([[20, 99]]) })],
        sink: memorySink(sink),
        deadLetter: memorySink(dlq, 'dlq'),
      }),
      environment(createEmbeddedTransport().transport, dir),
    );
    await runToEnd(pipeline);
    expect(seqs(sink.stored).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, i) => i).filter((i) => ![7, 13, 20, 39].includes(i)));
    const letters = dlq.stored.map((r) => r.value as { stage: string; error: string; attempts: number; retryable: boolean; record: { value: { seq: number } } });
    expect(letters.map((l) => l.record.value.seq).sort((a, b) => a - b)).toEqual([7, 13, 20, 39]);
    expect(letters.find((l) => l.record.value.seq === 7)).toMatchObject({ stage: 'source', error: 'line 7 is unreadable', attempts: 1 });
    expect(letters.find((l) => l.record.value.seq === 13)).toMatchObject({ stage: 'transforms[0]', error: 'seq 13 is poison', attempts: 1, retryable: false });
    expect(letters.find((l) => l.record.value.seq === 20)).toMatchObject({ stage: 'transforms[0]', attempts: 3, retryable: true });
    expect(dlq.stored[0].headers['sluice.dlq.stage']).toBeDefined();
    expect(JSON.parse(readFileSync(join(dir, 'state', 'test.checkpoint.json'), 'utf8')).positions).toEqual({ seq: 39 });
  });

  it('isolates a poison record of a refused sink batch and stores the rest', async () => {
    const sink = sinkControl({
      beforeWrite: (batch) => {
        if (seqs(batch).includes(17)) throw new RecordError('value too long for column', { retryable: false });
      },
    });
    const dlq = sinkControl();
    await runToEnd(new Pipeline(pipelineConfig({ source: countingSource(sourceControl({ total: 30 })), sink: memorySink(sink), deadLetter: memorySink(dlq, 'dlq') }), environment(createEmbeddedTransport().transport, tempDir())));
    expect(seqs(sink.stored).sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i).filter((i) => i !== 17));
    expect(dlq.stored.map((r) => (r.value as { error: string; stage: string }))).toEqual([expect.objectContaining({ error: 'value too long for column', stage: 'sink' })]);
  });

  it('retries records a sink refuses retryably (SinkWriteResult) up to the retry policy, then dead-letters them', async () => {
    const sink = sinkControl({ refuse: (record) => ((record.value as { seq: number }).seq === 11 ? new RecordError('row locked', { retryable: true }) : undefined) });
    const dlq = sinkControl();
    const pipeline = new Pipeline(
      pipelineConfig({ source: countingSource(sourceControl({ total: 30 })), sink: memorySink(sink), deadLetter: memorySink(dlq, 'dlq'), maxAttempts: 3 }),
      environment(createEmbeddedTransport().transport, tempDir()),
    );
    await runToEnd(pipeline);
    expect([...new Set(seqs(sink.stored))].sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i).filter((i) => i !== 11));
    // Seq 18 has seq 11's key and follows it in the batch: it is written again after each retry of 11 (per-key order).
    expect(seqs(sink.stored).filter((seq) => seq === 18)).toHaveLength(3);
    expect(dlq.stored.map((r) => r.value)).toEqual([expect.objectContaining({ stage: 'sink', error: 'row locked', attempts: 3, retryable: true })]);
    expect(pipeline.status().stages.find((s) => s.stage === 'sink')?.counters.retried).toBe(4);
  });

  it('bounds the records in flight when the sink is slow (backpressure)', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const sink = sinkControl({ beforeWrite: () => gate });
    const src = sourceControl({ total: null, batchSize: 5 });
    const pipeline = new Pipeline(
      pipelineConfig({ source: countingSource(src), sink: memorySink(sink), deadLetter: memorySink(sinkControl(), 'dlq'), maxInFlight: 50, maxRecords: 10 }),
      environment(createEmbeddedTransport().transport, tempDir()),
    );
    await pipeline.start();
    await waitFor(() => src.readCount >= 50);
    await new Promise((r) => setTimeout(r, 100));
    // The source may finish the read that crossed the bound, never more.
    expect(src.readCount).toBeLessThanOrEqual(50 + 5);
    expect(pipeline.status().recordsInFlight).toBeLessThanOrEqual(55);
    release();
    await waitFor(() => sink.stored.length >= 200);
    await pipeline.stop();
  });

  it('drains on stop: every record read is stored, the checkpoint covers them, a restart resumes after it', async () => {
    const sink = sinkControl({ beforeWrite: () => new Promise((r) => setTimeout(r, 2)) });
    const dir = tempDir();
    const make = (src: CountingSourceControl) =>
      new Pipeline(pipelineConfig({ source: countingSource(src), sink: memorySink(sink), deadLetter: memorySink(sinkControl(), 'dlq'), maxInFlight: 100 }), environment(createEmbeddedTransport().transport, dir));
    const first = sourceControl({ total: null });
    const pipeline = make(first);
    await pipeline.start();
    await waitFor(() => sink.stored.length > 150);
    await pipeline.stop();
    const read = first.readCount;
    expect(sink.stored).toHaveLength(read);
    const committed = JSON.parse(readFileSync(join(dir, 'state', 'test.checkpoint.json'), 'utf8')).positions.seq;
    expect(committed).toBe(read - 1);

    const second = sourceControl({ total: read + 50 });
    await runToEnd(make(second));
    expect(second.starts[0]).toEqual({ seq: committed });
    expect(seqs(sink.stored).sort((a, b) => a - b)).toEqual(Array.from({ length: read + 50 }, (_, i) => i));
  });

  it('restarts a crashed source from the committed checkpoint without losing records', async () => {
    const src = sourceControl({ total: 120, crashAt: 61 });
    const sink = sinkControl();
    const pipeline = new Pipeline(pipelineConfig({ source: countingSource(src), sink: memorySink(sink), deadLetter: memorySink(sinkControl(), 'dlq') }), environment(createEmbeddedTransport().transport, tempDir()));
    await runToEnd(pipeline);
    expect(new Set(seqs(sink.stored))).toEqual(new Set(Array.from({ length: 120 }, (_, i) => i)));
    expect(src.starts).toHaveLength(2);
    // the crash lost the unreturned read of 56..60: the last record handed over was 55
    expect(src.starts[1]).toEqual({ seq: 55 });
    const source = pipeline.status().stages.find((s) => s.stage === 'source');
    expect(source?.counters.restarts).toBe(1);
    expect(source?.lastError?.message).toBe('crash at 61');
  });
});

describe('Pipeline: stateful transforms are flushed before their records are acknowledged', () => {
  it('commits no source position before the transform flushed the batch that held it', async () => {
    const transform: ScriptedTransformControl = { seen: [] };
    /** Records the transform had processed at each flush. */
    const flushedUpTo: number[] = [];
    transform.flush = () => void flushedUpTo.push(transform.seen.length);
    const commitsAt: Array<{ seq: number; flushed: number }> = [];
    class RecordingCommits extends Array<Checkpoint> {
      override push(...items: Checkpoint[]): number {
        for (const checkpoint of items) commitsAt.push({ seq: checkpoint.seq as number, flushed: flushedUpTo.at(-1) ?? 0 });
        return super.push(...items);
      }
    }
    const src = sourceControl({ total: 60, batchSize: 10, commits: new RecordingCommits() });
    const sink = sinkControl();
    await runToEnd(new Pipeline(pipelineConfig({ source: countingSource(src), transforms: [scriptedTransform(transform)], sink: memorySink(sink), deadLetter: memorySink(sinkControl(), 'dlq') }), environment(createEmbeddedTransport().transport, tempDir())));
    expect(sink.stored).toHaveLength(60);
    expect(flushedUpTo.length).toBeGreaterThan(0);
    expect(commitsAt.length).toBeGreaterThan(0);
    for (const { seq, flushed } of commitsAt) expect(seq).toBeLessThan(flushed);
  });
});
