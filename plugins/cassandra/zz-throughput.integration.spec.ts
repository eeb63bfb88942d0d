import { jest } from '@jest/globals';
import { makeRecord, prepare, type Sink } from '@sluice/sdk';
import cassandraSink from './index.js';
import { AdminClient, testCluster, uniqueKeyspace } from './cassandra-test-cluster.js';

jest.setTimeout(600_000);
const admin = new AdminClient();
const keyspace = admin.track(uniqueKeyspace('sluice_bench'));
beforeAll(() => admin.connect());
afterAll(() => admin.close());

async function measure(label: string, batchSize: number, overrides: Record<string, unknown> = {}, total = 50_000) {
  const table = `t_${label}`;
  const { config, context } = prepare(cassandraSink, {
    ...testCluster(), keyspace, createKeyspace: { strategy: 'SimpleStrategy', replicationFactor: 1 }, table,
    columns: [{ name: 'id', type: 'int' }, { name: 'name', type: 'text' }, { name: 'value', type: 'double' }, { name: 'at', type: 'timestamp' }],
    partitionKey: ['id'], ...overrides,
  });
  const sink: Sink = cassandraSink.create(config, context);
  await sink.start();
  const records = Array.from({ length: total }, (_, i) => makeRecord({ id: i, name: `n${i}`, value: i / 3, at: Date.now() }));
  // warm-up (prepare, connections)
  await sink.write(records.slice(0, 1000));
  const started = performance.now();
  for (let i = 0; i < total; i += batchSize) {
    const result = await sink.write(records.slice(i, i + batchSize));
    if (result) throw new Error('failures');
  }
  const seconds = (performance.now() - started) / 1000;
  const count = await admin.execute(`SELECT count(*) FROM "${keyspace}"."${table}"`);
  console.log(`${label}: ${total} rows in ${seconds.toFixed(2)} s = ${Math.round(total / seconds)} rows/s (batch ${batchSize}, ${JSON.stringify(overrides)}), stored ${count.first().get('count')}`);
  await sink.stop();
}

it('measures', async () => {
  await measure('b500', 500);
  await measure('b5000', 5000);
  await measure('b50000', 50_000);
  await measure('c64_b5000', 5000, { concurrency: 64 });
  await measure('c128_b5000', 5000, { concurrency: 128 });
});
