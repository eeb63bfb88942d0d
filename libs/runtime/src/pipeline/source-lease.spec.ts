// A source that cannot be split runs, over Kafka, on one host at a time: the leader. It stands by
// elsewhere, stops (drained, committed) when the lead moves, and the next leader resumes from the
// shared checkpoint.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { SluiceRecord } from '@sluice/sdk';
import { createEmbeddedTransport, MemoryStateChangelog, type ChannelTransport, type Leadership, type StateChangelog } from '#transports';
import { Pipeline } from './pipeline.js';
import { plannedAsKafka } from './fan-out/routed-pipeline-kit.js';
import { countingSource, environment, memorySink, pipelineConfig, sinkControl, waitFor, type CountingSourceControl } from '../testing/memory-plugins.js';

/** A lead the test hands out and takes back. */
class HandedLeadership implements Leadership {
  isLeader = false;
  private readonly listeners: Array<(leading: boolean) => void> = [];
  get details() {
    return { kind: 'handed', leader: this.isLeader };
  }
  async start(): Promise<void> {}
  async stop(): Promise<void> {
    this.set(false);
  }
  onChange(listener: (leading: boolean) => void): void {
    this.listeners.push(listener);
  }
  set(leading: boolean): void {
    if (leading === this.isLeader) return;
    this.isLeader = leading;
    for (const listener of this.listeners) listener(leading);
  }
}

/** The planned-as-Kafka transport whose changelogs the test holds. */
function kafkaWith(changelogs: Map<string, StateChangelog>): ChannelTransport {
  const { transport } = plannedAsKafka();
  return {
    ...transport,
    kind: 'kafka',
    changelog: (name) => {
      const known = changelogs.get(name) ?? new MemoryStateChangelog(name);
      changelogs.set(name, known);
      return known;
    },
  };
}

const seqs = (stored: readonly SluiceRecord[]) => [...new Set(stored.map((r) => (r.value as { seq: number }).seq))].sort((a, b) => a - b);

describe('a source that is not splittable, over Kafka', () => {
  it('reads only while this host leads, stands by otherwise, and resumes from the shared checkpoint', async () => {
    const lead = new HandedLeadership();
    const changelogs = new Map<string, StateChangelog>();
    const sink = sinkControl();
    const control: CountingSourceControl = { total: null, batchSize: 5, readCount: 0, starts: [], commits: [] };
    const pipeline = new Pipeline(
      pipelineConfig({ source: countingSource(control), sink: memorySink(sink), deadLetter: memorySink(sinkControl(), 'dlq') }),
      { ...environment(kafkaWith(changelogs), mkdtempSync(join(tmpdir(), 'sluice-lease-'))), leadership: lead },
    );
    await pipeline.start();
    await waitFor(() => pipeline.status().stages.find((s) => s.stage === 'source')?.state === 'standby');
    expect(pipeline.ready).toBe(true);
    expect(control.readCount).toBe(0);

    lead.set(true);
    await waitFor(() => sink.stored.length >= 40);
    lead.set(false);
    await waitFor(() => pipeline.status().stages.find((s) => s.stage === 'source')?.state === 'standby');
    const firstTurn = seqs(sink.stored);
    // Everything read in the turn was stored and committed to the shared changelog.
    const shared = JSON.parse((await changelogs.get('sluice.checkpoints')!.read('test'))!) as { positions: { seq: number } };
    expect(shared.positions.seq).toBe(firstTurn.at(-1));
    expect(firstTurn).toEqual(Array.from({ length: firstTurn.length }, (_, i) => i));
    const readBefore = control.readCount;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(control.readCount).toBe(readBefore);

    // The lead comes back (as it would to another host): the source starts again after the shared checkpoint.
    lead.set(true);
    await waitFor(() => sink.stored.length >= firstTurn.length + 20);
    expect(control.starts.at(-1)).toEqual({ seq: firstTurn.at(-1) });
    await pipeline.stop();
    const all = seqs(sink.stored);
    expect(all).toEqual(Array.from({ length: all.length }, (_, i) => i));
  });

  it('runs at once on the embedded transport (one host: no lease, even with a lead that is not this host)', async () => {
    const sink = sinkControl();
    const control: CountingSourceControl = { total: 30, batchSize: 5, readCount: 0, starts: [], commits: [] };
    const pipeline = new Pipeline(
      pipelineConfig({ source: countingSource(control), sink: memorySink(sink), deadLetter: memorySink(sinkControl(), 'dlq') }),
      { ...environment(createEmbeddedTransport().transport, mkdtempSync(join(tmpdir(), 'sluice-lease-'))), leadership: new HandedLeadership() },
    );
    await pipeline.start();
    await pipeline.sourceFinished();
    await pipeline.stop();
    expect(seqs(sink.stored)).toHaveLength(30);
  });
});
