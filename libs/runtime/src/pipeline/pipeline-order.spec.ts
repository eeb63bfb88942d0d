// The per-key ordering guarantee: the records of one key reach the sink in source order, across
// retried batches, partial batch failures and one-by-one isolation; a record written again is
// followed by the later records of its key, so a key's last write is always its last record.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { invalidRecord, RetryableError, type SluiceRecord } from '@sluice/sdk';
import { createEmbeddedTransport } from '#transports';
import { Pipeline } from './pipeline.js';
import { countingSource, environment, memorySink, pipelineConfig, runToEnd, sinkControl } from '../testing/memory-plugins.js';

const seqOf = (record: SluiceRecord) => (record.value as { seq: number }).seq;

/** Per key, the stored seqs with each seq kept at its last write: what an upsert store ends up ordered by. */
function lastWrites(stored: readonly SluiceRecord[]): Map<string, number[]> {
  const byKey = new Map<string, number[]>();
  for (const record of stored) {
    const list = (byKey.get(record.key!) ?? []).filter((seq) => seq !== seqOf(record));
    byKey.set(record.key!, [...list, seqOf(record)]);
  }
  return byKey;
}

describe('per-key order', () => {
  it('holds when a sink refuses some records of a batch for now (partial failure, retried)', async () => {
    const refusals = new Map([[3, 2], [10, 1], [24, 1], [45, 3]]);
    const sink = sinkControl({
      refuse: (record) => {
        const left = refusals.get(seqOf(record)) ?? 0;
        if (left === 0) return undefined;
        refusals.set(seqOf(record), left - 1);
        return new RetryableError('row locked');
      },
    });
    await runToEnd(
      new Pipeline(
        pipelineConfig({ source: countingSource({ total: 70, batchSize: 70, readCount: 0, starts: [], commits: [] }), sink: memorySink(sink), deadLetter: memorySink(sinkControl(), 'dlq'), maxRecords: 35, maxAttempts: 5 }),
        environment(createEmbeddedTransport().transport, mkdtempSync(join(tmpdir(), 'sluice-order-'))),
      ),
    );
    for (const [key, seqs] of lastWrites(sink.stored)) {
      expect({ key, seqs }).toEqual({ key, seqs: [...seqs].sort((a, b) => a - b) });
      expect(seqs).toHaveLength(10);
    }
  });

  it('holds when whole batches are retried and bad records are isolated one by one', async () => {
    let failures = 2;
    const sink = sinkControl({
      beforeWrite: (batch) => {
        if (batch.length > 1 && batch.some((r) => seqOf(r) === 30)) throw invalidRecord('value too long');
        if (failures-- > 0) throw new RetryableError('connection reset');
      },
    });
    const dlq = sinkControl();
    await runToEnd(
      new Pipeline(
        pipelineConfig({ source: countingSource({ total: 70, batchSize: 5, readCount: 0, starts: [], commits: [] }), sink: memorySink(sink), deadLetter: memorySink(dlq, 'dlq'), maxRecords: 10 }),
        environment(createEmbeddedTransport().transport, mkdtempSync(join(tmpdir(), 'sluice-order-'))),
      ),
    );
    for (const [key, seqs] of lastWrites(sink.stored)) expect({ key, seqs }).toEqual({ key, seqs: [...seqs].sort((a, b) => a - b) });
    expect(new Set(sink.stored.map(seqOf)).size).toBe(70);
  });
});
