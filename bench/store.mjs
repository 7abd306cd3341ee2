#!/usr/bin/env node
/**
 * bench:store — the embedded SQLite store alone, as the server uses it (a file, its writer thread
 * and its search thread), under a steady stream of appends: the store's own throughput, with no
 * sockets and no protocol, in two setups measured alternately in one run.
 *
 *   npm run bench:store
 *   node --import tsx bench/store.mjs --batches 400 --batch 50 --rounds 3
 *
 * Setups (SqliteStoreOptions.checkpoints):
 *   search-thread  the default: the search thread checkpoints the WAL after each catch-up; the
 *                  writer's commits only past the backstop
 *   commits        the baseline, SQLite's own: the commit that takes the WAL past 1,000 pages copies
 *                  it back, and the appends of that batch wait for it
 *
 * Load: `--batch` appends at once (private messages among 100 users, a small JSON text each,
 * clientMsgIds as the core makes them, contents as a socket read hands them over: Buffer views
 * into a larger buffer), the next batch
 * when all of them resolved (each resolved append is committed, fsync included), `--batches`
 * times per round after `--warmup` unmeasured batches, a fresh file per setup and round.
 * Figures: appends/s over the round, the time from a batch's calls to its last answer, and the
 * bytes the process wrote per append (the pages each commit writes: steady from run to run).
 *
 * A benchmark, not a test: it asserts nothing about timing.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { machine, table } from './report.mjs';
import { newClientMsgId } from '../src/core/client/client.ts';
import { SqliteChatStore } from '../src/server/storage/sqlite-store.ts';

const SETUPS = ['search-thread', 'commits'];
const USERS = 100;

function options() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        batches: { type: 'string' }, batch: { type: 'string' }, warmup: { type: 'string' }, rounds: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    usage(error.message);
  }
  if (values.help) usage();
  const int = (flag, fallback, min, max) => {
    const raw = values[flag];
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) usage(`--${flag} must be an integer from ${min} to ${max}`);
    return n;
  };
  return {
    batches: int('batches', 400, 1, 100_000), batch: int('batch', 50, 1, 10_000),
    warmup: int('warmup', 40, 0, 100_000), rounds: int('rounds', 3, 1, 100),
  };
}

function usage(error) {
  if (error) process.stderr.write(`${error}\n`);
  process.stderr.write('usage: node --import tsx bench/store.mjs [--batches N] [--batch N] [--warmup N] [--rounds N]\n');
  process.exit(error ? 2 : 0);
}

const encoder = new TextEncoder();
let sent = 0;

/** One private message as the server hands it to the store: its content a view into a larger read. */
function append(i) {
  const from = `u${i % USERS}`;
  const to = `u${(i % USERS) ^ 1}`;
  const bytes = encoder.encode(JSON.stringify({ content: JSON.stringify({ r: 1, s: performance.now(), f: i % USERS, k: i }) }));
  const read = Buffer.allocUnsafe(bytes.length + 64);
  read.set(bytes, 32);
  return {
    conversationKey: `1:${[from, to].sort().join(':')}`, conversationType: 1, senderUserId: from,
    clientMsgId: newClientMsgId(), objectName: 'RC:TxtMsg', content: read.subarray(32, 32 + bytes.length),
    counted: true, recipients: [from, to],
  };
}

/** Bytes this process has handed to write calls so far (every thread: the writer's WAL, checkpoints, the search file), or undefined off Linux. */
function bytesWritten() {
  try {
    return Number(/^wchar: (\d+)$/m.exec(readFileSync('/proc/self/io', 'utf8'))?.[1]);
  } catch {
    return undefined;
  }
}

async function run(setup, { batches, batch, warmup }) {
  const dir = mkdtempSync(join(tmpdir(), 'im-bench-store-'));
  const store = new SqliteChatStore(join(dir, 'im.sqlite'), { checkpoints: setup });
  try {
    const batchOf = () => Promise.all(Array.from({ length: batch }, () => store.appendMessage(append(sent++))));
    for (let b = 0; b < warmup; b++) await batchOf();
    const times = [];
    const writtenBefore = bytesWritten();
    const start = performance.now();
    for (let b = 0; b < batches; b++) {
      const begun = performance.now();
      await batchOf();
      times.push(performance.now() - begun);
    }
    const elapsed = performance.now() - start;
    const written = (bytesWritten() ?? NaN) - (writtenBefore ?? NaN);
    return { rate: (batches * batch) / (elapsed / 1000), times, writtenPerAppend: written / (batches * batch) };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

async function main() {
  const opts = options();
  const m = machine();
  console.log('bench:store — the SQLite store alone: checkpoints on the search thread vs on the commits, same run');
  console.log(`machine: ${m.cpu}, ${m.cores} cores, ${m.memory} RAM, node ${m.node}, ${m.os}`);
  console.log(`command: node --import tsx bench/store.mjs${process.argv.length > 2 ? ` ${process.argv.slice(2).join(' ')}` : ''}`);
  console.log(`load:    ${opts.batch} private appends at once, ${opts.batches} batches per round after ${opts.warmup} unmeasured, ${opts.rounds} rounds, setups alternating`);
  const results = Object.fromEntries(SETUPS.map((setup) => [setup, { rates: [], times: [], written: [] }]));
  for (let round = 1; round <= opts.rounds; round++) {
    // Alternating which goes first: a machine that slows down mid-round weighs on both.
    for (const setup of round % 2 ? SETUPS : [...SETUPS].reverse()) {
      const { rate, times, writtenPerAppend } = await run(setup, opts);
      results[setup].rates.push(rate);
      results[setup].times.push(...times);
      results[setup].written.push(writtenPerAppend);
      console.log(`  round ${round} ${setup.padEnd(13)} ${Math.round(rate).toLocaleString('en-US')} appends/s`);
    }
  }
  const rows = SETUPS.map((setup) => {
    const { rates, times, written } = results[setup];
    const sorted = [...times].sort((a, b) => a - b);
    const mean = rates.reduce((a, b) => a + b, 0) / rates.length;
    const writtenKb = written.reduce((a, b) => a + b, 0) / written.length / 1024;
    return { setup, mean, rates, p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), max: sorted.at(-1), writtenKb };
  });
  console.log();
  console.log(table(['setup', 'appends/s (mean)', 'each round', 'batch p50 ms', 'batch p99 ms', 'batch max ms', 'written KB/append'], rows.map((r) => [
    r.setup, Math.round(r.mean).toLocaleString('en-US'), r.rates.map((rate) => Math.round(rate).toLocaleString('en-US')).join(' · '),
    r.p50.toFixed(2), r.p99.toFixed(2), r.max.toFixed(2), Number.isNaN(r.writtenKb) ? 'n/a' : r.writtenKb.toFixed(1),
  ]), 1));
  console.log('written: bytes this process handed to write calls (the writer\'s WAL, checkpoints, the search file) per append.');
  const [ours, baseline] = rows;
  console.log();
  console.log(`search-thread / commits: throughput ${(ours.mean / baseline.mean).toFixed(2)}×, batch p99 ${(ours.p99 / baseline.p99).toFixed(2)}×`);
}

await main();
