import { describe, expect, it } from '@jest/globals';
import { defineSink, type Sink } from '@sluice/sdk';
import { memorySink, runToEnd, scriptedTransform, sinkControl, transformControl } from '../../testing/memory-plugins.js';
import { range, routedPipeline, seqs, stageOf } from './routed-pipeline-kit.js';

class NoOptions {}

/** A sink that records its lifecycle (`<name>.start`, `<name>.stop`), can fail it, and keeps what it is given in `stored`. */
function lifecycleSink(name: string, events: string[], options: { failStarts?: number; failStop?: boolean; stored?: unknown[] } = {}) {
  let failStarts = options.failStarts ?? 0;
  return defineSink({
    name,
    version: '1.0.0',
    description: 'test sink recording start and stop',
    config: NoOptions,
    create: (): Sink => ({
      async start() {
        events.push(`${name}.start`);
        if (failStarts-- > 0) throw new Error(`${name} cannot start`);
      },
      async write(batch) {
        options.stored?.push(...batch);
      },
      async stop() {
        events.push(`${name}.stop`);
        if (options.failStop) throw new Error(`${name} cannot stop`);
      },
    }),
  });
}

const lifecycle = (events: readonly string[]) => events.filter((event) => event.endsWith('.start') || event.endsWith('.stop'));

describe('a pipeline with routes: the route stages’ lifecycle', () => {
  it('starts each route downstream first (its sink, then its transforms from the last), before the main chain; stops upstream first', async () => {
    const events: string[] = [];
    const { pipeline } = routedPipeline({
      total: 5,
      transforms: [scriptedTransform(transformControl({ events }), 'main')],
      routes: [
        { name: 'a', transforms: [scriptedTransform(transformControl({ events }), 'a.t0'), scriptedTransform(transformControl({ events }), 'a.t1')], sink: lifecycleSink('a.sink', events) },
        { name: 'b', sink: lifecycleSink('b.sink', events) },
      ],
    });
    await pipeline.start();
    expect(lifecycle(events)).toEqual(['a.sink.start', 'a.t1.start', 'a.t0.start', 'b.sink.start', 'main.start']);
    expect(stageOf(pipeline, 'routes').state).toBe('running');
    events.length = 0;
    await pipeline.sourceFinished();
    await pipeline.stop();
    const stops = lifecycle(events);
    expect([...stops].sort()).toEqual(['a.sink.stop', 'a.t0.stop', 'a.t1.stop', 'b.sink.stop', 'main.stop']);
    expect(stops[0]).toBe('main.stop');
    expect(stops.indexOf('a.t0.stop')).toBeLessThan(stops.indexOf('a.t1.stop'));
    expect(stops.indexOf('a.t1.stop')).toBeLessThan(stops.indexOf('a.sink.stop'));
    expect(pipeline.status().stages.every((stage) => stage.state === 'stopped')).toBe(true);
  });

  it('retries a route sink that fails to start, in its own stage; the pipeline runs once it started', async () => {
    const events: string[] = [];
    const stored: unknown[] = [];
    const a = sinkControl();
    const { pipeline } = routedPipeline({
      total: 20,
      routes: [
        { name: 'a', sink: memorySink(a) },
        { name: 'b', sink: lifecycleSink('b.sink', events, { failStarts: 2, stored }) },
      ],
    });
    await runToEnd(pipeline);
    expect(events.filter((event) => event === 'b.sink.start')).toHaveLength(3);
    const b = stageOf(pipeline, 'routes.b.sink');
    expect(b.lastError?.message).toBe('b.sink cannot start');
    expect(b.counters.restarts).toBeGreaterThan(0);
    expect(b.counters.acked).toBe(20);
    expect(stageOf(pipeline, 'routes.a.sink').counters.restarts).toBe(0);
    expect(stored).toHaveLength(20);
    expect(seqs(a.stored)).toEqual(range(20));
  });

  it('stops every route even when one fails to stop, then reports its error', async () => {
    const events: string[] = [];
    const { pipeline } = routedPipeline({
      total: 5,
      routes: [
        { name: 'a', sink: lifecycleSink('a.sink', events, { failStop: true }) },
        { name: 'b', transforms: [scriptedTransform(transformControl({ events }), 'b.t0')], sink: lifecycleSink('b.sink', events) },
      ],
    });
    await pipeline.start();
    await pipeline.sourceFinished();
    events.length = 0;
    await expect(pipeline.stop()).rejects.toThrow('a.sink cannot stop');
    expect([...lifecycle(events)].sort()).toEqual(['a.sink.stop', 'b.sink.stop', 'b.t0.stop']);
  });
});
