import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * The machine's PostgreSQL: 127.0.0.1:5432, user postgres, trust auth (or IM_TEST_PG_URL, a
 * server URL without a database name). Every suite works in databases of its own, created for
 * the run and dropped at its end, so that runs in parallel never meet. No server: the tests
 * fail, saying so.
 */
export const PG_SERVER_URL = (process.env.IM_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432').replace(/\/+$/, '');

/** A fresh, empty database, dropped (with whoever is still connected) by `drop()`. */
export async function createDatabase(): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  // Made here (pid and random hex), never from input: safe as an identifier.
  const name = `im_test_${process.pid}_${randomBytes(6).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  return { url: `${PG_SERVER_URL}/${name}`, name, drop: async () => { await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`); } };
}

/** Ends every connection to the database but this one's: what a PostgreSQL failover or restart does to a node. */
export async function terminateBackends(database: string): Promise<number> {
  const { rowCount } = await adminQuery('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database]);
  return rowCount ?? 0;
}

async function adminQuery(sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: `${PG_SERVER_URL}/postgres` });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`PostgreSQL is not reachable at ${PG_SERVER_URL} (${(error as Error).message}); `
      + 'these tests need a server there (user postgres, trust auth) or IM_TEST_PG_URL');
  }
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}
