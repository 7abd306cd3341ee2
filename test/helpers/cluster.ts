import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { Redis } from 'ioredis';
import { startTestServer, type ServerArgs, type TestServer } from './server.js';

/** The machine's PostgreSQL (trust auth on loopback); each suite works in a database of its own. */
export const PG_ADMIN_URL = process.env.IM_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A fresh, empty database, dropped (with whoever is still connected) by `drop()`. */
export async function createDatabase(): Promise<{ url: string; name: string; drop(): Promise<void> }> {
  const name = `im_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.href, name, drop: async () => { await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`); } };
}

/** Ends every connection to the database but this one's: what a PostgreSQL failover or restart does to a node. */
export async function terminateBackends(database: string): Promise<number> {
  const { rowCount } = await adminQuery('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database]);
  return rowCount ?? 0;
}

async function adminQuery(sql: string, params: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(`PostgreSQL is not reachable at ${PG_ADMIN_URL} (${(error as Error).message}); the cluster tests need it running`);
  }
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A Redis server of the suite's own (the machine's redis-server binary, on a free port, keeping
 * nothing on disk), so that a test may restart it without disturbing anything else.
 */
export interface TestRedis {
  url: string;
  port: number;
  /** SIGKILLs it and starts it again on the same port (empty, as after a crash). */
  restart(): Promise<void>;
  /** Closes the pub/sub connections of every client (as a network fault or a failover would). */
  killPubSubConnections(): Promise<number>;
  stop(): Promise<void>;
}

export async function startRedis(): Promise<TestRedis> {
  const port = await freePort();
  let child = await launchRedis(port);
  const url = `redis://127.0.0.1:${port}`;
  const stopChild = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGKILL');
    await exited;
  };
  return {
    url, port,
    async restart() {
      await stopChild();
      child = await launchRedis(port);
    },
    async killPubSubConnections() {
      const admin = new Redis(url, { lazyConnect: true });
      try {
        await admin.connect();
        return Number(await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub'));
      } finally {
        admin.disconnect();
      }
    },
    stop: stopChild,
  };
}

async function launchRedis(port: number): Promise<ChildProcess> {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk) => {
      output += chunk;
      if (output.includes('Ready to accept connections')) resolve();
    });
    child.once('error', (error) => reject(new Error(`redis-server could not start: ${error.message}`)));
    child.once('exit', (code) => reject(new Error(`redis-server exited (${code}):\n${output}`)));
  });
  return child;
}

/** Server nodes of one cluster: one database, one Redis. */
export interface TestCluster {
  nodes: TestServer[];
  database: { url: string; name: string };
  redis: TestRedis;
  /** SIGKILLs node `index` (its sessions drop without a word). */
  kill(index: number): Promise<void>;
  /** Starts node `index` again on its port. */
  restart(index: number): Promise<void>;
  dispose(): Promise<void>;
}

export async function startCluster(count: number, args: ServerArgs = {}): Promise<TestCluster> {
  const database = await createDatabase();
  const redis = await startRedis();
  // Uploaded files' bytes in one directory every node mounts (their metadata is in the database).
  const filesDir = mkdtempSync(join(tmpdir(), 'im-cluster-files-'));
  const nodes: TestServer[] = [];
  const cluster: TestCluster = {
    nodes, database, redis,
    kill: (index) => nodes[index]!.kill('SIGKILL'),
    async restart(index) {
      nodes[index] = await nodes[index]!.restart();
    },
    async dispose() {
      await Promise.all(nodes.map((node) => node.dispose()));
      await redis.stop();
      await database.drop();
      rmSync(filesDir, { recursive: true, force: true });
    },
  };
  try {
    // One after another: the first runs the migrations (the others would wait on its lock anyway).
    for (let i = 0; i < count; i++) {
      nodes.push(await startTestServer({ ...args, extra: [...(args.extra ?? []), '--database', database.url, '--bus', redis.url, '--files-dir', filesDir] }));
    }
  } catch (error) {
    await cluster.dispose();
    throw error;
  }
  return cluster;
}
