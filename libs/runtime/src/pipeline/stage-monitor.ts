import type { PluginKind } from '@sluice/sdk';
import { LatencySamples } from '../metrics/latency-samples.js';

/** What a stage is: a plugin of one of the kinds, or the runtime's own fan-out to a pipeline's routes. */
export type StageKind = PluginKind | 'fan-out';

/**
 * `starting` → `running` (→ `finished` for a source whose input ended); `restarting` after a crash
 * while waiting for the next attempt; `degraded` while a sink keeps retrying an unavailable store;
 * `stopping` → `stopped` on shutdown; `standby` for a source that runs on one host at a time while
 * another host leads (it takes over when that one leaves).
 */
export type StageState = 'starting' | 'running' | 'restarting' | 'degraded' | 'stopping' | 'stopped' | 'finished' | 'standby';

/** Counters of one stage. `in` counts records received, `acked` records fully handled. */
export interface StageCounters {
  in: number;
  out: number;
  acked: number;
  dropped: number;
  retried: number;
  deadLettered: number;
  restarts: number;
}

export interface StageSnapshot {
  readonly pipeline: string;
  readonly stage: string;
  readonly plugin: string;
  readonly kind: StageKind;
  readonly state: StageState;
  readonly since: string;
  readonly lastError?: { readonly message: string; readonly at: string };
  readonly counters: Readonly<StageCounters>;
  /** Per-batch processing time (ms) of the stage, over its recent batches. */
  readonly latencyMs: { readonly p50: number | null; readonly p99: number | null };
}

/** The live state and counters of one pipeline stage: read by `/api/pipelines`, `/metrics`, `/health`. */
export class StageMonitor {
  readonly counters: StageCounters = { in: 0, out: 0, acked: 0, dropped: 0, retried: 0, deadLettered: 0, restarts: 0 };
  readonly batchLatency = new LatencySamples();
  private currentState: StageState = 'starting';
  private since = Date.now();
  private lastError?: { message: string; at: string };

  constructor(
    readonly pipeline: string,
    readonly stage: string,
    readonly plugin: string,
    readonly kind: StageKind,
  ) {}

  get state(): StageState {
    return this.currentState;
  }

  /** Connected and able to move records (a source standing by is ready to take over). */
  get ready(): boolean {
    return this.currentState === 'running' || this.currentState === 'finished' || this.currentState === 'standby';
  }

  transition(state: StageState): void {
    if (state === this.currentState) return;
    if (state === 'restarting') this.counters.restarts++;
    this.currentState = state;
    this.since = Date.now();
  }

  fail(error: unknown): void {
    this.lastError = { message: error instanceof Error ? error.message : String(error), at: new Date().toISOString() };
  }

  snapshot(): StageSnapshot {
    return {
      pipeline: this.pipeline,
      stage: this.stage,
      plugin: this.plugin,
      kind: this.kind,
      state: this.currentState,
      since: new Date(this.since).toISOString(),
      ...(this.lastError ? { lastError: { ...this.lastError } } : {}),
      counters: { ...this.counters },
      latencyMs: { p50: this.batchLatency.percentile(50), p99: this.batchLatency.percentile(99) },
    };
  }
}
