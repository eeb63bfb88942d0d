// Shared by the integration specs: the test cluster's address, an admin client for checks the sink
// does not offer, and keyspaces unique to one test run (dropped at the end).
import { randomBytes } from 'node:crypto';
import cassandra from 'cassandra-driver';

const { Client } = cassandra;

/** Contact points and data centre of the Cassandra the integration project's globalSetup started (or found). */
export function testCluster(): { contactPoints: string[]; localDataCenter: string } {
  return {
    contactPoints: (process.env.CASSANDRA_CONTACT_POINTS || '127.0.0.1:9042').split(',').map((s) => s.trim()),
    localDataCenter: process.env.CASSANDRA_LOCAL_DC || 'datacenter1',
  };
}

/** A keyspace name no other run uses: `<prefix>_<random>` (at most 48 characters). */
export function uniqueKeyspace(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}${randomBytes(3).toString('hex')}`.slice(0, 48);
}

/** A plain driver client for the tests' own statements (schema checks, raw reads, cleanup). */
export class AdminClient {
  readonly client = new Client({ ...testCluster(), encoding: { map: Map } });
  private readonly keyspaces = new Set<string>();

  async connect(): Promise<void> {
    await this.client.connect();
  }

  /** Remembers a keyspace to drop in `close()`. */
  track(keyspace: string): string {
    this.keyspaces.add(keyspace);
    return keyspace;
  }

  async execute(cql: string, params: unknown[] = []): Promise<cassandra.types.ResultSet> {
    return this.client.execute(cql, params, { prepare: params.length > 0 });
  }

  /** The table's columns as `name type` (kind), from system_schema. */
  async columns(keyspace: string, table: string): Promise<Record<string, string>> {
    const result = await this.execute('SELECT column_name, type, kind, position, clustering_order FROM system_schema.columns WHERE keyspace_name = ? AND table_name = ?', [keyspace, table]);
    return Object.fromEntries(
      result.rows.map((r) => [r.get('column_name'), `${r.get('type')}${r.get('kind') === 'regular' ? '' : ` ${r.get('kind')}#${r.get('position')}${r.get('kind') === 'clustering' ? ` ${r.get('clustering_order')}` : ''}`}`]),
    );
  }

  async close(): Promise<void> {
    for (const keyspace of this.keyspaces) await this.client.execute(`DROP KEYSPACE IF EXISTS "${keyspace}"`);
    await this.client.shutdown();
  }
}
