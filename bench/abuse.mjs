#!/usr/bin/env node
/**
 * bench:abuse — what hostile clients cost the reference server, and what a normal client
 * notices meanwhile.
 *
 *   npm run bench:abuse        # builds dist/, then runs this file
 *   node bench/abuse.mjs       # with an existing build
 *
 * Starts `node dist/im-server.js` with its default limits (fresh temp data directory, loopback)
 * and runs four attacks one after the other, each bounded in time and size:
 *   (a) poison inbox   three ~128 KB messages to one user, who then signs in and syncs
 *   (b) slow reader    sockets that pipeline history queries of ~256 KB answers and never read
 *   (c) pre-auth flood thousands of WebSockets (from one IP) and POST /im/poll channels (from
 *                      another) that never sign in; then a real client signs in over each transport
 *   (d) query cost     `conversations` queries listing 30,000 conversation types
 * During a quiet baseline and during each attack, a canary (a signed-in IMClient in a child
 * process of its own, so that the attack's client work does not slow it) asks for a history page
 * every 50 ms; its latency p50/p99 is printed with the server's peak RSS (from /proc, sampled
 * every 50 ms). Attackers connect from 127.0.0.2 and 127.0.0.3, everything else from 127.0.0.1
 * (the server limits unauthenticated connections per client IP).
 *
 * This is a benchmark, not a test: it asserts nothing. It exits non-zero only when it cannot run.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { im } from '../src/core/protocol/generated/im.js';
import { machine, pool, table } from './report.mjs';
import { signApiRequest } from '../dist/im-server-api.js';

const HOST = '127.0.0.1';
const ATTACKER_IP = '127.0.0.2';
const POLL_ATTACKER_IP = '127.0.0.3';
const APP_KEY = 'bench-key';
const APP_SECRET = 'bench-secret';
const SELF = fileURLToPath(import.meta.url);
const GLOBAL_TIMEOUT_MS = 240_000;
const CANARY_INTERVAL_MS = 50;

// Frame types (src/core/protocol/codes.ts); a frame is its header byte, type << 4, then the body.
const CONNECT = 1;
const CONNACK = 2;
const QUERY = 5;
const QUERYACK = 6;
const PRIVATE = 1;
const GROUP = 3;

const frame = (type, codec, body) => Buffer.concat([Buffer.from([type << 4]), codec.encode(body).finish()]);
const connectFrame = (token) => frame(CONNECT, im.Connect, { protocolVersion: 1, token, deviceId: 'bench', platform: 'bench' });
const queryFrame = (requestId, topic, codec, body) => frame(QUERY, im.Query, { requestId, topic, body: codec.encode(body).finish() });

// ---------------------------------------------------------------------------------------------
// The canary (a child process: `node bench/abuse.mjs --canary`), driven over IPC.
// ---------------------------------------------------------------------------------------------

async function runCanary() {
  const { IMClient } = await import('../dist/im-core.js');
  const { wsUrl, token, targetId } = JSON.parse(process.env.ABUSE_CANARY);
  const client = new IMClient({ url: wsUrl, token, WebSocket, platform: 'node', reconnect: { minDelay: 50, maxDelay: 400 } });
  await client.connect();
  let running = false;
  let latencies = [];
  let failures = 0;
  const loop = async () => {
    while (running) {
      const started = performance.now();
      try {
        await client.getHistoryMessages({ conversationType: PRIVATE, targetId }, { count: 20 });
        latencies.push(performance.now() - started);
      } catch {
        failures++;
      }
      const left = CANARY_INTERVAL_MS - (performance.now() - started);
      if (left > 0) await new Promise((resolve) => setTimeout(resolve, left));
    }
  };
  let looping = Promise.resolve();
  process.on('message', async (command) => {
    if (command === 'start') {
      latencies = [];
      failures = 0;
      running = true;
      looping = loop();
    } else if (command === 'stop') {
      running = false;
      await looping;
      process.send({ latencies, failures });
    } else if (command === 'exit') {
      await client.disconnect();
      process.exit(0);
    }
  });
  process.send('ready');
}

// ---------------------------------------------------------------------------------------------
// The benchmark
// ---------------------------------------------------------------------------------------------

const cleanups = [];

async function api(baseUrl, method, path, body) {
  const text = body === undefined ? '' : JSON.stringify(body);
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...signApiRequest({ appKey: APP_KEY, appSecret: APP_SECRET, method, path, body: text }) },
    body: body === undefined ? undefined : text,
  });
  const json = await response.json();
  if (response.status !== 200) throw new Error(`${path}: HTTP ${response.status} ${JSON.stringify(json)}`);
  return json;
}

async function startServer() {
  const dataDir = mkdtempSync(join(os.tmpdir(), 'im-abuse-'));
  cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
  const child = spawn(process.execPath, [
    new URL('../dist/im-server.js', import.meta.url).pathname, '--port', '0', '--host', HOST, '--data', dataDir,
    '--app-key', APP_KEY, '--app-secret', APP_SECRET,
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  cleanups.push(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  });
  let slowReadersDropped = 0;
  child.stderr.on('data', (chunk) => {
    slowReadersDropped += (String(chunk).match(/slow reader/g) ?? []).length;
  });
  const firstLine = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`im-server exited (${code}) before listening`)));
  });
  const match = /^im-server listening on (http:\/\/([^\s/]+):(\d+))$/.exec(firstLine);
  if (!match) throw new Error(`im-server: unexpected first line ${JSON.stringify(firstLine)}`);
  return {
    pid: child.pid, baseUrl: match[1], wsUrl: `ws://${match[2]}:${match[3]}/im`,
    get slowReadersDropped() { return slowReadersDropped; },
  };
}

const tokenFor = async (server, userId) => (await api(server.baseUrl, 'POST', '/api/user/token', { userId })).token;

function rssOf(pid) {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;
  } catch {
    return NaN;
  }
}

/** Samples the server's RSS every 50 ms until stopped; returns the peak. */
function watchRss(pid) {
  let peak = rssOf(pid);
  const timer = setInterval(() => { peak = Math.max(peak, rssOf(pid)); }, 50);
  return () => {
    clearInterval(timer);
    return Math.max(peak, rssOf(pid));
  };
}

async function startCanary(server) {
  const targetId = 'canary-friend';
  const canaryToken = await tokenFor(server, 'canary');
  // Something to read: a few small messages from a friend.
  const { IMClient, TextMessage } = await import('../dist/im-core.js');
  const friend = new IMClient({ url: server.wsUrl, token: await tokenFor(server, targetId), WebSocket, platform: 'node', reconnect: { enabled: false } });
  await friend.connect();
  for (let i = 0; i < 3; i++) await friend.sendMessage({ conversationType: PRIVATE, targetId: 'canary' }, new TextMessage({ content: `hello ${i}` }));
  await friend.disconnect();
  const child = spawn(process.execPath, [SELF, '--canary'], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, ABUSE_CANARY: JSON.stringify({ wsUrl: server.wsUrl, token: canaryToken, targetId }) },
  });
  cleanups.push(async () => {
    if (child.exitCode === null) child.send('exit');
    await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve()));
  });
  await new Promise((resolve) => child.once('message', resolve));
  return {
    start: () => child.send('start'),
    stop: () => new Promise((resolve) => {
      child.once('message', resolve);
      child.send('stop');
    }),
  };
}

const percentile = (values, p) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
const ms = (value) => (Number.isFinite(value) ? value.toFixed(1) : '–');
const mb = (bytes) => (bytes / 2 ** 20).toFixed(0);

/** Runs `attack` with the canary asking and the server's RSS watched; returns one result row. */
async function measured(name, server, canary, attack) {
  const rssBefore = rssOf(server.pid);
  const stopRss = watchRss(server.pid);
  canary.start();
  const started = performance.now();
  const outcome = await attack();
  const seconds = (performance.now() - started) / 1000;
  const { latencies, failures } = await canary.stop();
  const peak = stopRss();
  console.error(`${name}: ${outcome}`);
  return {
    row: [name, seconds.toFixed(1), mb(rssBefore), mb(peak), String(latencies.length), String(failures),
      ms(percentile(latencies, 50)), ms(percentile(latencies, 99)), ms(Math.max(...latencies))],
    outcome,
  };
}

const sleep = (milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds));

/** A `ws` socket from `localAddress`; resolves once open, or with the HTTP status that refused it. */
function openSocket(url, localAddress) {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { localAddress, perMessageDeflate: false });
    ws.on('error', () => resolve({ status: 0 }));
    ws.once('unexpected-response', (_request, response) => {
      resolve({ status: response.statusCode });
      response.resume();
      ws.terminate();
    });
    ws.once('open', () => resolve({ status: 101, ws }));
  });
}

/** The first frame of `type` on `ws`. */
function nextFrame(ws, type, timeoutMs = 30_000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      ws.off('message', onMessage);
      reject(new Error(`no frame of type ${type} in ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (data) => {
      if (data[0] >> 4 !== type) return;
      clearTimeout(timer);
      ws.off('message', onMessage);
      resolve(data.subarray(1));
    };
    ws.on('message', onMessage);
  });
}

async function signedInSocket(server, userId, localAddress = HOST) {
  const { ws, status } = await openSocket(server.wsUrl, localAddress);
  if (!ws) throw new Error(`upgrade for ${userId}: ${status}`);
  ws.send(connectFrame(await tokenFor(server, userId)));
  const ack = im.ConnAck.decode(await nextFrame(ws, CONNACK));
  if (ack.code !== 0) throw new Error(`CONNACK ${ack.code} for ${userId}`);
  return ws;
}

/** Three ~128 KB text messages from `senderId` to `conversation`. */
async function sendLarge(server, senderId, conversation) {
  const { IMClient, TextMessage } = await import('../dist/im-core.js');
  const sender = new IMClient({ url: server.wsUrl, token: await tokenFor(server, senderId), WebSocket, platform: 'node', reconnect: { enabled: false } });
  await sender.connect();
  // 63,990 two-byte characters: about 128,000 bytes of content, near the 128 KB limit.
  for (let i = 0; i < 3; i++) await sender.sendMessage(conversation, new TextMessage({ content: `${i}:${'é'.repeat(63_990)}` }));
  await sender.disconnect();
}

// (a) Three ~128 KB messages to a user, who then signs in and syncs from the start; `rounds`
// times, each with a sender and a victim of its own.
async function poisonInbox(server, rounds) {
  const outcomes = [];
  for (let round = 0; round < rounds; round++) outcomes.push(await poisonOne(server, `poisoner-${round}`, `victim-${round}`));
  const completed = outcomes.filter((outcome) => outcome.ok);
  return `${completed.length}/${rounds} victims' syncs completed (3/3 messages each, in ${completed.map((outcome) => outcome.took.toFixed(0)).join(', ')} ms); `
    + `their history: ${[...new Set(outcomes.map((outcome) => outcome.history))].join('; ')}`;
}

async function poisonOne(server, poisonerId, victimId) {
  const { IMClient } = await import('../dist/im-core.js');
  await sendLarge(server, poisonerId, { conversationType: PRIVATE, targetId: victimId });
  const victim = new IMClient({ url: server.wsUrl, token: await tokenFor(server, victimId), WebSocket, platform: 'node', reconnect: { minDelay: 50, maxDelay: 400 } });
  const started = performance.now();
  let received = 0;
  const synced = new Promise((resolve) => victim.on('message', () => {
    if (++received === 3) resolve(true);
  }));
  await victim.connect();
  const ok = await Promise.race([synced, sleep(20_000).then(() => false)]);
  const took = performance.now() - started;
  let history = 'history failed';
  try {
    const page = await victim.getHistoryMessages({ conversationType: PRIVATE, targetId: poisonerId }, { count: 20 });
    history = `a first page of ${page.messages.length}${page.hasMore ? ', more to page' : ''}`;
  } catch (error) {
    history = `history failed: ${error.message}`;
  }
  await victim.disconnect();
  return { ok, took, history };
}

// (b) Sockets that pipeline history queries (each answer ~256 KB) and never read, in waves.
async function slowReaders(server, waves, count, queriesEach) {
  // One user per socket (queries are rate-limited per user), all in a group of large messages.
  const readers = Array.from({ length: count }, (_, i) => `reader-${i}`);
  await api(server.baseUrl, 'POST', '/api/group/create', { groupId: 'large', groupName: 'large', userIds: ['poisoner', ...readers], notify: false });
  await sendLarge(server, 'poisoner', { conversationType: GROUP, targetId: 'large' });
  const outcomes = [];
  for (let wave = 0; wave < waves; wave++) outcomes.push(await slowReaderWave(server, readers, queriesEach));
  return `${waves} waves of ${count} sockets × ${queriesEach} pipelined history queries (~${mb(queriesEach * 256 * 1024)} MB of answers each): `
    + `${outcomes.reduce((sum, outcome) => sum + outcome.dropped, 0)}/${waves * count} disconnected as slow readers `
    + `(per wave, all within ${outcomes.map((outcome) => (outcome.dropped === count ? outcome.took.toFixed(0) : 'NOT')).join(', ')} ms)`;
}

async function slowReaderWave(server, readers, queriesEach) {
  const droppedBefore = server.slowReadersDropped;
  const count = readers.length;
  const sockets = [];
  for (const reader of readers) {
    const ws = await signedInSocket(server, reader, ATTACKER_IP);
    ws.pause();
    const queries = [];
    for (let q = 1; q <= queriesEach; q++) {
      queries.push(queryFrame(q, 'history', im.HistoryRequest, { conversationType: GROUP, targetId: 'large', count: 20 }));
    }
    for (const query of queries) ws.send(query);
    sockets.push(ws);
  }
  const started = performance.now();
  while (server.slowReadersDropped - droppedBefore < count && performance.now() - started < 20_000) await sleep(50);
  const dropped = server.slowReadersDropped - droppedBefore;
  const took = performance.now() - started;
  for (const ws of sockets) ws.terminate();
  return { dropped, took };
}

/** POST /im/poll (a new channel) from `localAddress`; the status. */
function openPollChannel(server, agent) {
  return new Promise((resolve) => {
    const post = request(`${server.baseUrl}/im/poll`, { method: 'POST', agent, headers: { 'content-length': '0' } }, (response) => {
      response.resume();
      response.once('end', () => resolve(response.statusCode));
    });
    post.once('error', () => resolve(0));
    post.end();
  });
}


const tally = (statuses) => [...statuses.reduce((counts, status) => counts.set(status, (counts.get(status) ?? 0) + 1), new Map())]
  .map(([status, n]) => `${n}× ${status || 'error'}`).join(', ');

// (c) Unauthenticated WebSockets from one IP and poll channels from another, then real clients sign in.
async function preAuthFlood(server, rounds, sockets, channels) {
  const outcomes = [];
  for (let round = 0; round < rounds; round++) outcomes.push(`round ${round + 1}: ${await preAuthFloodRound(server, round, sockets, channels)}`);
  // The poll channels were left open (the flooder never deletes them): the connect deadline ends them.
  const started = performance.now();
  let left;
  while ((left = (await api(server.baseUrl, 'GET', '/api/metrics')).unauthenticated) > 0 && performance.now() - started < 20_000) await sleep(100);
  outcomes.push(left === 0 ? `none left unauthenticated ${((performance.now() - started) / 1000).toFixed(1)} s after the last round`
    : `${left} still unauthenticated 20 s after the last round`);
  return outcomes.join('; ');
}

async function preAuthFloodRound(server, round, sockets, channels) {
  const { IMClient } = await import('../dist/im-core.js');
  const held = [];
  const wsStatuses = await pool(sockets, 100, async () => {
    const { status, ws } = await openSocket(server.wsUrl, ATTACKER_IP);
    if (ws) held.push(ws);
    return status;
  });
  const agent = new Agent({ keepAlive: true, maxSockets: 100, localAddress: POLL_ATTACKER_IP });
  const pollStatuses = await pool(channels, 100, () => openPollChannel(server, agent));
  const { unauthenticated } = await api(server.baseUrl, 'GET', '/api/metrics');
  const signIn = async (transport) => {
    const started = performance.now();
    const client = new IMClient({
      url: server.wsUrl, token: await tokenFor(server, `real-${transport}-${round}`), WebSocket, platform: 'node',
      transports: [transport], reconnect: { enabled: false },
    });
    try {
      await Promise.race([client.connect(), sleep(30_000).then(() => { throw new Error('no answer in 30 s'); })]);
      return `${transport} client signed in in ${(performance.now() - started).toFixed(0)} ms`;
    } catch (error) {
      return `${transport} client did NOT sign in: ${error.message}`;
    } finally {
      await client.disconnect().catch(() => undefined);
    }
  };
  const real = [await signIn('websocket'), await signIn('polling')];
  for (const ws of held) ws.terminate();
  agent.destroy();
  return `${sockets} WebSockets: ${tally(wsStatuses)}; ${channels} POST /im/poll: ${tally(pollStatuses)}; `
    + `server counted ${unauthenticated} unauthenticated; ${real.join('; ')}`;
}

// (d) `conversations` queries listing 30,000 types, one after another.
async function queryCost(server, repeats) {
  const ws = await signedInSocket(server, 'lister');
  const types = Array.from({ length: 30_000 }, (_, i) => i + 1);
  const latencies = [];
  const codes = new Map();
  for (let q = 1; q <= repeats; q++) {
    const started = performance.now();
    ws.send(queryFrame(q, 'conversations', im.ConversationListRequest, { types, count: 50 }));
    const ack = im.QueryAck.decode(await nextFrame(ws, QUERYACK, 60_000));
    latencies.push(performance.now() - started);
    codes.set(ack.code, (codes.get(ack.code) ?? 0) + 1);
  }
  ws.terminate();
  return `${repeats} queries of ${types.length} types (${queryFrame(0, 'conversations', im.ConversationListRequest, { types, count: 50 }).length} B each): `
    + `answer p50 ${ms(percentile(latencies, 50))} ms, max ${ms(Math.max(...latencies))} ms; codes ${[...codes].map(([c, n]) => `${n}× ${c}`).join(', ')}`;
}

async function main() {
  const timeout = setTimeout(() => {
    console.error(`bench:abuse: still running after ${GLOBAL_TIMEOUT_MS / 1000} s, giving up`);
    process.exit(1);
  }, GLOBAL_TIMEOUT_MS);
  timeout.unref();
  const server = await startServer();
  const canary = await startCanary(server);

  const rows = [];
  const outcomes = [];
  const run = async (name, attack) => {
    const { row, outcome } = await measured(name, server, canary, attack);
    rows.push(row);
    outcomes.push(`- ${name}: ${outcome}`);
  };
  await run('baseline (no attack)', async () => {
    await sleep(5000);
    return 'the canary alone for 5 s';
  });
  await run('(a) poison inbox', () => poisonInbox(server, 5));
  await run('(b) slow readers', () => slowReaders(server, 5, 10, 300));
  await run('(c) pre-auth flood', () => preAuthFlood(server, 3, 3000, 3000));
  await run('(d) 30,000-type query', () => queryCost(server, 100));

  const box = machine();
  console.log(`machine: ${box.cpu}, ${box.cores} cores, ${box.memory}, Node ${box.node}, ${box.os}`);
  console.log('command: node bench/abuse.mjs (server: node dist/im-server.js with its default limits)\n');
  console.log(table(['attack', 'seconds', 'RSS before MB', 'RSS peak MB', 'canary queries', 'failed', 'p50 ms', 'p99 ms', 'max ms'], rows, 1));
  console.log(`\n${outcomes.join('\n')}`);
}

if (process.argv.includes('--canary')) {
  await runCanary();
} else {
  try {
    await main();
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  }
  process.exit(0);
}
