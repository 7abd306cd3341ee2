import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import { signApiRequest } from '../../src/server/api-signing.js';
import { IMClient, type IMClientOptions } from '../../src/core/client/client.js';
import { ChatSession, type ChatSessionOptions } from '../../src/core/client/chat-session.js';
import type { WebSocketConstructor } from '../../src/core/transport/transport.js';

export const APP_KEY = 'test-key';
export const APP_SECRET = 'test-secret';
const SERVER_BIN = new URL('../../dist/im-server.js', import.meta.url).pathname;

export interface TestServer {
  url: string;
  wsUrl: string;
  port: number;
  dataDir: string;
  process: ChildProcess;
  /** Ends the process with a signal and waits for it to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts the server again on the same port and data directory. */
  restart(): Promise<TestServer>;
  /** Stops the server and removes its data. */
  dispose(): Promise<void>;
}

export interface ServerArgs {
  rateLimit?: number;
  heartbeat?: number;
  port?: number;
  dataDir?: string;
  extra?: string[];
  /** The server script to run (default: the repository's dist/im-server.js). */
  bin?: string;
}

/** Runs the built reference server as a child process, as a user would. */
export async function startTestServer(args: ServerArgs = {}): Promise<TestServer> {
  const dataDir = args.dataDir ?? mkdtempSync(join(tmpdir(), 'im-test-'));
  const argv = [args.bin ?? SERVER_BIN, '--port', String(args.port ?? 0), '--data', dataDir, '--app-key', APP_KEY,
    '--app-secret', APP_SECRET, '--rate-limit', String(args.rateLimit ?? 0), ...(args.heartbeat ? ['--heartbeat', String(args.heartbeat)] : []),
    ...(args.extra ?? [])];
  const child = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk) => { stderr += chunk; });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const firstLine = await new Promise<string>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`im-server exited (${code}) before listening:\n${stderr}`)));
  });
  const match = /^im-server listening on (http:\/\/([^\s]+):(\d+))$/.exec(firstLine);
  if (!match) throw new Error(`unexpected first line: ${firstLine}`);
  const port = Number(match[3]);
  const server: TestServer = {
    url: match[1]!,
    wsUrl: `ws://${match[2]}:${port}/im`,
    port,
    dataDir,
    process: child,
    async kill(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
    restart: () => startTestServer({ ...args, port, dataDir }),
    async dispose() {
      await server.kill();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return server;
}

/** Calls the signed app-server API. */
export async function api(server: { url: string }, method: string, path: string, body?: unknown,
  overrides: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const text = body === undefined ? undefined : JSON.stringify(body);
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: {
      'content-type': 'application/json',
      ...signApiRequest({ appKey: APP_KEY, appSecret: APP_SECRET, method, path, body: text }),
      ...overrides,
    },
    body: text,
  });
  return { status: response.status, json: await response.json() };
}

/** Creates or replaces a customer-service skill group through the app API. */
export async function setServiceGroup(server: { url: string }, body: Record<string, unknown>): Promise<void> {
  const { status, json } = await api(server, 'POST', '/api/cs/group/set', body);
  assert.equal(status, 200, JSON.stringify(json));
}

/** Makes a user an agent of these skill groups through the app API. */
export async function setServiceAgent(server: { url: string }, userId: string, groupIds: string[], cap = 5): Promise<void> {
  const { status, json } = await api(server, 'POST', '/api/cs/agent/set', { userId, groupIds, cap });
  assert.equal(status, 200, JSON.stringify(json));
}

export async function tokenFor(server: { url: string }, userId: string): Promise<string> {
  const { status, json } = await api(server, 'POST', '/api/user/token', { userId });
  if (status !== 200) throw new Error(`token for ${userId}: ${status} ${JSON.stringify(json)}`);
  return json.token;
}

export async function createGroup(server: { url: string }, groupId: string, userIds: string[]): Promise<void> {
  // Set up without the server's notices: the suites using it count the messages they send.
  const { status, json } = await api(server, 'POST', '/api/group/create', { groupId, groupName: groupId, userIds, notify: false });
  if (status !== 200) throw new Error(`group ${groupId}: ${status} ${JSON.stringify(json)}`);
}

/** A connected client for `userId`, reconnecting quickly (tests restart servers). */
export async function connectClient(server: TestServer, userId: string, options: Partial<IMClientOptions> = {}): Promise<IMClient> {
  const token = await tokenFor(server, userId);
  const client = new IMClient({
    url: server.wsUrl, token, WebSocket: WebSocket as unknown as WebSocketConstructor, platform: 'node',
    reconnect: { minDelay: 50, maxDelay: 400 }, ...options,
  });
  await client.connect();
  return client;
}

/** Resolves when `predicate` holds, re-checked on every event of `subscribe`; rejects after `ms`. */
export function waitFor<T>(subscribe: (check: () => void) => () => void, predicate: () => T | undefined | false,
  what: string | (() => string), ms = 10_000): Promise<T> {
  return new Promise((resolve, reject) => {
    let unsubscribe = () => {};
    const timer = setTimeout(() => {
      unsubscribe();
      reject(new Error(`timed out waiting for ${typeof what === 'function' ? what() : what}`));
    }, ms);
    const check = () => {
      const value = predicate();
      if (value) {
        clearTimeout(timer);
        unsubscribe();
        resolve(value);
      }
    };
    unsubscribe = subscribe(check);
    check();
  });
}

/**
 * A reference server for the tests of one `describe` (started before them, removed after), and
 * connected clients for them, disconnected at the end. Read `server` inside tests and hooks.
 */
export function useTestServer(args: ServerArgs = {}, defaults: Partial<IMClientOptions> = {}): {
  readonly server: TestServer;
  connect(userId: string, options?: Partial<IMClientOptions>): Promise<IMClient>;
  /** Disconnects `client` with the others at the end. */
  track(client: IMClient): IMClient;
  /** A started ChatSession of `userId` over a client of its own; disposed at the end. */
  session(userId: string, options?: ChatSessionOptions): Promise<ChatSession>;
} {
  let server: TestServer | undefined;
  const clients: IMClient[] = [];
  const sessions: ChatSession[] = [];
  before(async () => {
    server = await startTestServer(args);
  });
  after(async () => {
    for (const session of sessions) await session.dispose();
    await Promise.all(clients.map((client) => client.disconnect()));
    await server?.dispose();
  });
  const suite = {
    get server(): TestServer {
      if (!server) throw new Error('the test server starts in before()');
      return server;
    },
    async connect(userId: string, options: Partial<IMClientOptions> = {}) {
      return suite.track(await connectClient(suite.server, userId, { ...defaults, ...options }));
    },
    track(client: IMClient) {
      clients.push(client);
      return client;
    },
    async session(userId: string, options: ChatSessionOptions = {}) {
      const client = suite.track(new IMClient({
        url: suite.server.wsUrl, token: await tokenFor(suite.server, userId), WebSocket: WebSocket as unknown as WebSocketConstructor,
      }));
      const session = new ChatSession(client, options);
      sessions.push(session);
      await session.start();
      return session;
    },
  };
  return suite;
}

/** How many connections the server counts now (its metrics). */
export async function connections(server: TestServer): Promise<number> {
  return (await api(server, 'GET', '/api/metrics')).json.connections as number;
}

/** Waits until the server counts `count` connections, asking again after each answer (no event tells it). */
export async function waitForConnections(server: TestServer, count: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  let seen = await connections(server);
  while (seen !== count) {
    if (Date.now() > deadline) assert.equal(seen, count, 'connections on the server');
    seen = await connections(server);
  }
}
