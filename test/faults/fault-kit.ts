// What the fault scenarios share: their size (bounded in CI, full with `npm run test:faults -- --full`),
// hosts run as operators run them (`sluice run`, the built CLI), the real Kafka and Cassandra
// restarted through services/services.sh, and one line of figures per scenario.
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import cassandra from 'cassandra-driver';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { startRecipe, until, type RecipeHost } from '../e2e/recipes/recipe-host.js';

export const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
export const contactPoints = (process.env.CASSANDRA_CONTACT_POINTS || '127.0.0.1:9042').split(',');
export const localDataCenter = process.env.CASSANDRA_LOCAL_DC || 'datacenter1';

/** `full`: the sizes of the issue (1M records...), by hand; otherwise the bounded CI sizes. */
export const FULL = process.env.SLUICE_FAULTS === 'full';

/** Where each scenario appends its line of figures (and prints it). */
export const REPORT = resolve(process.env.SLUICE_FAULTS_REPORT ?? 'test/faults/.last-run.txt');

/** Prints and records one scenario's figures: `fault <name>: records=… missing=… duplicates=… …`. */
export function report(name: string, figures: Record<string, string | number>): string {
  const line = `fault ${name}: ${Object.entries(figures)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ')}`;
  mkdirSync(join(REPORT, '..'), { recursive: true });
  appendFileSync(REPORT, `${new Date().toISOString()} ${FULL ? 'full' : 'bounded'} ${line}\n`);
  process.stdout.write(`${line}\n`);
  return line;
}

/**
 * Runs services/services.sh with no pipes to this process (a service it starts keeps running after
 * the script: with pipes, their handles would keep jest from exiting).
 */
function services(action: 'up' | 'down', service: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['services/services.sh', action, service], { stdio: 'ignore', env: { ...process.env } });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`services/services.sh ${action} ${service} exited with ${code}`));
    });
  });
}

/** Stops and starts a service of services/services.sh (SIGTERM, then waits until it answers again). */
export async function restartService(service: 'kafka' | 'cassandra', downForMs = 0): Promise<number> {
  const started = Date.now();
  await stopService(service);
  if (downForMs > 0) await new Promise((r) => setTimeout(r, downForMs));
  await startService(service);
  return (Date.now() - started) / 1000;
}

export function stopService(service: 'kafka' | 'cassandra'): Promise<void> {
  return services('down', service, 120_000);
}

export function startService(service: 'kafka' | 'cassandra'): Promise<void> {
  return services('up', service, 300_000);
}

export function kafkaAdmin(): Admin {
  return new Kafka({ brokers: brokers.split(','), clientId: 'sluice-faults', logLevel: logLevel.NOTHING }).admin();
}

export function cassandraClient(): cassandra.Client {
  return new cassandra.Client({ contactPoints, localDataCenter, socketOptions: { readTimeout: 60_000 } });
}

/** Messages in `topic` (sum of its partitions' offsets: nothing is deleted in a test's lifetime). */
export async function topicMessages(admin: Admin, topic: string): Promise<number> {
  const offsets = await admin.fetchTopicOffsets(topic);
  return offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
}

/**
 * Every delivery to `topic` (an audit route's, written with the append time): per record id, the
 * times it was written. Read from the beginning up to the end as of the call.
 */
export async function deliveriesOf(topic: string): Promise<Map<number, number[]>> {
  const kafka = new Kafka({ brokers: brokers.split(','), clientId: 'sluice-faults-audit', logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)]));
  await admin.disconnect();
  const deliveries = new Map<number, number[]>();
  const consumer = kafka.consumer({ groupId: `sluice-faults-audit-${Date.now()}-${Math.random().toString(36).slice(2)}` });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  const reached = new Map<number, bigint>();
  const done = new Promise<void>((resolve) => {
    const check = () => [...ends].every(([partition, end]) => end === 0n || (reached.get(partition) ?? -1n) >= end - 1n) && resolve();
    check();
    void consumer.run({
      eachBatch: async ({ batch }) => {
        for (const message of batch.messages) {
          const id = Number((JSON.parse(message.value!.toString('utf8')) as { id: number }).id);
          deliveries.set(id, [...(deliveries.get(id) ?? []), Number(message.timestamp)]);
        }
        if (batch.messages.length > 0) reached.set(batch.partition, BigInt(batch.lastOffset()));
        check();
      },
    });
  });
  await done;
  await consumer.disconnect();
  return deliveries;
}

/** Every row `cql` selects, read page by page (a single execute returns the first page only). */
export async function allRows(db: cassandra.Client, cql: string): Promise<cassandra.types.Row[]> {
  const rows: cassandra.types.Row[] = [];
  let pageState: string | undefined;
  do {
    const result = await db.execute(cql, [], { prepare: true, fetchSize: 5000, ...(pageState ? { pageState } : {}) });
    rows.push(...result.rows);
    pageState = result.pageState ?? undefined;
  } while (pageState);
  return rows;
}

/** The ids stored in `table` (column `id`, one partition each). */
export async function storedIds(db: cassandra.Client, table: string): Promise<Set<number>> {
  return new Set((await allRows(db, `SELECT id FROM ${table}`)).map((row) => Number(row.id)));
}

/** A host of a fault scenario: `sluice run <config>` with its own HTTP port and data dir. */
export async function startHost(configFile: string, token: string): Promise<RecipeHost> {
  return startRecipe(configFile, { KAFKA_BROKERS: brokers, SLUICE_LOG_LEVEL: 'warn' }, token);
}

export function writeConfig(dir: string, name: string, yaml: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.yaml`);
  writeFileSync(file, yaml);
  return file;
}

/** Waits until the host's /health/ready answers 200 (all stages started and ready). */
export async function ready(host: RecipeHost, timeoutMs = 120_000): Promise<void> {
  await until(async () => (await host.call('GET', '/health/ready')).status === 200, 'the host ready', timeoutMs, host);
}

export { until, type RecipeHost };
