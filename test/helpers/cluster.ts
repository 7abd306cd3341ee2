import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { startTestServer, type ServerArgs, type TestServer } from './server.js';
import { createDatabase } from './postgres.js';
import { freePort } from './ports.js';

export { createDatabase, terminateBackends } from './postgres.js';

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
