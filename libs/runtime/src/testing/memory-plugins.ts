import { IsInt, IsOptional } from 'class-validator';
import {
  defineSink,
  defineSource,
  defineTransform,
  Field,
  invalidRecord,
  RecordError,
  type Checkpoint,
  type Sink,
  type SluiceRecord,
  type Source,
  type SourceRecord,
  type TransformOutput,
} from '@sluice/sdk';
import pino from 'pino';
import type { PipelineConfig, RouteConfig, StageConfig, StageTimeouts, UnroutedPolicy } from '../config/sluice-config.js';
import { DEFAULT_STAGE_TIMEOUTS } from '../config/stage-timeouts.js';
import { RuntimeMetrics } from '../metrics/runtime-metrics.js';
import type { Pipeline, PipelineEnvironment } from '../pipeline/pipeline.js';
import type { ChannelTransport } from '#transports';

/** In-memory plugins for runtime tests: their behaviour is steered by the test through hooks. */
class NoConfig {
  @Field({ description: 'unused' }) @IsOptional() @IsInt() unused?: number;
}

export interface CountingSourceControl {
  /** Stop after this many records (null: endless). */
  total: number | null;
  batchSize: number;
  /** Throw from read() once when this sequence number is reached. */
  crashAt?: number;
  /** Records with these sequence numbers are reported unreadable (failure). */
  unreadable?: Set<number>;
  readCount: number;
  starts: Checkpoint[];
  commits: Checkpoint[];
}

export function countingSource(control: CountingSourceControl) {
  return defineSource({
    name: 'counting',
    version: '1.0.0',
    description: 'test source emitting sequence numbers',
    config: NoConfig,
    create(): Source {
      let next = 0;
      return {
        async start({ checkpoint }) {
          control.starts.push(checkpoint);
          next = typeof checkpoint.seq === 'number' ? checkpoint.seq + 1 : 0;
        },
        async read(signal) {
          if (control.total !== null && next >= control.total) return null;
          await new Promise((r) => setImmediate(r));
          if (signal.aborted) return [];
          const out: SourceRecord[] = [];
          for (let i = 0; i < control.batchSize && (control.total === null || next < control.total); i++) {
            if (control.crashAt === next) {
              control.crashAt = undefined;
              throw new Error(`crash at ${next}`);
            }
            const seq = next++;
            control.readCount++;
            out.push({
              value: { seq },
              key: `k${seq % 7}`,
              position: { lane: 'seq', offset: seq },
              ...(control.unreadable?.has(seq) ? { failure: `line ${seq} is unreadable` } : {}),
            });
          }
          return out;
        },
        async commit(checkpoint) {
          control.commits.push(checkpoint);
        },
        async stop() {},
      };
    },
  });
}

export interface MemorySinkControl {
  stored: SluiceRecord[];
  /** Called before each write; throw to fail the batch. */
  beforeWrite?: (batch: readonly SluiceRecord[]) => void | Promise<void>;
  /** Per record of a write: an error to report it failed (`SinkWriteResult.failed`, not stored), or undefined to store it. */
  refuse?: (record: SluiceRecord) => unknown;
  writes: number;
}

/** A fresh {@link MemorySinkControl} (nothing stored yet), with `over` applied. */
export function sinkControl(over: Partial<MemorySinkControl> = {}): MemorySinkControl {
  return { stored: [], writes: 0, ...over };
}

export function memorySink(control: MemorySinkControl, name = 'memory') {
  return defineSink({
    name,
    version: '1.0.0',
    description: 'test sink keeping records in memory',
    config: NoConfig,
    create(): Sink {
      return {
        async start() {},
        async write(batch) {
          control.writes++;
          await control.beforeWrite?.(batch);
          const failed: Array<{ index: number; error: unknown }> = [];
          batch.forEach((record, index) => {
            const error = control.refuse?.(record);
            if (error === undefined) control.stored.push(record);
            else failed.push({ index, error });
          });
          return failed.length > 0 ? { failed } : undefined;
        },
        async stop() {},
      };
    },
  });
}

/** Rejects records whose `seq` is in `poison` (bad data), fails `flaky` ones `failuresEach` times first. */
export function pickyTransform(options: { poison?: Set<number>; flaky?: Map<number, number> }) {
  return defineTransform({
    name: 'picky',
    version: '1.0.0',
    description: 'test transform',
    config: NoConfig,
    create() {
      return {
        process(record: SluiceRecord) {
          const seq = (record.value as { seq: number }).seq;
          if (options.poison?.has(seq)) throw invalidRecord(`seq ${seq} is poison`);
          const left = options.flaky?.get(seq) ?? 0;
          if (left > 0) {
            options.flaky!.set(seq, left - 1);
            throw new RecordError(`seq ${seq} flaked`, { retryable: true });
          }
          return { ...record, value: { ...(record.value as object), doubled: seq * 2 } };
        },
      };
    },
  });
}

export interface ScriptedTransformControl {
  /** The value of every record handed to `process`, in order (a record processed twice is listed twice). */
  seen: unknown[];
  /** What the transform makes of a record (default: the record as is); throw to fail it. */
  process?: (record: SluiceRecord) => TransformOutput | Promise<TransformOutput>;
  /** Lifecycle calls, recorded as `<name>.start`, `<name>.flush` and `<name>.stop`. */
  events?: string[];
  /** Called on `flush` (after it is recorded); throw to fail it. */
  flush?: () => void;
}

/** A fresh {@link ScriptedTransformControl} (nothing seen yet), with `over` applied. */
export function transformControl(over: Partial<ScriptedTransformControl> = {}): ScriptedTransformControl {
  return { seen: [], ...over };
}

/** Runs a pipeline with a finite source to its end: start, wait until everything read was committed, stop. */
export async function runToEnd(pipeline: Pipeline): Promise<void> {
  await pipeline.start();
  await pipeline.sourceFinished();
  await pipeline.stop();
}

/** A transform the test scripts: records what it saw, does what `control.process` says. */
export function scriptedTransform(control: ScriptedTransformControl, name = 'scripted') {
  return defineTransform({
    name,
    version: '1.0.0',
    description: 'test transform steered by the test',
    config: NoConfig,
    create() {
      return {
        async start() {
          control.events?.push(`${name}.start`);
        },
        process(record: SluiceRecord) {
          control.seen.push(record.value);
          return control.process ? control.process(record) : record;
        },
        async flush() {
          control.events?.push(`${name}.flush`);
          control.flush?.();
        },
        async stop() {
          control.events?.push(`${name}.stop`);
        },
      };
    },
  });
}

function stage(name: string, definition: StageConfig['definition'], path = `pipelines[0].${name}`): StageConfig {
  return { name, plugin: definition.name, definition, config: new NoConfig(), path, timeouts: DEFAULT_STAGE_TIMEOUTS };
}

function withTimeouts(stage: StageConfig, timeouts: Partial<StageTimeouts> = {}): StageConfig {
  return { ...stage, timeouts: { ...stage.timeouts, ...timeouts } };
}

/** One route of a test pipeline, with plugin definitions for its stages. */
export interface RouteParts {
  name: string;
  when?: string;
  transforms?: StageConfig['definition'][];
  sink: StageConfig['definition'];
  /** Timeouts of the route's sink (defaults otherwise). */
  sinkTimeouts?: Partial<StageTimeouts>;
}

/** Resolved routes as the config loader makes them (`routes.<name>.sink`, `pipelines[0].routes[i]`). */
export function routeConfigs(routes: readonly RouteParts[]): RouteConfig[] {
  return routes.map((route, r) => {
    const path = `pipelines[0].routes[${r}]`;
    return {
      name: route.name,
      ...(route.when === undefined ? {} : { when: route.when }),
      transforms: (route.transforms ?? []).map((t, i) => stage(`routes.${route.name}.transforms[${i}]`, t, `${path}.transforms[${i}]`)),
      sink: withTimeouts(stage(`routes.${route.name}.sink`, route.sink, `${path}.sink`), route.sinkTimeouts),
      path,
    };
  });
}

/** A test pipeline: `sink`, or `routes` (a fan-out, resolved as the config loader resolves them). */
export function pipelineConfig(parts: {
  source: StageConfig['definition'];
  transforms?: StageConfig['definition'][];
  sink?: StageConfig['definition'];
  routes?: readonly RouteParts[];
  unrouted?: UnroutedPolicy;
  deadLetter: StageConfig['definition'];
  maxInFlight?: number;
  maxRecords?: number;
  maxAttempts?: number;
  /** Timeouts of the sink stage (defaults otherwise). */
  sinkTimeouts?: Partial<StageTimeouts>;
}): PipelineConfig {
  if (!parts.routes && !parts.sink) throw new Error('a test pipeline needs a sink or routes');
  const end = parts.routes ? { routes: routeConfigs(parts.routes), unrouted: parts.unrouted ?? 'deadLetter' } : { sink: withTimeouts(stage('sink', parts.sink!), parts.sinkTimeouts) };
  return {
    name: 'test',
    source: stage('source', parts.source),
    transforms: (parts.transforms ?? []).map((t, i) => stage(`transforms[${i}]`, t)),
    ...end,
    deadLetter: stage('deadLetter', parts.deadLetter),
    batch: { maxRecords: parts.maxRecords ?? 10, maxBytes: 1_000_000, maxWaitMs: 5 },
    retry: { maxAttempts: parts.maxAttempts ?? 3, initialBackoffMs: 1, maxBackoffMs: 5, multiplier: 2, jitter: 0.1 },
    restart: { initialBackoffMs: 5, maxBackoffMs: 20 },
    maxInFlight: parts.maxInFlight ?? 1000,
  };
}

export function environment(transport: ChannelTransport, dataDir: string): PipelineEnvironment {
  return { transport, dataDir, configDir: dataDir, logger: pino({ level: 'silent' }), metrics: new RuntimeMetrics({ defaultMetrics: false }) };
}

export async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
