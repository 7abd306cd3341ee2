#!/usr/bin/env node
/**
 * bench:chatroom — one chatroom with many members on loopback: messages per second delivered,
 * against two baselines measured in the same run, and what priorities do for slow consumers.
 *
 *   npm run bench:chatroom                      # builds dist/, then runs this file (with tsx)
 *   node --import tsx bench/chatroom.mjs --members 1000 --messages 200 --window 8 --slow 50
 *
 * Scenarios (the same members, raw protocol sockets in this process, one sender):
 *   chatroom   the sender sends --messages texts to the room (conversation type 4, live only);
 *              each is pushed to every other member.
 *   group      the same fan-out to a group of the same members (type 3: stored in SQLite, seq,
 *              unread), the server's ordinary path.
 *   bare ws    a plain `ws` server in a child process that forwards each message to every other
 *              socket and acks the sender: no protocol, no storage (a ceiling).
 *   slow       --slow members stop reading their sockets; the sender sends --slow-messages
 *              messages of --slow-bytes, priorities LOW, NORMAL, HIGH in turn. The server's drop
 *              counters (/api/metrics) tell what the slow ones lost by priority; the fast members
 *              must still get everything.
 * A scenario is done when every (fast) member got every message. msgs/s = deliveries / time
 * from the first send to the last delivery. The sender keeps --window sends in flight.
 * This is a benchmark: it asserts nothing about timing.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import WebSocket, { WebSocketServer } from 'ws';
import { machine, pool, table } from './report.mjs';
import { signApiRequest } from '../dist/im-server-api.js';
import { encodeFrame, decodeFrame, PROTOCOL_VERSION } from '../src/core/protocol/frames.ts';
import { FrameType } from '../src/core/protocol/codes.ts';

const HOST = '127.0.0.1';
const SELF = fileURLToPath(import.meta.url);
const APP_KEY = 'bench-key';
const APP_SECRET = 'bench-secret';
const ROOM = 'bench-room';
const GROUP = 'bench-group';
const CONTENT_START = Buffer.from('{"content":"');

function options() {
  const { values } = parseArgs({
    options: {
      members: { type: 'string', default: process.env.BENCH_MEMBERS ?? '1000' },
      messages: { type: 'string', default: process.env.BENCH_MESSAGES ?? '200' },
      window: { type: 'string', default: process.env.BENCH_WINDOW ?? '8' },
      bytes: { type: 'string', default: process.env.BENCH_BYTES ?? '100' },
      slow: { type: 'string', default: process.env.BENCH_SLOW ?? '50' },
      observers: { type: 'string', default: process.env.BENCH_OBSERVERS ?? '100' },
      'slow-messages': { type: 'string', default: process.env.BENCH_SLOW_MESSAGES ?? '900' },
      'slow-bytes': { type: 'string', default: process.env.BENCH_SLOW_BYTES ?? '8000' },
      'max-queued-bytes': { type: 'string', default: process.env.BENCH_MAX_QUEUED_BYTES ?? '1048576' },
      timeout: { type: 'string', default: process.env.BENCH_TIMEOUT ?? '180' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write('node --import tsx bench/chatroom.mjs [--members N] [--messages N] [--window N] [--bytes N] [--slow N] [--observers N]\n'
      + '  [--slow-messages N] [--slow-bytes N] [--max-queued-bytes N] [--timeout SECONDS]\n');
    process.exit(0);
  }
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, Number(value)]));
}

const children = new Set();
process.on('exit', () => { for (const child of children) child.kill('SIGKILL'); });

async function spawnNode(args) {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  const firstLine = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`exited (${code}):\n${stderr}`)));
  });
  return { child, firstLine, stop: () => new Promise((resolve) => { child.once('exit', resolve); child.kill('SIGTERM'); }) };
}

async function api(baseUrl, method, path, body) {
  const text = body === undefined ? undefined : JSON.stringify(body);
  const response = await fetch(`${baseUrl}${path}`, {
    method, headers: { 'content-type': 'application/json', ...signApiRequest({ appKey: APP_KEY, appSecret: APP_SECRET, method, path, body: text }) }, body: text,
  });
  const json = await response.json();
  if (response.status !== 200) throw new Error(`${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

function open(url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

/** A protocol member: connected, in the room; counts text messages by scenario tag. */
async function member(wsUrl, token, index) {
  const ws = await open(wsUrl);
  const counts = new Map();
  let onCount = () => {};
  const waiters = new Map();
  ws.on('message', (data) => {
    // A pushed text is counted without decoding it (decoding a million of them would make this
    // process the bottleneck): its content starts with {"content":"<tag>.
    if (data[0] >> 4 === FrameType.PUBLISH) {
      const at = data.indexOf(CONTENT_START);
      if (at < 0) return;
      const tag = String.fromCharCode(data[at + CONTENT_START.length]);
      counts.set(tag, (counts.get(tag) ?? 0) + 1);
      onCount(tag);
      return;
    }
    const decoded = decodeFrame(new Uint8Array(data));
    if (!decoded.ok) return;
    const { type, body } = decoded.frame;
    if (type === FrameType.CONNACK || type === FrameType.QUERYACK || type === FrameType.PUBACK) {
      const key = type === FrameType.CONNACK ? 0 : body.requestId;
      waiters.get(`${type}:${key}`)?.(body);
    }
  });
  const ask = (type, key, frame) => new Promise((resolve, reject) => {
    waiters.set(`${type}:${key}`, (body) => (body.code === 0 ? resolve(body) : reject(new Error(`code ${body.code}`))));
    ws.send(encodeFrame(frame));
  });
  await ask(FrameType.CONNACK, 0, { type: FrameType.CONNECT, body: { protocolVersion: PROTOCOL_VERSION, token, deviceId: `m${index}`, platform: 'bench' } });
  await ask(FrameType.QUERYACK, 1, { type: FrameType.QUERY, body: { requestId: 1, topic: 'room.join', body: new TextEncoder().encode(JSON.stringify({ roomId: ROOM, count: -1 })) } });
  let requestId = 10;
  return {
    ws, counts, index,
    query(topic, body) {
      const id = requestId++;
      return ask(FrameType.QUERYACK, id, { type: FrameType.QUERY, body: { requestId: id, topic, body: new TextEncoder().encode(JSON.stringify(body)) } });
    },
    set onCount(handler) { onCount = handler; },
    publish(conversationType, targetId, text, priority = 0) {
      const id = requestId++;
      return ask(FrameType.PUBACK, id, {
        type: FrameType.PUBLISH,
        body: {
          requestId: id,
          outgoing: {
            clientMsgId: `b${index}-${id}`, conversationType, targetId, objectName: 'RC:TxtMsg',
            content: new TextEncoder().encode(JSON.stringify({ content: text })), counted: conversationType !== 4, persisted: conversationType !== 4, priority,
          },
        },
      });
    },
  };
}

/** Sends `count` messages with at most `window` in flight; resolves when every send is acked. */
async function sendAll(count, window, send) {
  let next = 0;
  await Promise.all(Array.from({ length: window }, async () => {
    while (next < count) await send(next++);
  }));
}

/** Resolves once each of `receivers` counted `expected` messages of `tag` (or rejects at the deadline). */
function deliveries(receivers, tag, expected, deadline) {
  return new Promise((resolve, reject) => {
    let done = receivers.filter((r) => (r.counts.get(tag) ?? 0) >= expected).length;
    let last = performance.now();
    const timer = setTimeout(() => reject(new Error(`${tag}: ${done}/${receivers.length} receivers complete at the deadline`)), deadline - Date.now());
    if (done === receivers.length) { clearTimeout(timer); resolve(last); return; }
    for (const receiver of receivers) {
      receiver.onCount = (got) => {
        if (got !== tag) return;
        last = performance.now();
        if (receiver.counts.get(tag) === expected && ++done === receivers.length) {
          clearTimeout(timer);
          resolve(last);
        }
      };
    }
  });
}

const cpuMs = () => { const { user, system } = process.cpuUsage(); return (user + system) / 1000; };

async function main() {
  const opts = options();
  const deadline = Date.now() + opts.timeout * 1000;
  const hard = setTimeout(() => { process.stderr.write('bench:chatroom: timed out\n'); process.exit(1); }, opts.timeout * 1000 + 5000);
  hard.unref();
  const dataDir = mkdtempSync(join(os.tmpdir(), 'im-bench-room-'));
  const server = await spawnNode([new URL('../dist/im-server.js', import.meta.url).pathname, '--port', '0', '--host', HOST, '--data', dataDir,
    '--app-key', APP_KEY, '--app-secret', APP_SECRET, '--rate-limit', '0', '--query-rate-limit', '0',
    '--max-unauthenticated-per-ip', String(opts.members + 10), '--max-queued-bytes', String(opts['max-queued-bytes'])]);
  const match = /^im-server listening on (http:\/\/([^\s/]+):(\d+))$/.exec(server.firstLine);
  const baseUrl = match[1];
  const wsUrl = `ws://${match[2]}:${match[3]}/im`;
  const rows = [];
  try {
    const userIds = Array.from({ length: opts.members }, (_, i) => `room-u${i}`);
    const tokens = await pool(opts.members, 16, async (i) => (await api(baseUrl, 'POST', '/api/user/token', { userId: userIds[i] })).token);
    await api(baseUrl, 'POST', '/api/group/create', { groupId: GROUP, groupName: GROUP, userIds: userIds.slice(0, 1000) });
    if (opts.members > 1000) await api(baseUrl, 'POST', '/api/group/join', { groupId: GROUP, userIds: userIds.slice(1000) });
    const joinStart = performance.now();
    const members = await pool(opts.members, 20, (i) => member(wsUrl, tokens[i], i));
    const joinMs = performance.now() - joinStart;
    const [sender, ...receivers] = members;
    const padding = 'x'.repeat(Math.max(0, opts.bytes - 20));

    const run = async (name, tag, send) => {
      const cpu = cpuMs();
      const start = performance.now();
      const done = deliveries(receivers, tag, opts.messages, deadline);
      await sendAll(opts.messages, opts.window, send);
      const end = await done;
      const seconds = (end - start) / 1000;
      const delivered = receivers.reduce((sum, r) => sum + (r.counts.get(tag) ?? 0), 0);
      rows.push({ name, delivered, expected: opts.messages * receivers.length, rate: delivered / seconds, seconds, benchCpu: (cpuMs() - cpu) / (end - start) * 100 });
    };
    // Warm-up (not measured): both paths once, so that neither pays for the first compilations.
    for (const [tag, type, target] of [['a', 4, ROOM], ['b', 3, GROUP]]) {
      const warm = deliveries(receivers, tag, 20, deadline);
      await sendAll(20, opts.window, (i) => sender.publish(type, target, `${tag}${i}:${padding}`));
      await warm;
    }
    await run('chatroom (type 4, live)', 'r', (i) => sender.publish(4, ROOM, `r${i}:${padding}`));
    await run('group (type 3, stored)', 'g', (i) => sender.publish(3, GROUP, `g${i}:${padding}`));

    // The bare ws broadcast, with the same number of sockets in this process.
    const relay = await spawnNode(['--import', 'tsx', SELF, '--relay-child']);
    const relayUrl = `ws://${HOST}:${/(\d+)$/.exec(relay.firstLine)[1]}`;
    const raw = await pool(opts.members, 20, async () => {
      const ws = await open(relayUrl);
      const counts = new Map();
      const entry = { ws, counts, onCount: () => {} };
      ws.on('message', (data) => {
        if (data.length <= 4) { entry.acked?.(data.readUInt32LE(0)); return; }
        counts.set('w', (counts.get('w') ?? 0) + 1);
        entry.onCount('w');
      });
      return entry;
    });
    {
      const [rawSender, ...rawReceivers] = raw;
      const acks = new Map();
      rawSender.acked = (id) => acks.get(id)?.();
      const cpu = cpuMs();
      const start = performance.now();
      const done = deliveries(rawReceivers, 'w', opts.messages, deadline);
      await sendAll(opts.messages, opts.window, (i) => new Promise((resolve) => {
        acks.set(i, resolve);
        const body = Buffer.from(`....{"content":"w${i}:${padding}"}`);
        body.writeUInt32LE(i, 0);
        rawSender.ws.send(body);
      }));
      const end = await done;
      const delivered = rawReceivers.reduce((sum, r) => sum + (r.counts.get('w') ?? 0), 0);
      rows.push({ name: 'bare ws broadcast', delivered, expected: opts.messages * rawReceivers.length, rate: delivered / ((end - start) / 1000), seconds: (end - start) / 1000, benchCpu: (cpuMs() - cpu) / (end - start) * 100 });
      for (const entry of raw) entry.ws.terminate();
      await relay.stop();
    }

    const m = machine();
    const room = rows[0];
    process.stdout.write(`\nbench:chatroom — ${opts.members} members (1 sender, ${receivers.length} receivers), ${opts.messages} messages of ~${opts.bytes} B, window ${opts.window}\n`);
    process.stdout.write(`machine: ${m.cpu}, ${m.cores} cores, ${m.memory}, Node ${m.node}, ${m.os}\n`);
    process.stdout.write(`command: node --import tsx bench/chatroom.mjs ${process.argv.slice(2).join(' ')}\n`);
    process.stdout.write(`${opts.members} members connected and joined in ${(joinMs / 1000).toFixed(1)} s\n\n`);
    process.stdout.write(`${table(['scenario', 'delivered', 'msgs/s', 'seconds', 'chatroom ÷ this', 'bench CPU %'], rows.map((row) => [
      row.name, `${row.delivered}/${row.expected}`, Math.round(row.rate).toLocaleString('en-US'), row.seconds.toFixed(2),
      (room.rate / row.rate).toFixed(2), Math.round(row.benchCpu),
    ]), 1)}\n\n`);

    // Slow consumers: some members stop reading; priorities decide what they lose.
    // The slow ones must be sent megabytes before the kernel's buffers are full and the server's
    // queue grows: so that this process can read what the others get, only --observers of the
    // fast members take the texts; the rest stay in the room (the fan-out still walks all of
    // them) with RC:TxtMsg filtered out (setFilterMessages).
    const slow = receivers.slice(0, opts.slow);
    const fast = receivers.slice(opts.slow, opts.slow + opts.observers);
    process.stderr.write('slow phase: filters…\n');
    await pool(receivers.length - opts.slow - opts.observers, 20, (i) => receivers[opts.slow + opts.observers + i].query('room.filter', { objectNames: ['RC:TxtMsg'] }));
    for (const s of slow) s.ws._socket.pause();
    const before = await api(baseUrl, 'GET', '/api/metrics');
    const bigPadding = 'x'.repeat(Math.max(0, opts['slow-bytes'] - 20));
    const priorities = [2, 0, 1]; // LOW, NORMAL, HIGH
    const tags = { 2: 'L', 0: 'N', 1: 'H' };
    const sent = { 2: 0, 0: 0, 1: 0 };
    process.stderr.write('slow phase: sending…\n');
    const start = performance.now();
    await sendAll(opts['slow-messages'], opts.window, (i) => {
      const priority = priorities[i % 3];
      sent[priority]++;
      return sender.publish(4, ROOM, `${tags[priority]}${i}:${bigPadding}`, priority);
    });
    // The end marker, HIGH: a member has everything it will ever get of the phase once it has this.
    process.stderr.write('slow phase: sent; waiting for the end marker…\n');
    const done = deliveries(fast, 'E', 1, deadline);
    await sender.publish(4, ROOM, 'E', 1);
    const end = await done;
    const after = await api(baseUrl, 'GET', '/api/metrics');
    const names = { 2: 'LOW', 0: 'NORMAL', 1: 'HIGH' };
    const counters = { 2: 'chatroomDroppedLow', 0: 'chatroomDroppedNormal', 1: 'chatroomDroppedHigh' };
    const disconnected = slow.filter((s) => s.ws.readyState !== WebSocket.OPEN).length;
    let fastTotal = 0;
    const priorityRows = [2, 0, 1].map((priority) => {
      const fastGot = fast.reduce((sum, r) => sum + (r.counts.get(tags[priority]) ?? 0), 0);
      fastTotal += fastGot;
      const fastLost = sent[priority] * fast.length - fastGot;
      const dropped = after[counters[priority]] - before[counters[priority]];
      return [names[priority], sent[priority], `${fastGot}/${sent[priority] * fast.length}`, dropped - fastLost,
        ((dropped - fastLost) / slow.length).toFixed(1), fastLost];
    });
    process.stdout.write(`slow consumers: ${slow.length} of ${receivers.length} members stop reading, ${fast.length} read everything, the other ${receivers.length - slow.length - fast.length} filter texts out; ${opts['slow-messages']} messages of ~${opts['slow-bytes']} B `
      + `(LOW/NORMAL/HIGH in turn), --max-queued-bytes ${opts['max-queued-bytes']} (LOW dropped past 1/4 of it, NORMAL past 1/2, HIGH kept up to it)\n\n`);
    process.stdout.write(`${table(['priority', 'sent', 'delivered to fast members', 'dropped for slow members', 'per slow member', 'dropped for fast members'], priorityRows, 1)}\n\n`);
    process.stdout.write(`fast members: ${Math.round(fastTotal / ((end - start) / 1000)).toLocaleString('en-US')} msgs/s delivered; `
      + `slow members disconnected at the hard cap: ${disconnected}\n`);
    for (const entry of members) entry.ws.terminate();
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  process.exit(0);
}

// ---- the bare ws broadcast (child process: node bench/chatroom.mjs --relay-child) ----
if (process.argv.includes('--relay-child')) {
  const wss = new WebSocketServer({ host: HOST, port: 0, perMessageDeflate: false });
  wss.on('connection', (ws) => {
    ws.on('message', (data) => {
      for (const other of wss.clients) if (other !== ws && other.readyState === WebSocket.OPEN) other.send(data);
      ws.send(data.subarray(0, 4)); // the ack: the message's 4-byte id
    });
  });
  wss.on('listening', () => process.stdout.write(`relay listening on ${wss.address().port}\n`));
} else {
  await main();
}
