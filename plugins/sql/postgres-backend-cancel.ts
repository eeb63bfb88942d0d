import pg from 'pg';

/**
 * Cancels the statement a PostgreSQL backend is running, from a connection of its own: the
 * backend's connection is busy with that statement (waiting for a lock, say), and the pool's other
 * connections may all be taken by queries. `pg_cancel_backend` makes the statement fail with
 * SQLSTATE 57014 (query_canceled); a backend that is idle ignores it. Resolves to whether the
 * signal was sent; rejects when the cancelling connection cannot be made within `timeoutMs`.
 */
export async function cancelBackend(url: string, pid: number, timeoutMs: number, applicationName: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs, query_timeout: timeoutMs, application_name: applicationName });
  // A connection error after connect() settled (the server going away) must not become an unhandled 'error' event.
  client.on('error', () => undefined);
  try {
    await client.connect();
    const result = await client.query<{ cancelled: boolean }>('SELECT pg_cancel_backend($1) AS cancelled', [pid]);
    return result.rows[0]?.cancelled === true;
  } finally {
    await client.end().catch(() => undefined);
  }
}
