/**
 * One Postgres transaction on a pooled connection, for every owner of tables there (the Postgres
 * sink, the control plane): BEGIN, the work, COMMIT — ROLLBACK on failure — and a connection that
 * broke on the way is discarded, not handed back to the pool.
 */
import type pg from 'pg';

export async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
  /** What a failure to get a connection becomes (the caller's error class); as it is by default. */
  connectFailed: (cause: unknown) => Error = (cause) => cause as Error,
): Promise<T> {
  let client: pg.PoolClient;
  try {
    client = await pool.connect();
  } catch (cause) {
    throw connectFailed(cause);
  }
  let broken = false;
  // A connection the server drops between two statements errors on the client, not on a query.
  const onError = () => {
    broken = true;
  };
  client.on('error', onError);
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {
      broken = true;
    });
    throw error;
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}
