#!/usr/bin/env node
/**
 * bench:chaos — delivery through faults and server crashes, and what it costs, against a run
 * without faults measured in the same process.
 *
 *   npm run bench:chaos                 # builds dist/ (the server runs from it), then this file
 *   node --import tsx bench/chaos.mjs --users 16 --messages 250 --window 8 --kills 3 --seed 42
 *
 * The scenario is test/server/chaos.test.ts's (test/helpers/chaos-run.ts), bigger: `--users`
 * users in a ring, each talking privately to both neighbours and in one group of everyone; user 0
 * has a second device; every device sends `--messages` messages (a third to the group) keeping
 * `--window` unresolved. Clients are IMClients from src/ (through tsx), the server is
 * `node dist/im-server.js --heartbeat 2 --rate-limit 0` in a child process, and between them a
 * TCP proxy draws per-connection faults from a seeded PRNG: cuts mid-frame, RSTs, stalls of up to
 * 1.5 s, black holes until a heartbeat gives up. The server is SIGKILLed and restarted `--kills`
 * times at even steps of the acknowledged count, and the whole network freezes once for 3 s.
 *
 * Each transport (WebSocket, long-polling) runs twice: `chaos` as above, and `baseline` with no
 * faults, no kills and no freeze. Figures:
 *   delivered   distinct expected deliveries / expected (every member's every device but the sender's)
 *   lost, duplicated, out of order   receipts missing, repeated (by payload or messageUid), or with a
 *               seq not above the previous one of that conversation on that device; plus stored
 *               history checked per conversation (each payload once, seq 1..n, sender order)
 *   faults      cuts + resets + stalls + black holes the proxy injected (breakdown below the table)
 *   reconnect   client `disconnect` → `reconnect` event, every occurrence on every device, p50/p99;
 *               each run ends with one cut of every connection (then a sync barrier), so the
 *               baseline has reconnects too
 *   msgs/s      acknowledged sends / (first send → last acknowledgement)
 *
 * A benchmark, not a test: it asserts nothing about timing. It exits 1 when anything was lost,
 * duplicated, reordered, rejected or stored wrong.
 */
import { randomInt } from 'node:crypto';
import { parseArgs } from 'node:util';
import { machine, table } from './report.mjs';
import { runChaos, percentile } from '../test/helpers/chaos-run.ts';
import { NO_FAULTS } from '../test/helpers/fault-proxy.ts';

const FAULTS = {
  cut: 0.25, reset: 0.15, stall: 0.25, blackhole: 0.05,
  bytes: [200, 32 * 1024], stallMs: [50, 1500],
};

function usage(message) {
  if (message) process.stderr.write(`bench:chaos: ${message}\n`);
  process.stderr.write('usage: node --import tsx bench/chaos.mjs [--users N] [--messages N] [--window N] [--kills N] '
    + '[--seed N] [--transports websocket,polling] [--cluster]\n');
  process.exit(message ? 2 : 0);
}

function options() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        users: { type: 'string' }, messages: { type: 'string' }, window: { type: 'string' }, kills: { type: 'string' },
        seed: { type: 'string' }, transports: { type: 'string' }, cluster: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    usage(error.message);
  }
  if (values.help) usage();
  const int = (name, fallback, min, max) => {
    if (values[name] === undefined) return fallback;
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < min || n > max) usage(`--${name} must be an integer from ${min} to ${max}`);
    return n;
  };
  const transports = (values.transports ?? 'websocket,polling').split(',');
  if (transports.some((t) => t !== 'websocket' && t !== 'polling')) usage('--transports takes websocket and/or polling');
  return {
    users: int('users', 16, 3, 500),
    messages: int('messages', 250, 3, 100_000),
    window: int('window', 8, 1, 1000),
    kills: int('kills', 3, 0, 20),
    seed: int('seed', randomInt(1, 2 ** 31), 1, 2 ** 31),
    transports,
    cluster: values.cluster ?? false,
  };
}

const fmt = (n, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : 'n/a');

/** Prints what went wrong in a run (rejected, lost, duplicated, reordered, stored wrong); true when anything did. */
function reportProblems(result, log) {
  const problems = result.rejected.length + result.unresolved + result.lost + result.duplicated + result.unexpected
    + result.outOfOrder + result.historyProblems.length;
  for (const line of [...result.rejected.slice(0, 10), ...result.historyProblems.slice(0, 10), result.lostReport].filter(Boolean)) log(`    ! ${line}`);
  return problems > 0;
}

function failRun(seed, log) {
  log('');
  log(`delivery was broken in at least one run (seed ${seed}): exit code 1`);
  process.exitCode = 1;
}

/**
 * --cluster: the same load on 1, 2 and 3 nodes sharing one PostgreSQL database and one Redis
 * (no faults), then on 3 nodes with cluster faults: what a node costs, and whether delivery
 * holds when a node is SIGKILLed, Redis restarts, pub/sub connections and PostgreSQL backends are cut.
 */
async function cluster(opts, log) {
  const devices = opts.users + 1;
  const total = devices * opts.messages;
  const at = (share) => Math.round(total * share);
  const events = [
    { afterAcked: at(0.1), fault: { kind: 'kill-pubsub' } },
    { afterAcked: at(0.25), fault: { kind: 'kill-node', node: 1 } },
    { afterAcked: at(0.45), fault: { kind: 'terminate-pg' } },
    { afterAcked: at(0.6), fault: { kind: 'restart-redis' } },
    { afterAcked: at(0.75), fault: { kind: 'kill-node', node: 2 } },
  ];
  log(`load:    ${opts.users} users (${devices} devices) spread over the nodes, ${opts.messages} msgs per device = ${total} per run, window ${opts.window}`);
  const rows = [];
  let broken = false;
  for (const [nodes, chaos] of [[1, false], [2, false], [3, false], [3, true]]) {
    const result = await runChaos({
      transport: 'websocket', users: opts.users, messagesPerDevice: opts.messages, window: opts.window, killAfterAcked: [],
      faults: NO_FAULTS, seed: opts.seed, heartbeatSeconds: 2, requestTimeoutMs: 3000, reconnect: { minDelay: 50, maxDelay: 500 },
      sendDeadlineMs: 300_000, deliveryDeadlineMs: 60_000, cluster: { nodes, events: chaos ? events : [] },
    });
    if (reportProblems(result, log)) broken = true;
    const deliveriesPerSecond = (result.delivered / result.deliverMs) * 1000;
    log(`  ${nodes} node(s) ${chaos ? 'chaos' : 'clean'}: ${result.acked} acked, ${result.delivered}/${result.expectedDeliveries} delivered`);
    rows.push([nodes, chaos ? result.clusterFaults.join(', ') : 'none', `${result.delivered}/${result.expectedDeliveries}`, result.lost,
      result.duplicated + result.unexpected, result.outOfOrder, result.historyProblems.length, fmt((result.acked / result.sendMs) * 1000),
      fmt(deliveriesPerSecond), chaos ? 'n/a' : fmt(result.serverCpuSeconds, 2),
      chaos ? 'n/a' : fmt(result.acked / result.serverCpuSeconds), chaos ? 'n/a' : fmt(result.delivered / result.serverCpuSeconds)]);
  }
  log('');
  log(table(['nodes', 'faults', 'delivered', 'lost', 'duplicated', 'out of order', 'history errors', 'msgs/s', 'deliveries/s',
    'node CPU s', 'msgs per CPU-s', 'deliveries per CPU-s'], rows));
  log('');
  log('node CPU s: user + system CPU of the server nodes from the first send to the last delivery (PostgreSQL and Redis not included);');
  log('per CPU-s figures are left out of the chaos run, where killed nodes take their CPU counters with them.');
  if (broken) failRun(opts.seed, log);
}

async function main() {
  const opts = options();
  if (opts.cluster) {
    const log = (text) => process.stdout.write(`${text}\n`);
    const m = machine();
    log('bench:chaos --cluster — one to three server nodes on one PostgreSQL and one Redis, then cluster faults');
    log(`machine: ${m.cpu}, ${m.cores} cores, ${m.memory} RAM, node ${m.node}, ${m.os}`);
    log(`command: node --import tsx bench/chaos.mjs ${process.argv.slice(2).join(' ')}`);
    await cluster(opts, log);
    return;
  }
  const log = (text) => process.stdout.write(`${text}\n`);
  const m = machine();
  const command = process.env.npm_lifecycle_event === 'bench:chaos'
    ? `npm run bench:chaos${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`
    : `node --import tsx bench/chaos.mjs${process.argv.length > 2 ? ` ${process.argv.slice(2).join(' ')}` : ''}`;
  const devices = opts.users + 1;
  const total = devices * opts.messages;
  const killAfterAcked = Array.from({ length: opts.kills }, (_, i) => Math.round(((i + 1) * total) / (opts.kills + 2)));
  log('bench:chaos — delivery through a fault-injecting proxy and SIGKILL restarts, vs the same run without faults');
  log(`machine: ${m.cpu}, ${m.cores} cores, ${m.memory} RAM, node ${m.node}, ${m.os}`);
  log(`command: ${command}`);
  log(`load:    ${opts.users} users (${devices} devices), ${opts.messages} msgs per device = ${total} per run, window ${opts.window}; `
    + `chaos: ${opts.kills} SIGKILLs (after ${killAfterAcked.join(', ') || '-'} acked), one 3 s network freeze, seed ${opts.seed}`);

  const rows = [];
  const faultRows = [];
  const ratioRows = [];
  let broken = false;
  for (const transport of opts.transports) {
    const runs = {};
    for (const mode of ['baseline', 'chaos']) {
      const chaos = mode === 'chaos';
      const started = Date.now();
      const result = await runChaos({
        transport, users: opts.users, messagesPerDevice: opts.messages, window: opts.window,
        killAfterAcked: chaos ? killAfterAcked : [], faults: chaos ? FAULTS : NO_FAULTS,
        freeze: chaos ? { afterAcked: Math.round(total * 0.55), ms: 3000 } : undefined,
        seed: opts.seed, heartbeatSeconds: 2, requestTimeoutMs: 3000, reconnect: { minDelay: 50, maxDelay: 500 },
        sendDeadlineMs: 300_000, deliveryDeadlineMs: 60_000,
      });
      runs[mode] = result;
      log(`  ${transport.padEnd(9)} ${mode.padEnd(8)} ${result.acked}/${result.sent} acked, `
        + `${result.delivered}/${result.expectedDeliveries} delivered, ${((Date.now() - started) / 1000).toFixed(1)} s`);
      const f = result.faults;
      const faults = f.cuts + f.resets + f.stalls + f.blackholes;
      if (reportProblems(result, log)) broken = true;
      rows.push([
        transport, mode, result.sent, `${result.delivered}/${result.expectedDeliveries}`, result.lost, result.duplicated + result.unexpected,
        result.outOfOrder, result.historyProblems.length, faults, result.kills, result.reconnectMs.length,
        fmt(percentile(result.reconnectMs, 50)), fmt(percentile(result.reconnectMs, 99)), fmt((result.acked / result.sendMs) * 1000),
      ]);
      if (chaos) {
        faultRows.push([transport, f.connections, f.cuts, f.resets, f.stalls, f.blackholes, result.freezes, f.refused, f.cutAll,
          fmt(f.bytes / 2 ** 20, 1)]);
      }
    }
    ratioRows.push([transport, 'chaos / baseline', `${fmt((runs.chaos.acked / runs.chaos.sendMs) / (runs.baseline.acked / runs.baseline.sendMs), 2)}×`]);
  }

  log('');
  log(table(['transport', 'run', 'sent', 'delivered', 'lost', 'duplicated', 'out of order', 'history errors', 'faults', 'kills',
    'reconnects', 'reconnect p50 ms', 'reconnect p99 ms', 'msgs/s'], rows));
  log('');
  log(table(['transport', 'connections', 'cuts', 'resets', 'stalls', 'black holes', 'freezes', 'refused (server down)', 'cut at end',
    'MiB proxied'], faultRows, 1));
  log('');
  log(table(['transport', 'ratio', 'msgs/s'], ratioRows));
  log('');
  log('delivered: distinct expected deliveries / expected. duplicated counts repeats and deliveries to a device that should not get them.');
  log('reconnect: disconnect -> reconnect event per client. msgs/s: acknowledged sends / (first send -> last acknowledgement).');
  if (broken) failRun(opts.seed, log);
}

await main();
