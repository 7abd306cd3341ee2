#!/usr/bin/env node
/**
 * bench:server — end-to-end load on the reference server, and a ceiling measured in the same run.
 *
 *   npm run bench:server                          # builds dist/, then runs this file
 *   node bench/server.mjs --clients 50 --messages 40 --group-size 5 --window 4 --rounds 1
 *
 *   node bench/server.mjs --clients 2 --window 1 --messages 200   # light load: unloaded latency
 *   node bench/server.mjs --mode latency                            # open loop: 1,000 clients, 500 msg/s
 *
 * Every option can also be given as an environment variable: BENCH_CLIENTS, BENCH_MESSAGES,
 * BENCH_GROUP_SIZE, BENCH_WINDOW, BENCH_WARMUP, BENCH_ROUNDS, BENCH_TIMEOUT (seconds),
 * BENCH_RELAY (child | inline), BENCH_MODE, BENCH_RATE, BENCH_DURATION, BENCH_LATENCY_WARMUP,
 * BENCH_SERVER_NODE_ARGS. Flags win over the environment.
 *
 * Two targets, same load shape:
 *   im-server      `node dist/im-server.js` in a child process (SQLite store in a fresh temp dir,
 *                  rate limit off); IMClient + ws in this process, TextMessage sends.
 *   bare ws relay  a `ws` WebSocketServer (by default in a child process too, so that both servers
 *                  get their own process and event loop) that forwards each binary message to the
 *                  target socket(s) and then echoes a 5-byte ack to the sender; no protocol, no
 *                  storage. Clients are plain `ws` clients.
 *
 * Two scenarios: `private` (client i sends to client i^1) and `group` (groups of --group-size,
 * every member sends to its group). Each client keeps at most --window sends in flight; a send is
 * complete when sendMessage resolves (im-server: durably committed) or the relay's ack arrives.
 * The payload is a small JSON text carrying the sender's performance.now(); everything runs in
 * this one process, so receivers compute end-to-end latency as now - sendTime.
 *
 * `--mode latency` is an open-loop run instead: --clients (default 1,000) clients in private
 * pairs, and one send every 1/--rate s (default 500 msg/s in total), client k mod N sending the
 * k-th, on a fixed schedule that does not wait for earlier sends; --latency-warmup s unmeasured,
 * then --duration s measured, per target and round. Latency is counted from the scheduled time.
 *
 * --server-node-args passes flags to the im-server process, e.g. "--cpu-prof --cpu-prof-dir=DIR".
 *
 * This is a benchmark, not a test: it asserts nothing about timing. It exits non-zero only when
 * it cannot run (setup failure, global timeout).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import { machine, pool, table } from './report.mjs';
import { signApiRequest } from '../dist/im-server-api.js';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import WebSocket, { WebSocketServer } from 'ws';

const HOST = '127.0.0.1';
const SELF = fileURLToPath(import.meta.url);

// ---------------------------------------------------------------------------------------------
// The bare relay (runs in a child process by default: `node bench/server.mjs --relay-child`).
// Frame from a client: [kind u8 (1 private, 3 group)][target u32le][requestId u32le][payload].
// The relay forwards the frame unchanged, then answers the sender [0xAA][requestId u32le].
// ---------------------------------------------------------------------------------------------

const ACK = 0xaa;

function startRelay() {
  return new Promise((resolve, reject) => {
    const users = new Map(); // user index -> socket
    const groups = new Map(); // group index -> Set of sockets
    const wss = new WebSocketServer({ host: HOST, port: 0, perMessageDeflate: false, clientTracking: true });
    wss.once('error', reject);
    wss.on('connection', (ws, request) => {
      const query = new URL(request.url ?? '/', 'http://relay').searchParams;
      const user = Number(query.get('user'));
      const group = query.has('group') ? Number(query.get('group')) : -1;
      users.set(user, ws);
      if (group >= 0) {
        if (!groups.has(group)) groups.set(group, new Set());
        groups.get(group).add(ws);
      }
      ws.on('message', (data) => {
        if (!Buffer.isBuffer(data) || data.length < 9) return;
        const kind = data[0];
        const target = data.readUInt32LE(1);
        if (kind === 1) {
          users.get(target)?.send(data);
        } else if (kind === 3) {
          for (const member of groups.get(target) ?? []) if (member !== ws) member.send(data);
        }
        const ack = Buffer.allocUnsafe(5);
        ack[0] = ACK;
        ack.writeUInt32LE(data.readUInt32LE(5), 1);
        ws.send(ack);
      });
      ws.on('error', () => undefined);
      ws.on('close', () => {
        if (users.get(user) === ws) users.delete(user);
        groups.get(group)?.delete(ws);
      });
    });
    wss.on('listening', () => {
      resolve({
        port: wss.address().port,
        close: () => new Promise((done) => {
          for (const ws of wss.clients) ws.terminate();
          wss.close(() => done());
        }),
      });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// The benchmark
// ---------------------------------------------------------------------------------------------

function options() {
  const env = process.env;
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        clients: { type: 'string' }, messages: { type: 'string' }, 'group-size': { type: 'string' },
        window: { type: 'string' }, warmup: { type: 'string' }, rounds: { type: 'string' },
        timeout: { type: 'string' }, relay: { type: 'string' }, help: { type: 'boolean', short: 'h' },
        mode: { type: 'string' }, rate: { type: 'string' }, duration: { type: 'string' }, 'latency-warmup': { type: 'string' },
        'server-node-args': { type: 'string' },
      },
      strict: true,
    }));
  } catch (error) {
    usage(error.message);
  }
  if (values.help) usage();
  const int = (flag, envName, fallback, min, max) => {
    const raw = values[flag] ?? env[envName];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) usage(`--${flag} must be an integer from ${min} to ${max}`);
    return n;
  };
  const mode = values.mode ?? env.BENCH_MODE ?? 'closed';
  if (mode !== 'closed' && mode !== 'latency') usage('--mode must be closed or latency');
  const opts = {
    mode,
    clients: int('clients', 'BENCH_CLIENTS', mode === 'latency' ? 1000 : 50, 2, 5000),
    messages: int('messages', 'BENCH_MESSAGES', 40, 1, 100_000),
    groupSize: int('group-size', 'BENCH_GROUP_SIZE', 5, 2, 1000),
    window: int('window', 'BENCH_WINDOW', 4, 1, 1000),
    warmup: int('warmup', 'BENCH_WARMUP', 20, 0, 10_000),
    rounds: int('rounds', 'BENCH_ROUNDS', mode === 'latency' ? 1 : 3, 1, 100),
    rate: int('rate', 'BENCH_RATE', 500, 1, 100_000),
    durationSeconds: int('duration', 'BENCH_DURATION', 20, 1, 3600),
    latencyWarmupSeconds: int('latency-warmup', 'BENCH_LATENCY_WARMUP', 5, 0, 3600),
    serverNodeArgs: (values['server-node-args'] ?? env.BENCH_SERVER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean),
    timeoutSeconds: int('timeout', 'BENCH_TIMEOUT', mode === 'latency' ? 300 : 120, 5, 3600),
    relay: values.relay ?? env.BENCH_RELAY ?? 'child',
  };
  if (opts.clients % 2 !== 0) usage('--clients must be even (private chats are pairs i, i^1)');
  if (opts.relay !== 'child' && opts.relay !== 'inline') usage('--relay must be child or inline');
  return opts;
}

function usage(error) {
  const text = `Usage: node bench/server.mjs [--clients N] [--messages N] [--group-size N] [--window N]
                           [--warmup N] [--rounds N] [--timeout SECONDS] [--relay child|inline]
                           [--mode closed|latency] [--rate N] [--duration S] [--latency-warmup S]
                           [--server-node-args "FLAGS"]
  --clients     connected clients per target, even (default 50; 1,000 with --mode latency)
  --messages    measured messages each client sends per scenario and round (default 40)
  --group-size  members per group in the group scenario (default 5)
  --window      sends in flight per client (default 4)
  --warmup      messages per client in the unmeasured warm-up of each scenario (default 20)
  --rounds      measured rounds; figures pool all rounds (default 3)
  --timeout     global timeout, seconds (default 120)
  --relay       where the bare ws relay runs: its own child process (default) or this process
  --mode        closed (default): the closed-loop scenarios above; latency: the open-loop run
  --rate        latency mode: sends per second, all clients together (default 500)
  --duration    latency mode: measured seconds per target and round (default 20)
  --latency-warmup  latency mode: unmeasured seconds before each target's first round (default 5)
  --server-node-args  flags for the im-server node process (e.g. "--cpu-prof --cpu-prof-dir=DIR")
Environment: BENCH_CLIENTS, BENCH_MESSAGES, BENCH_GROUP_SIZE, BENCH_WINDOW, BENCH_WARMUP,
BENCH_ROUNDS, BENCH_TIMEOUT, BENCH_RELAY, BENCH_MODE, BENCH_RATE, BENCH_DURATION,
BENCH_LATENCY_WARMUP, BENCH_SERVER_NODE_ARGS.`;
  if (error) {
    process.stderr.write(`bench/server.mjs: ${error}\n${text}\n`);
    process.exit(2);
  }
  process.stdout.write(`${text}\n`);
  process.exit(0);
}

// ---- cleanup and the global timeout ----

const children = new Set();
const cleanups = [];
let aborted = false;

function killChildrenNow() {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
}
process.on('exit', killChildrenNow);

async function cleanup() {
  while (cleanups.length) {
    const step = cleanups.pop();
    try {
      await step();
    } catch (error) {
      process.stderr.write(`cleanup: ${error?.message ?? error}\n`);
    }
  }
}

function fail(message) {
  if (aborted) return;
  aborted = true;
  process.stderr.write(`\nbench:server aborted: ${message}\n`);
  const hard = setTimeout(() => process.exit(1), 5000);
  hard.unref();
  cleanup().finally(() => process.exit(1));
}

// ---- child processes ----

/** Spawns `node args…`, resolves with the first stdout line; stderr is kept for the report. */
async function spawnNode(name, args) {
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(child);
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  exited.then(() => children.delete(child));
  const lines = createInterface({ input: child.stdout });
  const firstLine = await new Promise((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}) before listening:\n${stderr}`)));
  });
  const rest = [];
  lines.on('line', (line) => rest.push(line));
  return {
    child, firstLine, exited,
    get stderr() { return stderr; },
    get stdoutRest() { return rest; },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      const result = await exited;
      clearTimeout(timer);
      return result;
    },
  };
}

/** CPU time (user + system, ms) of a process so far, from /proc; undefined where unavailable. */
const CLOCK_TICK_MS = 10; // USER_HZ is 100 on Linux
function cpuMsOf(pid) {
  if (pid === undefined) return undefined;
  if (pid === process.pid) {
    const { user, system } = process.cpuUsage();
    return (user + system) / 1000;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_MS; // utime, stime
  } catch {
    return undefined;
  }
}

/**
 * CPU time (ms) of each thread of a process so far, by thread id, from /proc (an empty map where
 * unavailable): tells which thread is the bound (im-server: the event loop, the SQLite writer, the
 * search thread; Node names them all "node", so they are told apart by their load).
 */
function threadCpuMsOf(pid) {
  const threads = new Map();
  if (pid === undefined || pid === process.pid) return threads;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      threads.set(tid, (Number(fields[11]) + Number(fields[12])) * CLOCK_TICK_MS);
    }
  } catch {
    // a thread that ended between the listing and its read: the others are enough
  }
  return threads;
}

// ---- the im-server target ----

const APP_KEY = 'bench-key';
const APP_SECRET = 'bench-secret';

async function api(baseUrl, path, body) {
  const text = JSON.stringify(body);
  const response = await fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signApiRequest({ appKey: APP_KEY, appSecret: APP_SECRET, method: 'POST', path, body: text }) },
    body: text,
  });
  const json = await response.json().catch(() => undefined);
  if (response.status !== 200 || json?.code !== 200) {
    throw new Error(`${path}: HTTP ${response.status} ${JSON.stringify(json)}`);
  }
  return json;
}


/**
 * Counts the frames each IMClient sends by frame type (header byte >> 4), and QUERY (5) frames by
 * topic: key 'sync' for a sync (a gap fill), 'delivered' for a delivery receipt (the topic is a
 * plain string in the frame; the bench's ids never contain these words).
 */
const sentFrames = new Map();
class CountingWebSocket extends WebSocket {
  send(data, ...rest) {
    const type = data?.[0] >> 4;
    sentFrames.set(type, (sentFrames.get(type) ?? 0) + 1);
    if (type === 5) {
      const bytes = Buffer.from(data.buffer ?? data, data.byteOffset ?? 0, data.byteLength ?? data.length);
      const topic = bytes.includes('delivered') ? 'delivered' : bytes.includes('sync') ? 'sync' : 'other';
      sentFrames.set(topic, (sentFrames.get(topic) ?? 0) + 1);
    }
    return super.send(data, ...rest);
  }
}

async function startImTarget(opts, layout) {
  const core = await import('../dist/im-core.js');
  const { IMClient, TextMessage, ConversationType } = core;
  const dataDir = mkdtempSync(join(os.tmpdir(), 'im-bench-'));
  cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
  const server = await spawnNode('im-server', [
    ...opts.serverNodeArgs, new URL('../dist/im-server.js', import.meta.url).pathname, '--port', '0', '--host', HOST, '--data', dataDir,
    '--app-key', APP_KEY, '--app-secret', APP_SECRET, '--rate-limit', '0',
  ]);
  cleanups.push(() => server.stop());
  const match = /^im-server listening on (http:\/\/([^\s/]+):(\d+))$/.exec(server.firstLine);
  if (!match) throw new Error(`im-server: unexpected first line ${JSON.stringify(server.firstLine)}`);
  const baseUrl = match[1];
  const wsUrl = `ws://${match[2]}:${match[3]}/im`;

  const userId = (i) => `bench-u${i}`;
  const groupId = (g) => `bench-g${g}`;
  const tokens = await pool(opts.clients, 8, async (i) => (await api(baseUrl, '/api/user/token', { userId: userId(i) })).token);
  await pool(layout.groups.length, 4, (g) => api(baseUrl, '/api/group/create', {
    groupId: groupId(g), groupName: groupId(g), userIds: layout.groups[g].map(userId), notify: false,
  }));

  const problems = { sendErrors: new Map(), statusChanges: 0 };
  let closing = false;
  const clients = await pool(opts.clients, 10, async (i) => {
    const client = new IMClient({
      url: wsUrl, token: tokens[i], WebSocket: CountingWebSocket, platform: 'node', reconnect: { enabled: false },
    });
    await client.connect();
    // Any status other than CONNECTED (0) while the benchmark runs is a dropped connection.
    client.on('status', (status) => {
      if (status !== 0 && !closing) problems.statusChanges++;
    });
    return client;
  });
  cleanups.push(async () => {
    closing = true;
    await Promise.all(clients.map((client) => client.disconnect().catch(() => undefined)));
  });

  return {
    name: 'im-server',
    pid: server.child.pid,
    server,
    problems,
    clients: clients.map((client, i) => ({
      onDeliver(handler) {
        client.on('message', (message) => handler(message.content?.content));
      },
      async send(kind, target, payload) {
        const conversation = kind === 'private'
          ? { conversationType: ConversationType.PRIVATE, targetId: userId(target) }
          : { conversationType: ConversationType.GROUP, targetId: groupId(target) };
        try {
          await client.sendMessage(conversation, new TextMessage({ content: payload }));
        } catch (error) {
          const key = `${error?.code ?? '?'} ${error?.message ?? error}`;
          problems.sendErrors.set(key, (problems.sendErrors.get(key) ?? 0) + 1);
          throw error;
        }
      },
      index: i,
    })),
  };
}

// ---- the bare relay target ----

async function startRelayTarget(opts, layout) {
  let port;
  let pid = process.pid;
  let child;
  if (opts.relay === 'child') {
    child = await spawnNode('relay', [SELF, '--relay-child']);
    cleanups.push(() => child.stop());
    port = Number(/^relay listening on (\d+)$/.exec(child.firstLine)?.[1]);
    if (!port) throw new Error(`relay: unexpected first line ${JSON.stringify(child.firstLine)}`);
    pid = child.child.pid;
  } else {
    const relay = await startRelay();
    cleanups.push(() => relay.close());
    port = relay.port;
  }
  const groupOf = new Map();
  layout.groups.forEach((members, g) => members.forEach((i) => groupOf.set(i, g)));
  const problems = { sendErrors: new Map(), statusChanges: 0 };

  const sockets = await pool(opts.clients, 10, (i) => new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://${HOST}:${port}/?user=${i}&group=${groupOf.get(i) ?? -1}`, { perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  }));
  let closing = false;
  cleanups.push(async () => {
    closing = true;
    await Promise.all(sockets.map((ws) => new Promise((resolve) => {
      if (ws.readyState === WebSocket.CLOSED) return resolve();
      ws.once('close', resolve);
      ws.close(1000);
      setTimeout(() => { ws.terminate(); resolve(); }, 1000).unref();
    })));
  });

  return {
    name: 'bare ws relay',
    // Inline, the relay shares this process with the clients: its CPU cannot be told apart.
    pid: opts.relay === 'child' ? pid : undefined,
    server: child,
    problems,
    clients: sockets.map((ws, i) => {
      const pending = new Map();
      let nextRequestId = 1;
      let deliver = () => {};
      ws.on('message', (data) => {
        if (data[0] === ACK) {
          const id = data.readUInt32LE(1);
          const done = pending.get(id);
          pending.delete(id);
          done?.();
          return;
        }
        deliver(data.toString('utf8', 9));
      });
      ws.on('close', () => {
        if (!closing) problems.statusChanges++;
      });
      ws.on('error', () => undefined);
      return {
        index: i,
        onDeliver(handler) { deliver = handler; },
        send(kind, target, payload) {
          const requestId = nextRequestId++;
          const body = Buffer.from(payload, 'utf8');
          const frame = Buffer.allocUnsafe(9 + body.length);
          frame[0] = kind === 'private' ? 1 : 3;
          frame.writeUInt32LE(target, 1);
          frame.writeUInt32LE(requestId, 5);
          body.copy(frame, 9);
          return new Promise((resolve) => {
            pending.set(requestId, resolve);
            ws.send(frame);
          });
        },
      };
    }),
  };
}

// ---- load ----

function makeLayout(opts) {
  const groups = [];
  for (let start = 0; start < opts.clients; start += opts.groupSize) {
    groups.push(Array.from({ length: Math.min(opts.groupSize, opts.clients - start) }, (_, k) => start + k));
  }
  // A trailing group of one has nobody to talk to: fold it into the previous group.
  if (groups.length > 1 && groups[groups.length - 1].length === 1) groups[groups.length - 2].push(...groups.pop());
  const groupOf = new Map();
  groups.forEach((members, g) => members.forEach((i) => groupOf.set(i, g)));
  return { groups, groupOf };
}

function scenarioOf(name, opts, layout) {
  if (name === 'private') {
    return {
      name,
      target: (i) => ({ kind: 'private', target: i ^ 1 }),
      recipients: () => 1,
    };
  }
  return {
    name,
    target: (i) => ({ kind: 'group', target: layout.groupOf.get(i) }),
    recipients: (i) => layout.groups[layout.groupOf.get(i)].length - 1,
  };
}

let roundCounter = 0;

/**
 * What a receiving client does with each message of round `round`: counts it in `result` as
 * delivered (with its end-to-end time), or as stray (another round's, or not our payload), a
 * duplicate (the same sender's k again at the same receiver), or out of order (a lower k after a
 * higher one, per sender and receiver); then calls `delivered`.
 */
function countDeliveries(round, result, delivered) {
  const seen = new Set();
  const lastK = new Map();
  return (receiver, text) => {
    let payload;
    try {
      payload = JSON.parse(text);
    } catch {
      result.stray++;
      return;
    }
    if (payload?.r !== round) {
      result.stray++;
      return;
    }
    const now = performance.now();
    const key = `${payload.f}:${payload.k}:${receiver}`;
    if (seen.has(key)) {
      result.duplicates++;
      return;
    }
    seen.add(key);
    const pair = `${payload.f}:${receiver}`;
    if ((lastK.get(pair) ?? -1) > payload.k) result.outOfOrder++;
    lastK.set(pair, Math.max(lastK.get(pair) ?? -1, payload.k));
    result.delivered++;
    result.e2e.push(now - payload.s);
    result.lastDelivery = now;
    delivered();
  };
}

/**
 * One round: every client sends `messages` messages with at most `window` in flight; waits until
 * every send completed and every expected delivery arrived, or `deadline` passed.
 */
async function runRound(target, scenario, messages, opts, receivers, deadlineMs) {
  const round = ++roundCounter;
  const expected = target.clients.reduce((sum, c) => sum + messages * scenario.recipients(c.index), 0);
  const result = {
    expected, delivered: 0, duplicates: 0, outOfOrder: 0, stray: 0, sendErrors: 0, acked: 0,
    e2e: [], ack: [], firstSend: Infinity, lastDelivery: 0, lastAck: 0, complete: false,
  };
  let over = false;
  let wake = () => {};
  receivers.current = countDeliveries(round, result, () => {
    if (result.delivered >= expected) wake();
  });

  const cpuAtStart = cpuNow(target);
  const sending = Promise.all(target.clients.map(async (client) => {
    const { kind, target: to } = scenario.target(client.index);
    let next = 0;
    const lane = async () => {
      while (next < messages && !over && !aborted) {
        const k = next++;
        const sentAt = performance.now();
        if (sentAt < result.firstSend) result.firstSend = sentAt;
        const payload = JSON.stringify({ r: round, s: sentAt, f: client.index, k });
        try {
          await client.send(kind, to, payload);
          const now = performance.now();
          result.acked++;
          result.ack.push(now - sentAt);
          result.lastAck = now;
        } catch {
          result.sendErrors++;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(opts.window, messages) }, lane));
  }));
  const allDelivered = new Promise((resolve) => {
    wake = resolve;
    if (expected === 0) resolve();
  });
  return finishRound(target, result, Promise.all([sending, allDelivered]), deadlineMs, cpuAtStart, receivers, () => { over = true; });
}

/** CPU ms of the server process (undefined when unreadable) and of this one, now. */
function cpuNow(target) {
  return { server: cpuMsOf(target.pid), self: cpuMsOf(process.pid), threads: threadCpuMsOf(target.pid) };
}

/**
 * The end of a round: waits for `completion` or the deadline (then `stop`, which ends the
 * sending), and completes `result` with its outcome, wall times and CPU since `cpuAtStart`.
 */
async function finishRound(target, result, completion, deadlineMs, cpuAtStart, receivers, stop = () => {}) {
  let timer;
  const timedOut = new Promise((resolve) => { timer = setTimeout(() => resolve('timeout'), Math.max(0, deadlineMs - Date.now())); });
  const outcome = await Promise.race([completion, timedOut]);
  clearTimeout(timer);
  stop();
  result.complete = outcome !== 'timeout';
  result.wallMs = Math.max(result.lastDelivery, result.lastAck) - result.firstSend;
  result.deliveryWallMs = result.lastDelivery - result.firstSend;
  const cpu = cpuNow(target);
  result.serverCpuMs = cpuAtStart.server === undefined || cpu.server === undefined ? undefined : cpu.server - cpuAtStart.server;
  result.selfCpuMs = cpu.self - cpuAtStart.self;
  result.serverThreadMs = new Map([...cpu.threads].map(([tid, ms]) => [tid, ms - (cpuAtStart.threads.get(tid) ?? 0)]));
  receivers.current = () => {};
  return result;
}

/**
 * One open-loop round: the k-th send is due at start + k / rate, from client k mod N to its pair
 * (i^1), whether or not earlier sends have completed. Latencies count from the due time, so a
 * send that this process starts late (its own CPU) is counted against the run, not hidden.
 */
async function runOpenRound(target, seconds, opts, receivers, deadlineMs) {
  const round = ++roundCounter;
  const interval = 1000 / opts.rate;
  const total = Math.max(1, Math.round(opts.rate * seconds));
  const result = {
    expected: total, delivered: 0, duplicates: 0, outOfOrder: 0, stray: 0, sendErrors: 0, acked: 0,
    e2e: [], ack: [], lag: [], firstSend: Infinity, lastDelivery: 0, lastAck: 0, complete: false,
  };
  let wake = () => {};
  const settle = () => {
    if (result.delivered >= total && result.acked + result.sendErrors >= total) wake();
  };
  receivers.current = countDeliveries(round, result, settle);
  const done = new Promise((resolve) => { wake = resolve; });
  const cpuAtStart = cpuNow(target);
  const start = performance.now() + 10;
  result.firstSend = start;
  let k = 0;
  let timer;
  await new Promise((resolve) => {
    const tick = () => {
      const now = performance.now();
      while (k < total && start + k * interval <= now) {
        const due = start + k * interval;
        const client = target.clients[k % target.clients.length];
        result.lag.push(now - due);
        client.send('private', client.index ^ 1, JSON.stringify({ r: round, s: due, f: client.index, k })).then(() => {
          const at = performance.now();
          result.acked++;
          result.ack.push(at - due);
          result.lastAck = at;
          settle();
        }, () => {
          result.sendErrors++;
          settle();
        });
        k++;
      }
      if (k >= total || aborted || Date.now() > deadlineMs) return resolve();
      timer = setTimeout(tick, Math.max(0, start + k * interval - performance.now()));
    };
    tick();
  });
  clearTimeout(timer);
  return finishRound(target, result, done, deadlineMs, cpuAtStart, receivers);
}

/** The open-loop run (--mode latency): warm-up, then rounds alternating between the targets. */
async function runLatencyMode(opts, targets, receiversByTarget, deadline, log) {
  const notes = [];
  if (opts.latencyWarmupSeconds > 0) {
    for (const target of targets) {
      const warm = await runOpenRound(target, opts.latencyWarmupSeconds, opts, receiversByTarget.get(target), deadline);
      if (!warm.complete) notes.push(`warm-up on ${target.name} did not complete: ${warm.delivered}/${warm.expected} delivered`);
    }
  }
  const results = new Map(targets.map((target) => [target, []]));
  for (let r = 0; r < opts.rounds; r++) {
    for (const target of targets) {
      if (aborted) return notes;
      const queries0 = sentFrames.get('sync') ?? 0;
      const result = await runOpenRound(target, opts.durationSeconds, opts, receiversByTarget.get(target), deadline);
      result.syncQueries = target.name === 'im-server' ? (sentFrames.get('sync') ?? 0) - queries0 : 0;
      results.get(target).push(result);
      log(`  round ${r + 1} open ${opts.rate}/s ${target.name.padEnd(13)} ${result.delivered}/${result.expected} delivered in `
        + `${fmt(result.deliveryWallMs, 0)} ms${result.complete ? '' : ' — INCOMPLETE (timed out)'}`);
      if (!result.complete) process.exitCode = 1;
    }
  }
  const rows = [];
  const summaries = [];
  for (const target of targets) {
    const rs = results.get(target);
    const s = summarize(rs);
    const lag = rs.flatMap((x) => x.lag).sort((a, b) => a - b);
    summaries.push(s);
    rows.push([
      `open ${opts.rate}/s`, target.name, `${s.delivered}/${s.expected}`, fmt(s.e2e.p50), fmt(s.e2e.p99), fmt(s.e2e.max),
      fmt(s.ack.p50), fmt(s.ack.p99), fmt(s.ack.max), s.serverCpuPct === undefined ? 'n/a' : fmt(s.serverCpuPct, 0),
      fmt(s.selfCpuPct, 0), fmt(percentile(lag, 0.99)), fmt(lag.at(-1)),
    ]);
    const syncQueries = rs.reduce((sum, x) => sum + (x.syncQueries ?? 0), 0);
    const issues = [];
    if (s.incomplete) issues.push(`${s.incomplete} round(s) timed out`);
    if (s.sendErrors) issues.push(`${s.sendErrors} failed sends`);
    if (s.duplicates) issues.push(`${s.duplicates} duplicate deliveries`);
    if (s.outOfOrder) issues.push(`${s.outOfOrder} out-of-order deliveries`);
    if (s.stray) issues.push(`${s.stray} deliveries from another round`);
    if (syncQueries) issues.push(`${syncQueries} sync queries sent by clients (gap fill)`);
    if (issues.length) notes.push(`open / ${target.name}: ${issues.join(', ')}`);
  }
  const [ours, ceiling] = summaries;
  log('');
  log(table(['scenario', 'server', 'delivered', 'e2e p50 ms', 'e2e p99 ms', 'e2e max ms', 'ack p50 ms', 'ack p99 ms', 'ack max ms',
    'server CPU %', 'bench CPU %', 'send lag p99 ms', 'send lag max ms'], rows));
  log('');
  log(table(['scenario', 'ratio', 'e2e p50', 'e2e p99', 'ack p50', 'ack p99', 'server CPU'], [[
    `open ${opts.rate}/s`, 'im-server / relay', ratio(ours.e2e.p50, ceiling.e2e.p50), ratio(ours.e2e.p99, ceiling.e2e.p99),
    ratio(ours.ack.p50, ceiling.ack.p50), ratio(ours.ack.p99, ceiling.ack.p99), ratio(ours.serverCpuPct, ceiling.serverCpuPct),
  ]]));
  log('');
  log(`Open loop: send k is due at start + k/${opts.rate} s from client k mod ${opts.clients} to its pair; latencies count from the due time.`);
  log('send lag: how late this process started a send after its due time (its own CPU). CPU %: as in the closed-loop run.');
  return notes;
}

// ---- statistics and printing ----

function percentile(sorted, q) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

function summarize(results) {
  const e2e = results.flatMap((r) => r.e2e).sort((a, b) => a - b);
  const ack = results.flatMap((r) => r.ack).sort((a, b) => a - b);
  const sum = (f) => results.reduce((total, r) => total + (f(r) ?? 0), 0);
  const deliveryWallMs = sum((r) => r.deliveryWallMs);
  const wallMs = sum((r) => r.wallMs);
  const serverCpu = results.every((r) => r.serverCpuMs !== undefined) ? sum((r) => r.serverCpuMs) : undefined;
  const threadMs = new Map();
  for (const r of results) for (const [tid, ms] of r.serverThreadMs ?? []) threadMs.set(tid, (threadMs.get(tid) ?? 0) + ms);
  return {
    busiestThreadsPct: wallMs > 0 ? [...threadMs.values()].sort((a, b) => b - a).slice(0, 3).map((ms) => (ms / wallMs) * 100) : [],
    expected: sum((r) => r.expected),
    delivered: sum((r) => r.delivered),
    acked: sum((r) => r.acked),
    sendErrors: sum((r) => r.sendErrors),
    duplicates: sum((r) => r.duplicates),
    outOfOrder: sum((r) => r.outOfOrder),
    stray: sum((r) => r.stray),
    incomplete: results.filter((r) => !r.complete).length,
    deliveryWallMs,
    wallMs,
    throughput: deliveryWallMs > 0 ? (sum((r) => r.delivered) / deliveryWallMs) * 1000 : NaN,
    sendRate: wallMs > 0 ? (sum((r) => r.acked) / wallMs) * 1000 : NaN,
    e2e: { p50: percentile(e2e, 0.5), p99: percentile(e2e, 0.99), max: e2e.at(-1) ?? NaN },
    ack: { p50: percentile(ack, 0.5), p99: percentile(ack, 0.99), max: ack.at(-1) ?? NaN },
    serverCpuPct: serverCpu === undefined || wallMs <= 0 ? undefined : (serverCpu / wallMs) * 100,
    selfCpuPct: wallMs > 0 ? (sum((r) => r.selfCpuMs) / wallMs) * 100 : NaN,
  };
}

/** The busiest threads' CPU %, "58 · 31 · 9" ('n/a' where /proc is not readable). */
const busiest = (s) => (s.busiestThreadsPct.length ? s.busiestThreadsPct.map((pct) => fmt(pct, 0)).join(' · ') : 'n/a');
const fmt = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const fmtInt = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}×` : 'n/a');



// ---- main ----

async function main() {
  const opts = options();
  const globalTimer = setTimeout(() => fail(`global timeout of ${opts.timeoutSeconds} s reached`), opts.timeoutSeconds * 1000);
  // Rounds stop a little before the global timeout, so that a stall still prints what it got.
  const deadline = Date.now() + opts.timeoutSeconds * 1000 - Math.min(10_000, opts.timeoutSeconds * 250);
  process.once('SIGINT', () => fail('interrupted'));
  process.once('SIGTERM', () => fail('terminated'));

  const layout = makeLayout(opts);
  const m = machine();
  const envPart = Object.entries(process.env).filter(([k]) => k.startsWith('BENCH_')).map(([k, v]) => `${k}=${v} `).join('');
  const command = envPart + (process.env.npm_lifecycle_event === 'bench:server'
    ? `npm run bench:server${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`
    : `node bench/server.mjs${process.argv.length > 2 ? ` ${process.argv.slice(2).join(' ')}` : ''}`);
  const log = (text) => process.stdout.write(`${text}\n`);
  log('bench:server — im-server vs a bare ws relay, same run, same load shape');
  log(`machine: ${m.cpu}, ${m.cores} cores, ${m.memory} RAM, node ${m.node}, ${m.os}`);
  log(`command: ${command}`);
  if (opts.mode === 'latency') {
    log(`load:    ${opts.clients} clients in private pairs; open loop, ${opts.rate} sends/s in total; warm-up `
      + `${opts.latencyWarmupSeconds} s, ${opts.rounds} round(s) of ${opts.durationSeconds} s per target; relay in `
      + `${opts.relay === 'child' ? 'a child process' : 'this process'}`);
  } else log(`load:    ${opts.clients} clients; private pairs (i -> i^1) and ${layout.groups.length} groups of `
    + `${opts.groupSize}; ${opts.messages} msgs per client per scenario, window ${opts.window}, `
    + `warm-up ${opts.warmup}, rounds ${opts.rounds}; relay in ${opts.relay === 'child' ? 'a child process' : 'this process'}`);

  const targets = [];
  try {
    const t0 = performance.now();
    targets.push(await startImTarget(opts, layout));
    targets.push(await startRelayTarget(opts, layout));
    log(`setup:   ${fmt(performance.now() - t0, 0)} ms (server start, tokens, groups, ${opts.clients * 2} connections)`);
  } catch (error) {
    fail(`setup failed: ${error?.stack ?? error}`);
    return;
  }

  const receiversByTarget = new Map();
  for (const target of targets) {
    const receivers = { current: () => {} };
    receiversByTarget.set(target, receivers);
    for (const client of target.clients) client.onDeliver((text) => receivers.current(client.index, text));
  }

  if (opts.mode === 'latency') {
    const notes = await runLatencyMode(opts, targets, receiversByTarget, deadline, log);
    await finish(targets, notes, globalTimer, log);
    return;
  }

  const scenarios = ['private', 'group'].map((name) => scenarioOf(name, opts, layout));
  const results = new Map(); // `${scenario}/${target}` -> round results
  for (const scenario of scenarios) {
    for (const target of targets) {
      if (aborted) return;
      const receivers = receiversByTarget.get(target);
      if (opts.warmup > 0) {
        const warm = await runRound(target, scenario, opts.warmup, opts, receivers, deadline);
        if (!warm.complete) {
          fail(`warm-up of ${scenario.name} on ${target.name} did not complete: ${warm.delivered}/${warm.expected} delivered, `
            + `${warm.acked} sends completed`);
          return;
        }
      }
      results.set(`${scenario.name}/${target.name}`, []);
    }
  }
  let stalled = false;
  for (let r = 0; r < opts.rounds && !stalled; r++) {
    for (const scenario of scenarios) {
      for (const target of targets) {
        if (aborted) return;
        if (stalled) break;
        const queries0 = sentFrames.get('sync') ?? 0;
        const result = await runRound(target, scenario, opts.messages, opts, receiversByTarget.get(target), deadline);
        result.syncQueries = target.name === 'im-server' ? (sentFrames.get('sync') ?? 0) - queries0 : 0;
        results.get(`${scenario.name}/${target.name}`).push(result);
        log(`  round ${r + 1} ${scenario.name.padEnd(7)} ${target.name.padEnd(13)} `
          + `${result.delivered}/${result.expected} delivered in ${fmt(result.deliveryWallMs, 0)} ms`
          + `${result.complete ? '' : ' — INCOMPLETE (timed out); skipping the remaining rounds'}`);
        if (!result.complete) stalled = true;
      }
    }
  }

  const rows = [];
  const ratioRows = [];
  const notes = [];
  for (const scenario of scenarios) {
    const summaries = targets.map((target) => [target, summarize(results.get(`${scenario.name}/${target.name}`))]);
    for (const [target, s] of summaries) {
      rows.push([
        scenario.name, target.name, `${s.delivered}/${s.expected}`, fmtInt(s.throughput),
        fmt(s.e2e.p50), fmt(s.e2e.p99), fmt(s.e2e.max), fmt(s.ack.p50), fmt(s.ack.p99),
        s.serverCpuPct === undefined ? 'n/a' : fmt(s.serverCpuPct, 0), busiest(s), fmt(s.selfCpuPct, 0),
      ]);
      const rs = results.get(`${scenario.name}/${target.name}`);
      const syncQueries = rs.reduce((sum, r) => sum + (r.syncQueries ?? 0), 0);
      const issues = [];
      if (s.incomplete) issues.push(`${s.incomplete} round(s) timed out`);
      if (s.sendErrors) issues.push(`${s.sendErrors} failed sends`);
      if (s.duplicates) issues.push(`${s.duplicates} duplicate deliveries`);
      if (s.outOfOrder) issues.push(`${s.outOfOrder} out-of-order deliveries`);
      if (s.stray) issues.push(`${s.stray} deliveries from another round`);
      if (syncQueries) issues.push(`${syncQueries} sync queries sent by clients (gap fill)`);
      if (issues.length) notes.push(`${scenario.name} / ${target.name}: ${issues.join(', ')}`);
    }
    const [, ours] = summaries[0];
    const [, ceiling] = summaries[1];
    // The same ratio round by round: how far one run's figure can be trusted.
    const perRound = (target) => results.get(`${scenario.name}/${target.name}`).map((r) => (r.deliveryWallMs > 0 ? r.delivered / r.deliveryWallMs : NaN));
    const [oursByRound, ceilingByRound] = [perRound(targets[0]), perRound(targets[1])];
    const roundRatios = oursByRound.map((value, i) => value / ceilingByRound[i]).filter(Number.isFinite);
    ratioRows.push([
      scenario.name, 'im-server / relay', ratio(ours.throughput, ceiling.throughput),
      roundRatios.length ? `${Math.min(...roundRatios).toFixed(2)}–${Math.max(...roundRatios).toFixed(2)}×` : 'n/a',
      ratio(ours.e2e.p50, ceiling.e2e.p50), ratio(ours.e2e.p99, ceiling.e2e.p99),
      ratio(ours.ack.p50, ceiling.ack.p50), ratio(ours.ack.p99, ceiling.ack.p99),
    ]);
  }

  log('');
  log(table(
    ['scenario', 'server', 'delivered', 'msgs/s', 'e2e p50 ms', 'e2e p99 ms', 'e2e max ms', 'ack p50 ms', 'ack p99 ms', 'server CPU %', 'busiest threads %', 'bench CPU %'],
    rows,
  ));
  log('');
  log(table(['scenario', 'ratio', 'throughput', 'per round', 'e2e p50', 'e2e p99', 'ack p50', 'ack p99'], ratioRows));
  log('');
  log('msgs/s: deliveries at receivers / (last delivery - first send). e2e: send call -> receiver event.');
  log('ack: send call -> sendMessage resolved (im-server: committed to SQLite) or relay ack received.');
  log('CPU %: CPU time of the server process / of this process (all clients) over the round, 100 = one core.');
  log('busiest threads %: the server process\'s three busiest threads over the rounds (im-server: event loop, SQLite writer, search).');
  log('per round: the lowest and highest throughput ratio of a single round (im-server and relay of the same round).');
  log('throughput ratio < 1 and latency ratio > 1 mean im-server is below the ceiling.');

  if (stalled) {
    notes.unshift('a round timed out: the figures above are partial, and the exit code is 1');
    process.exitCode = 1;
  }
  for (const target of targets) {
    const { sendErrors, statusChanges } = target.problems;
    for (const [error, count] of sendErrors) notes.push(`${target.name}: send rejected ${count}× with ${error}`);
    if (statusChanges) notes.push(`${target.name}: ${statusChanges} connection status changes during the run`);
  }

  await finish(targets, notes, globalTimer, log);
}

/** Stops everything, then prints the notes (with the servers' stderr). */
async function finish(targets, notes, globalTimer, log) {
  clearTimeout(globalTimer);
  const finalTimer = setTimeout(() => fail('cleanup took longer than 15 s'), 15_000);
  await cleanup();
  clearTimeout(finalTimer);
  for (const target of targets) {
    const stderr = target.server?.stderr?.trim();
    if (stderr) notes.push(`${target.name} stderr:\n${stderr.split('\n').slice(0, 20).map((l) => `    ${l}`).join('\n')}`);
  }
  if (notes.length) {
    log('');
    log('notes:');
    for (const note of notes) log(`  - ${note}`);
  }
}

// ---- entry (last, so that every module-level constant above is initialised) ----

if (process.argv[2] === '--relay-child') {
  const relay = await startRelay();
  process.stdout.write(`relay listening on ${relay.port}\n`);
  const stop = () => relay.close().then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // The parent holds our stdin; when it goes away, so do we.
  process.stdin.on('end', stop).on('error', stop).resume();
} else {
  await main();
}
