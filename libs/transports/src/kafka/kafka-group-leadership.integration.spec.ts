// Leadership through consumer-group membership on the real broker (started by the integration
// globalSetup). A member killed with SIGKILL runs in a child process over the built dist/.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, jest } from '@jest/globals';
import { Kafka, logLevel } from 'kafkajs';
import { KafkaGroupLeadership } from './kafka-group-leadership.js';
import type { KafkaTransportOptions } from './kafka-transport-options.js';

jest.setTimeout(120_000);

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const SESSION_TIMEOUT_MS = 6000;
const options: KafkaTransportOptions = {
  brokers,
  clientId: 'sluice-test',
  topics: { partitions: 1, replicationFactor: 1 },
  maxBatchRecords: 50,
  maxBatchWaitMs: 0,
  maxInFlight: 100,
  commitIntervalMs: 50,
  sessionTimeoutMs: SESSION_TIMEOUT_MS,
  connectionTimeoutMs: 3000,
  logLevel: logLevel.NOTHING,
};
const quiet = { warn: () => undefined, error: () => undefined };
const DIST_TRANSPORTS = fileURLToPath(new URL('../../../../dist/libs/transports/src/index.js', import.meta.url));

async function until(condition: () => boolean, what: string, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return Date.now() - started;
}

/** A member in its own process: prints "leader" when it leads. */
function childMember(group: string): { child: ChildProcess; leads: () => boolean } {
  const script = `
    const { KafkaGroupLeadership } = await import(${JSON.stringify(DIST_TRANSPORTS)});
    const leadership = new KafkaGroupLeadership(${JSON.stringify(group)}, ${JSON.stringify({ ...options, logLevel: 0 })}, { warn() {}, error() {} });
    leadership.onChange((leader) => console.log(leader ? 'leader' : 'follower'));
    await leadership.start();
    console.log(leadership.isLeader ? 'leader' : 'follower');
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let last = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const lines = chunk.toString().trim().split('\n');
    last = lines[lines.length - 1]!;
  });
  return { child, leads: () => last === 'leader' };
}

describe('KafkaGroupLeadership (real Kafka)', () => {
  const members: KafkaGroupLeadership[] = [];
  const groups: string[] = [];
  const children: ChildProcess[] = [];
  const admin = new Kafka({ brokers, clientId: 'sluice-test-admin', logLevel: logLevel.NOTHING }).admin();

  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    for (const member of members) await member.stop().catch(() => undefined);
    await admin.connect();
    await admin.deleteTopics({ topics: groups }).catch(() => undefined);
    await admin.disconnect();
  });

  const member = async (group: string) => {
    const leadership = new KafkaGroupLeadership(group, options, quiet);
    members.push(leadership);
    await leadership.start();
    return leadership;
  };

  it('makes exactly one of three hosts the leader, and hands over at once when it stops', async () => {
    const group = `sluice-it-leader-${randomUUID()}`;
    groups.push(group);
    const three = [await member(group), await member(group), await member(group)];
    const leaders = () => three.filter((m) => m.isLeader);
    await until(() => leaders().length === 1, 'one leader', 30_000);
    // Stays one while nothing changes.
    await new Promise((r) => setTimeout(r, 2000));
    expect(leaders()).toHaveLength(1);
    const first = leaders()[0]!;
    // Hosts joining leave the lead where it is.
    for (let i = 0; i < 3; i++) three.push(await member(group));
    await new Promise((r) => setTimeout(r, 2000));
    expect(leaders()).toHaveLength(1);
    expect(leaders()[0]).toBe(first);
    const changes: boolean[] = [];
    first.onChange((leading) => changes.push(leading));
    await first.stop();
    expect(first.isLeader).toBe(false);
    expect(changes).toEqual([false]);
    const rest = three.filter((m) => m !== first);
    await until(() => rest.filter((m) => m.isLeader).length === 1, 'a new leader', 30_000);
    expect(rest.filter((m) => m.isLeader)).toHaveLength(1);
  });

  it('moves leadership from a host killed with SIGKILL to another within the session timeout', async () => {
    const group = `sluice-it-leader-${randomUUID()}`;
    groups.push(group);
    // Three members in their own processes (a join may move the lead: wait until it settles).
    const three = [childMember(group), childMember(group), childMember(group)];
    for (const member of three) children.push(member.child);
    const leading = () => three.filter((m) => m.leads());
    await until(() => leading().length === 1, 'one leader', 60_000);
    await new Promise((r) => setTimeout(r, 2000));
    expect(leading()).toHaveLength(1);
    const killed = leading()[0]!;
    killed.child.kill('SIGKILL');
    const rest = three.filter((m) => m !== killed);
    const tookMs = await until(() => rest.filter((m) => m.leads()).length === 1, 'a surviving host to lead', 4 * SESSION_TIMEOUT_MS);
    // The coordinator notices the dead member after the session timeout, then rebalances.
    expect(tookMs).toBeLessThan(2 * SESSION_TIMEOUT_MS + 5000);
    await new Promise((r) => setTimeout(r, 1000));
    expect(rest.filter((m) => m.leads())).toHaveLength(1);
  });
});
