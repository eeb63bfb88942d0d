// The source's own logic (buffering, backpressure, commits, rebalances, crashes, health) against a
// scripted stand-in for the kafkajs consumer; kafka-source.integration.spec.ts runs it on real Kafka.
import { afterEach, describe, expect, it } from '@jest/globals';
import { prepare, type PluginLogger, type SourceRecord } from '@sluice/sdk';
import type { Consumer, ConsumerRunConfig, EachBatchPayload, KafkaConfig } from 'kafkajs';
import kafkaSource from './index.js';
import { KafkaSource, type KafkaClient } from './kafka-source.js';

const EVENTS = { CONNECT: 'consumer.connect', DISCONNECT: 'consumer.disconnect', GROUP_JOIN: 'consumer.group_join', REBALANCING: 'consumer.rebalancing', CRASH: 'consumer.crash' };

type Listener = (event: { payload: unknown }) => void;

/** Plays the kafkajs consumer: the test decides what is assigned, fetched, and what fails. */
class ScriptedConsumer {
  readonly events = EVENTS;
  readonly listeners = new Map<string, Set<Listener>>();
  readonly commits: Array<Array<{ topic: string; partition: number; offset: string }>> = [];
  subscription: { topics: string[]; fromBeginning: boolean } | undefined;
  runConfig: ConsumerRunConfig | undefined;
  running = false;
  heartbeats = 0;
  readonly seeks: Array<{ topic: string; partition: number; offset: string }> = [];
  commitError: Error | undefined;
  joinError: Error | undefined;
  heartbeatError: Error | undefined;
  disconnects = 0;

  constructor(private assignment: Record<string, number[]>) {}

  on(name: string, listener: Listener): () => void {
    if (!this.listeners.has(name)) this.listeners.set(name, new Set());
    this.listeners.get(name)!.add(listener);
    return () => this.listeners.get(name)!.delete(listener);
  }

  emit(name: string, payload: unknown): void {
    for (const listener of this.listeners.get(name) ?? []) listener({ payload });
  }

  async connect(): Promise<void> {
    this.emit(EVENTS.CONNECT, null);
  }

  async subscribe(subscription: { topics: string[]; fromBeginning: boolean }): Promise<void> {
    this.subscription = subscription;
  }

  async run(config: ConsumerRunConfig): Promise<void> {
    this.runConfig = config;
    if (this.joinError) {
      // kafkajs reports a failed join through the crash event; run() itself resolves.
      this.emit(EVENTS.CRASH, { error: this.joinError, restart: false });
      return;
    }
    this.running = true;
    this.join(this.assignment);
  }

  join(assignment: Record<string, number[]>, memberId = 'member-1'): void {
    this.assignment = assignment;
    this.emit(EVENTS.GROUP_JOIN, { memberId, memberAssignment: assignment });
  }

  seek(entry: { topic: string; partition: number; offset: string }): void {
    this.seeks.push(entry);
  }

  async commitOffsets(offsets: Array<{ topic: string; partition: number; offset: string }>): Promise<void> {
    if (this.commitError) throw this.commitError;
    this.commits.push(offsets);
  }

  async disconnect(): Promise<void> {
    this.running = false;
    this.disconnects++;
    this.emit(EVENTS.DISCONNECT, null);
  }

  /** Hands a batch to the source's eachBatch handler; resolves when the handler returns. */
  deliver(topic: string, partition: number, values: string[], firstOffset = 0, highWatermark?: number) {
    const resolved: string[] = [];
    const messages = values.map((value, i) => ({
      key: Buffer.from(`k${i % 2}`),
      value: Buffer.from(value),
      offset: String(firstOffset + i),
      timestamp: String(1_700_000_000_000 + i),
      headers: { source: Buffer.from('test') },
      attributes: 0,
    }));
    const payload = {
      batch: { topic, partition, highWatermark: String(highWatermark ?? firstOffset + values.length), messages },
      resolveOffset: (offset: string) => void resolved.push(offset),
      heartbeat: async () => {
        this.heartbeats++;
        if (this.heartbeatError) throw this.heartbeatError;
      },
      isRunning: () => this.running,
      isStale: () => false,
    } as unknown as EachBatchPayload;
    return { done: this.runConfig!.eachBatch!(payload), resolved };
  }
}

class ScriptedClient implements KafkaClient {
  readonly consumers: ScriptedConsumer[] = [];
  config: KafkaConfig | undefined;
  constructor(
    private readonly topics: string[],
    private readonly assignment: Record<string, number[]>,
  ) {}

  consumer(): Consumer {
    const consumer = new ScriptedConsumer(this.assignment);
    this.consumers.push(consumer);
    return consumer as unknown as Consumer;
  }

  admin() {
    return { connect: async () => undefined, disconnect: async () => undefined, listTopics: async () => this.topics } as never;
  }

  get last(): ScriptedConsumer {
    return this.consumers[this.consumers.length - 1]!;
  }
}

function recordingLogger() {
  const lines: Array<{ level: string; fields: Record<string, unknown>; message: string }> = [];
  const at = (level: string) => (fields: unknown, message?: string) => void lines.push({ level, fields: typeof fields === 'object' ? (fields as Record<string, unknown>) : {}, message: message ?? String(fields) });
  return { lines, logger: { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') } as PluginLogger };
}

/** Every source a test made, stopped after it (a failed test must not leave a handler heartbeating). */
const created: KafkaSource[] = [];
afterEach(async () => {
  for (const source of created.splice(0)) await source.stop();
});

function setup(raw: Record<string, unknown> = {}, topics = ['orders', 'sales.eu', 'sales.us'], assignment: Record<string, number[]> = { orders: [0, 1] }) {
  const { lines, logger } = recordingLogger();
  const { config, context } = prepare(kafkaSource, { brokers: ['localhost:9092'], topics: ['orders'], groupId: 'g', ...raw }, { context: { logger } });
  const client = new ScriptedClient(topics, assignment);
  const source = new KafkaSource(config, context, (kafkaConfig) => {
    client.config = kafkaConfig;
    return client;
  });
  created.push(source);
  return { source, client, lines };
}

const signal = () => new AbortController().signal;
const start = (source: KafkaSource) => source.start({ checkpoint: {}, signal: signal() });
const values = (records: SourceRecord[]) => records.map((r) => r.value);

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!condition()) throw new Error(`timed out waiting for ${what}`);
}

describe('kafka source (scripted consumer)', () => {
  it('subscribes to the named and pattern-matched topics and runs without auto-commit', async () => {
    const { source, client } = setup({ topics: ['orders', '/sales\\..*/'], fromBeginning: true, sessionTimeoutMs: 9000 });
    await start(source);
    expect(client.last.subscription).toEqual({ topics: ['orders', 'sales.eu', 'sales.us'], fromBeginning: true });
    expect(client.last.runConfig).toMatchObject({ autoCommit: false, eachBatchAutoResolve: false, partitionsConsumedConcurrently: 1 });
    expect(client.config?.brokers).toEqual(['localhost:9092']);
    expect(source.health()).toMatchObject({ status: 'up', details: { groupId: 'g', state: 'consuming', connected: true, partitions: ['orders/0', 'orders/1'] } });
    await source.stop();
    expect(client.last.disconnects).toBe(1);
    expect(source.health()).toMatchObject({ status: 'down', details: { reason: 'not started' } });
  });

  it('fails start() when kafkajs reports the group join as a crash', async () => {
    const { source, client } = setup();
    const consumer = client.consumer as () => Consumer;
    client.consumer = () => {
      const created = consumer.call(client) as unknown as ScriptedConsumer;
      created.joinError = new Error('Not authorized to access group');
      return created as unknown as Consumer;
    };
    await expect(start(source)).rejects.toThrow('kafka source (group "g"): the consumer crashed: Not authorized to access group');
    expect(client.last.disconnects).toBe(1);
    expect(source.health()).toMatchObject({ status: 'down', details: { state: 'stopped', reason: expect.stringContaining('Not authorized') } });
  });

  it('refuses to start on missing topics or patterns matching nothing, with a retryable error', async () => {
    const missing = setup({ topics: ['orders', 'nope'] });
    await expect(start(missing.source)).rejects.toMatchObject({ retryable: true, message: 'kafka source: topic "nope" does not exist' });
    const unmatched = setup({ topics: ['/eu\\..*/'] });
    await expect(start(unmatched.source)).rejects.toThrow('kafka source: no topic matches /^(?:eu\\..*)$/');
  });

  it('hands out decoded records in partition order, with dead-letter failures for undecodable ones', async () => {
    const { source, client } = setup();
    await start(source);
    const { done, resolved } = client.last.deliver('orders', 1, ['{"n":1}', 'oops', '{"n":3}'], 10);
    await done;
    expect(resolved).toEqual(['10', '11', '12']);
    const records = await source.read(signal());
    expect(records?.map((r) => r.position)).toEqual([
      { lane: 'orders/1', offset: 10 },
      { lane: 'orders/1', offset: 11 },
      { lane: 'orders/1', offset: 12 },
    ]);
    expect(records?.[0]).toMatchObject({ value: { n: 1 }, key: 'k0', timestamp: 1_700_000_000_000, headers: { source: 'test', 'kafka.topic': 'orders', 'kafka.partition': '1', 'kafka.offset': '10' } });
    expect(records?.[1]).toMatchObject({ value: 'oops', failure: expect.stringContaining('orders/1 offset 11: value is not valid JSON') });
    expect(source.health().details).toMatchObject({ received: 3, failures: 1, lag: 0 });
    await source.stop();
  });

  it('waits for messages, and returns [] once the read is aborted', async () => {
    const { source, client } = setup();
    await start(source);
    const reading = source.read(signal());
    await client.last.deliver('orders', 0, ['1']).done;
    expect(values((await reading)!)).toEqual([1]);
    const controller = new AbortController();
    const aborted = source.read(controller.signal);
    controller.abort();
    await expect(aborted).resolves.toEqual([]);
    await source.stop();
    await expect(source.read(signal())).rejects.toThrow('read() before start()');
  });

  it('holds the fetch loop when the buffer is full, heartbeating meanwhile, and never buffers more than the limit', async () => {
    const { source, client } = setup({ maxBufferedMessages: 3, sessionTimeoutMs: 1000 });
    await start(source);
    const { done, resolved } = client.last.deliver('orders', 0, ['1', '2', '3', '4', '5', '6', '7']);
    let finished = false;
    void done.then(() => (finished = true));
    await until(() => client.last.heartbeats > 0, 'a heartbeat while the buffer is full');
    expect(finished).toBe(false);
    expect(resolved).toEqual(['0', '1', '2']);
    expect(source.health().details).toMatchObject({ buffered: 3, peakBuffered: 3, lag: 7 }); // 3 buffered + 4 not fetched yet
    const seen: unknown[] = [];
    while (seen.length < 7) {
      const batch = (await source.read(signal()))!;
      expect(batch.length).toBeLessThanOrEqual(3);
      seen.push(...values(batch));
    }
    await done;
    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(resolved).toEqual(['0', '1', '2', '3', '4', '5', '6']);
    expect(source.health().details).toMatchObject({ peakBuffered: 3, buffered: 0 });
    await source.stop();
  });

  it('lets a heartbeat failure (a rebalance) end the blocked handler so that kafkajs rejoins', async () => {
    const { source, client } = setup({ maxBufferedMessages: 1, sessionTimeoutMs: 1000 });
    await start(source);
    client.last.heartbeatError = Object.assign(new Error('The group is rebalancing, so a rejoin is needed'), { type: 'REBALANCE_IN_PROGRESS' });
    await expect(client.last.deliver('orders', 0, ['1', '2']).done).rejects.toThrow('rebalancing');
    await source.stop();
  });

  it('commits offset + 1 of what the runtime handled, once, and only forward', async () => {
    const { source, client } = setup();
    await start(source);
    await client.last.deliver('orders', 0, ['1', '2', '3'], 5).done;
    await client.last.deliver('orders', 1, ['1'], 0).done;
    await source.read(signal());
    await source.commit({ 'orders/0': 6, 'orders/1': 0, 'stale/0': 99 });
    expect(client.last.commits).toEqual([
      [
        { topic: 'orders', partition: 0, offset: '7' },
        { topic: 'orders', partition: 1, offset: '1' },
      ],
    ]);
    await source.commit({ 'orders/0': 6, 'orders/1': 0 });
    await source.commit({ 'orders/0': 5 });
    await source.commit({ 'orders/0': 8 }); // never handed out
    expect(client.last.commits).toHaveLength(1);
    await source.commit({ 'orders/0': '7' });
    expect(client.last.commits[1]).toEqual([{ topic: 'orders', partition: 0, offset: '8' }]);
    expect(source.health().details).toMatchObject({ commits: 2, commitFailures: 0 });
    await source.stop();
  });

  it('logs a failed commit without throwing, and tries again on the next commit', async () => {
    const { source, client, lines } = setup();
    await start(source);
    await client.last.deliver('orders', 0, ['1', '2']).done;
    await source.read(signal());
    client.last.commitError = Object.assign(new Error('The coordinator is not aware of this member'), { type: 'UNKNOWN_MEMBER_ID' });
    await expect(source.commit({ 'orders/0': 1 })).resolves.toBeUndefined();
    const warning = lines.find((l) => l.level === 'warn' && l.message.includes('committing offsets failed'));
    expect(warning?.fields).toMatchObject({ groupId: 'g', partitions: ['orders/0'], err: 'The coordinator is not aware of this member' });
    expect(source.health().details).toMatchObject({ commitFailures: 1, lastError: 'commit: The coordinator is not aware of this member' });
    client.last.commitError = undefined;
    await source.commit({ 'orders/0': 1 });
    expect(client.last.commits).toEqual([[{ topic: 'orders', partition: 0, offset: '2' }]]);
    await source.stop();
  });

  it('drops the buffer and forgets the old assignment on a rebalance', async () => {
    const { source, client } = setup({ maxBufferedMessages: 2 });
    await start(source);
    await client.last.deliver('orders', 0, ['1'], 0).done;
    await source.read(signal()); // offset 0 handed out
    const blocked = client.last.deliver('orders', 1, ['1', '2', '3'], 0);
    await until(() => source.health().details?.buffered === 2, 'a full buffer');
    client.last.join({ orders: [1] }); // partition 0 moved to another member
    await blocked.done; // the handler of the old assignment gives up
    expect(blocked.resolved).toEqual(['0', '1']);
    expect(source.health().details).toMatchObject({ buffered: 0, partitions: ['orders/1'], droppedOnRebalance: 2, groupJoins: 2 });
    await source.commit({ 'orders/0': 0, 'orders/1': 1 }); // nothing of this assignment was read yet
    expect(client.last.commits).toEqual([]);
    const again = client.last.deliver('orders', 1, ['1', '2', '3'], 0); // kafkajs fetches again from the committed offset
    expect(values((await source.read(signal()))!)).toEqual([1, 2]);
    expect(values((await source.read(signal()))!)).toEqual([3]);
    await again.done;
    await source.commit({ 'orders/1': 2 });
    expect(client.last.commits).toEqual([[{ topic: 'orders', partition: 1, offset: '3' }]]);
    await source.stop();
  });

  it('resumes a partition it keeps right after the last record handed out, and still commits what was read before', async () => {
    const { source, client } = setup();
    await start(source);
    await client.last.deliver('orders', 0, ['1', '2', '3'], 0).done;
    await client.last.deliver('orders', 1, ['1', '2'], 0).done;
    await source.read(signal());
    client.last.join({ orders: [0] }); // same member: orders/0 stays here, orders/1 moved
    expect(client.last.seeks).toEqual([{ topic: 'orders', partition: 0, offset: '3' }]);
    await source.commit({ 'orders/0': 2, 'orders/1': 1 });
    expect(client.last.commits).toEqual([[{ topic: 'orders', partition: 0, offset: '3' }]]);
    client.last.join({ orders: [0, 1] }, 'member-2'); // evicted and back as a new member: no resume
    expect(client.last.seeks).toHaveLength(1);
    await source.stop();
  });

  it('surfaces a crash kafkajs will not recover from through read() and health', async () => {
    const { source, client, lines } = setup();
    await start(source);
    const reading = source.read(signal());
    client.last.emit(EVENTS.CRASH, { error: new Error('restarting is pointless'), restart: true });
    expect(source.health()).toMatchObject({ status: 'degraded', details: { state: 'restarting', lastError: 'restarting is pointless' } });
    client.last.emit(EVENTS.CRASH, { error: new Error('broken for good'), restart: false });
    await expect(reading).rejects.toThrow('kafka source (group "g"): the consumer crashed: broken for good');
    expect(source.health()).toMatchObject({ status: 'down', details: { state: 'failed' } });
    expect(lines.some((l) => l.level === 'error' && l.message.includes('crashed for good'))).toBe(true);
    await source.stop();
    await start(source); // the runtime restarts the source
    expect(source.health().status).toBe('up');
    await source.stop();
  });

  it('stops cleanly while the handler waits for room', async () => {
    const { source, client } = setup({ maxBufferedMessages: 1 });
    await start(source);
    const blocked = client.last.deliver('orders', 0, ['1', '2', '3']);
    await until(() => source.health().details?.buffered === 1, 'a full buffer');
    await source.stop();
    await blocked.done;
    expect(blocked.resolved).toEqual(['0']);
  });
});
