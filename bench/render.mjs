#!/usr/bin/env node
/**
 * bench:render — opening and scrolling a conversation of 10,000 and 100,000 messages in
 * <im-message-list> (virtualized), against a naive list that puts every message in the DOM and
 * two real chat UIs (deep-chat 2.4.2's <deep-chat>, @chatscope/chat-ui-kit-react 2.1.1 on React
 * 19; bench/render-peers/, bundled with esbuild into a temporary directory at bench time),
 * measured in the same run in headless Chromium.
 *
 *   npm run bench:render                       # builds dist/, then runs this file
 *   node bench/render.mjs                      # builds only when dist/im-widget.iife.js is missing
 *   node bench/render.mjs --build --sizes 10000 --reps 5
 *   node bench/render.mjs --help
 *
 * For each size N and each list, a fresh browser context and page (bench/render-page.html, which
 * loads dist/im-widget.iife.js) builds the same N deterministic messages, then:
 *   store   times one receiveHistory of the N messages into a fresh ChatSession's store;
 *   open    appends the list and times until the end of the first frame that shows the newest
 *           message at the bottom: the median of up to --reps opens, each on a fresh session and
 *           element (fewer once the opens took --open-budget seconds: the naive list of 100,000
 *           opens once). Also Chromium's style and layout time, the elements and DOM nodes added,
 *           and the memory added (performance.measureUserAgentSpecificMemory: JS heap and DOM);
 *   read    scrolls up from the bottom by --read-step px per frame, --read-frames frames;
 *   jump    scrolls from the bottom to the top in --jump-steps equal steps, one per frame
 *           (like dragging the scrollbar's thumb across the whole history);
 * recording each frame's interval, its main-thread work, Chromium's style and layout time, and
 * (virtualized list) frames that showed the viewport not covered by rows. The naive list is the
 * same row markup and the same style sheets, rendered with plain DOM calls, all rows in normal
 * flow.
 *
 * Chromium is /usr/bin/chromium (playwright's library only; no browser download). The page is
 * served by a static server on 127.0.0.1 that serves just the files the page needs; requests
 * anywhere else are aborted. A first open over --open-cap seconds is reported as "did not open",
 * and each scroll pattern stops after --scroll-budget seconds: the peers of 100,000 are slow.
 *
 * This is a benchmark, not a test: it asserts nothing about timing. It exits non-zero only when
 * it cannot run (build or setup failure, a list that never shows its newest message, the global
 * timeout).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import os from 'node:os';
import { machine, table } from './report.mjs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const IIFE = `${ROOT}dist/im-widget.iife.js`;
const CHROMIUM = '/usr/bin/chromium';
const VIEWPORT = { width: 800, height: 700 };
/** The lists, in report order: im-message-list, the naive list, and two real peers (bench/render-peers/). */
const LISTS = ['virtual', 'naive', 'deep-chat', 'chatscope'];
const PEERS = ['deep-chat', 'chatscope'];
const LABELS = { virtual: 'im-message-list', naive: 'naive list', 'deep-chat': 'deep-chat 2.4.2', chatscope: 'chatscope 2.1.1' };

const HELP = `bench:render — im-message-list vs a naive list, deep-chat and chatscope: open and scroll, headless Chromium

  node bench/render.mjs [options]

  --build              run \`npm run build\` first (otherwise only when dist/im-widget.iife.js is missing)
  --sizes LIST         message counts, comma-separated (default 10000,100000)
  --reps N             opens per size and list; the figure is the median (default 5)
  --open-budget S      no further open once the opens of a list took S seconds (default 15)
  --read-step PX       px scrolled up per frame in the read pattern (default 60)
  --read-frames N      frames of the read pattern (default 240)
  --jump-steps N       steps from the bottom to the top in the jump pattern (default 60)
  --lists LIST         lists to run, comma-separated, of virtual,naive,deep-chat,chatscope (default all)
  --open-cap S         a first open that takes longer counts as "did not open within S s" (default 120)
  --scroll-budget S    a scroll pattern stops after S seconds, with the frames it ran (default 60)
  --timeout S          global timeout in seconds (default 1500)
  --no-gc              do not collect garbage before each scroll pattern (the patterns then also pay
                       for the garbage of the opens before them: see BENCHMARKS.md)
  --help               this text
`;

function options() {
  const { values } = parseArgs({
    options: {
      build: { type: 'boolean', default: false },
      sizes: { type: 'string', default: '10000,100000' },
      reps: { type: 'string', default: '5' },
      'open-budget': { type: 'string', default: '15' },
      'read-step': { type: 'string', default: '60' },
      'read-frames': { type: 'string', default: '240' },
      'jump-steps': { type: 'string', default: '60' },
      lists: { type: 'string', default: LISTS.join(',') },
      'open-cap': { type: 'string', default: '120' },
      'scroll-budget': { type: 'string', default: '60' },
      timeout: { type: 'string', default: '1500' },
      'no-gc': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(HELP);
    process.exit(0);
  }
  const usage = (message) => Object.assign(new Error(`${message} (--help for the options)`), { usage: true });
  const int = (name, min) => {
    const n = Number(values[name]);
    if (!Number.isInteger(n) || n < min) throw usage(`--${name} must be an integer ≥ ${min}`);
    return n;
  };
  const sizes = values.sizes.split(',').map((s) => Number(s.trim().replace(/_/g, '')));
  if (sizes.some((n) => !Number.isInteger(n) || n < 1)) throw usage('--sizes must be positive integers');
  const lists = values.lists.split(',').map((s) => s.trim());
  if (lists.length === 0 || lists.some((l) => !LISTS.includes(l))) throw usage(`--lists must be some of ${LISTS.join(',')}`);
  return {
    build: values.build,
    sizes,
    reps: int('reps', 1),
    openBudgetSeconds: int('open-budget', 0),
    readStep: int('read-step', 1),
    readFrames: int('read-frames', 1),
    jumpSteps: int('jump-steps', 1),
    lists: LISTS.filter((l) => lists.includes(l)),
    openCapSeconds: int('open-cap', 1),
    scrollBudgetSeconds: int('scroll-budget', 1),
    timeoutSeconds: int('timeout', 10),
    collectGarbage: !values['no-gc'],
  };
}

// ---- statistics and formatting ----

const sorted = (values) => [...values].sort((a, b) => a - b);
function percentile(values, p) {
  const s = sorted(values);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
}
const median = (values) => {
  const s = sorted(values);
  if (s.length === 0) return NaN;
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const fmt = (n, digits = 1) => (Number.isFinite(n) ? (Math.abs(n) < 0.5 * 10 ** -digits ? 0 : n).toFixed(digits) : 'n/a');
const fmtInt = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');
const fmtMs = (n) => (!Number.isFinite(n) ? 'n/a' : n >= 100 ? fmtInt(n) : fmt(n, 1));
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(a / b >= 100 ? 0 : a / b >= 10 ? 1 : 2)}×` : 'n/a');



// ---- the peers: bundled with esbuild into a temporary directory, for this run only ----

/** Bundles bench/render-peers/<name>.js (and its CSS) for each peer in `lists`; returns the directory. */
async function buildPeers(lists) {
  const peers = PEERS.filter((name) => lists.includes(name));
  if (peers.length === 0) return undefined;
  const { build } = await import('esbuild');
  const dir = mkdtempSync(`${os.tmpdir()}/bench-render-peers-`);
  await build({
    entryPoints: peers.map((name) => `${ROOT}bench/render-peers/${name}.js`),
    bundle: true, format: 'iife', outdir: dir, minify: true, target: 'es2022', logLevel: 'warning',
    define: { 'process.env.NODE_ENV': '"production"' },
  });
  return dir;
}

// ---- the static server: the page, the widget, the peers' bundles; read-only, loopback ----

function startServer(peerDir) {
  const files = new Map([
    ['/bench/render-page.html', { path: `${ROOT}bench/render-page.html`, type: 'text/html; charset=utf-8' }],
    ['/dist/im-widget.iife.js', { path: IIFE, type: 'text/javascript; charset=utf-8' }],
  ]);
  if (peerDir) {
    for (const name of PEERS) {
      files.set(`/peers/${name}.js`, { path: `${peerDir}/${name}.js`, type: 'text/javascript; charset=utf-8' });
      files.set(`/peers/${name}.css`, { path: `${peerDir}/${name}.css`, type: 'text/css; charset=utf-8' });
    }
  }
  const server = createServer((request, response) => {
    const file = files.get(new URL(request.url ?? '/', 'http://127.0.0.1').pathname);
    if ((request.method !== 'GET' && request.method !== 'HEAD') || !file) {
      response.writeHead(request.method === 'GET' || request.method === 'HEAD' ? 404 : 405).end();
      return;
    }
    let body;
    try {
      body = readFileSync(file.path);
    } catch {
      response.writeHead(404).end();
      return;
    }
    // Cross-origin isolated, for performance.measureUserAgentSpecificMemory().
    response.writeHead(200, {
      'content-type': file.type, 'content-length': body.length, 'cache-control': 'no-store',
      'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp',
    });
    response.end(request.method === 'HEAD' ? undefined : body);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

// ---- one list, one size: a fresh context and page ----

const MB = 2 ** 20;

async function measure(browser, origin, opts, n, variant, deadline) {
  const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1, locale: 'en-US', timezoneId: 'UTC' });
  try {
    // Nothing leaves the machine: deep-chat asks Google Fonts for a font, for one.
    await context.route((url) => url.origin !== origin, (route) => route.abort());
    const page = await context.newPage();
    const pageErrors = [];
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    const metrics = async () => Object.fromEntries((await cdp.send('Performance.getMetrics')).metrics.map((m) => [m.name, m.value]));
    const spent = (before, after) => ({
      styleMs: (after.RecalcStyleDuration - before.RecalcStyleDuration) * 1000,
      layoutMs: (after.LayoutDuration - before.LayoutDuration) * 1000,
    });
    const memory = () => page.evaluate(() => window.renderBench.memory());
    const remaining = () => Math.max(1000, deadline - Date.now());
    page.setDefaultTimeout(remaining());

    await page.goto(`${origin}/bench/render-page.html`);
    if (!(await page.evaluate(() => typeof window.renderBench === 'object'))) {
      throw new Error(`the bench page did not load: ${pageErrors.join('; ') || 'no renderBench'}`);
    }
    await page.evaluate((count) => window.renderBench.prepare(count), n);

    // Opens: --reps of them, fewer when they take long (the naive list of 100,000 takes a minute
    // or more here): no new open once the opens so far took --open-budget seconds. A first open
    // that takes longer than --open-cap seconds ends this list's measurement: "did not open".
    const opens = [];
    let openTotal = 0;
    const cap = opts.openCapSeconds * 1000;
    while (opens.length < opts.reps && (opens.length === 0 || openTotal < opts.openBudgetSeconds * 1000)) {
      if (opens.length > 0) await page.evaluate(() => window.renderBench.close());
      const store = await page.evaluate(() => window.renderBench.fillStore());
      const memoryBefore = await memory();
      const before = await metrics();
      const limit = Math.min(cap, remaining());
      let timer;
      const open = await Promise.race([
        page.evaluate(([v, timeout]) => window.renderBench.open(v, timeout), [variant, limit]).catch((error) => {
          if (/did not show within/.test(String(error))) return undefined;
          throw error;
        }),
        // A peer's open can be one long task: the page cannot time itself out of it.
        new Promise((resolve) => { timer = setTimeout(resolve, limit + 5000); }),
      ]).finally(() => clearTimeout(timer));
      if (!open) {
        if (opens.length === 0) return { n, variant, failed: `did not open within ${Math.round(limit / 1000)} s` };
        break;
      }
      const after = await metrics();
      const memoryAfter = await memory();
      openTotal += open.ms;
      opens.push({
        storeMs: store.ms,
        ...open,
        ...spent(before, after),
        memoryMB: (memoryAfter.bytes - memoryBefore.bytes) / MB,
        domMB: (memoryAfter.dom - memoryBefore.dom) / MB,
        nodes: after.Nodes - before.Nodes,
      });
    }

    // The last open stays for the scroll patterns; each starts at the bottom. Each pattern stops
    // after --scroll-budget seconds (the peers of 100,000 take seconds per frame).
    const toBottom = () => page.evaluate(() => window.renderBench.toBottom());
    const scroll = async (step, frames) => {
      // The opens before a pattern built and dropped whole stores (five of 100,000 messages): a
      // major collection of that garbage would land in the pattern's frames, whichever list runs.
      if (opts.collectGarbage) await cdp.send('HeapProfiler.collectGarbage');
      const before = await metrics();
      const run = await page.evaluate(([s, f, b]) => window.renderBench.scroll(s, f, b), [step, frames, opts.scrollBudgetSeconds * 1000]);
      return { ...run, step, ...spent(before, await metrics()) };
    };
    await toBottom();
    const read = await scroll(opts.readStep, opts.readFrames);
    const bottom = await toBottom();
    // Up to twice the steps: the virtualized list's height changes as rows get measured.
    const jump = await scroll(Math.ceil(bottom.max / opts.jumpSteps), opts.jumpSteps * 2);
    await page.evaluate(() => window.renderBench.close());
    if (pageErrors.length > 0) throw new Error(`errors in the page: ${pageErrors.join('; ')}`);
    return { n, variant, opens, read, jump };
  } finally {
    await context.close().catch(() => undefined);
  }
}

/** An animation frame that took longer than one 16.7 ms vsync interval (intervals are multiples of it, with jitter). */
const LATE = 20;

function summarizeScroll(run) {
  const { intervals, work } = run;
  return {
    frames: intervals.length,
    step: run.step,
    p50: percentile(intervals, 0.5),
    p95: percentile(intervals, 0.95),
    max: Math.max(...intervals),
    late: intervals.filter((ms) => ms > LATE).length,
    over50: intervals.filter((ms) => ms > 50).length,
    workP50: percentile(work, 0.5),
    workP95: percentile(work, 0.95),
    workMax: Math.max(...work),
    layoutPerFrame: run.layoutMs / Math.max(1, intervals.length),
    stylePerFrame: run.styleMs / Math.max(1, intervals.length),
    blank: run.blank,
    endTop: run.endTop,
  };
}

function summarize(result) {
  if (result.failed) return result;
  const byOpen = [...result.opens].sort((a, b) => a.ms - b.ms);
  return {
    ...result,
    storeMs: median(result.opens.map((o) => o.storeMs)),
    openMs: median(result.opens.map((o) => o.ms)),
    openMin: byOpen[0].ms,
    openMax: byOpen.at(-1).ms,
    openFirst: result.opens[0].ms,
    stays: result.opens.every((o) => o.stays),
    /** The median open (the lower middle one for an even count), for its style and layout time. */
    mid: byOpen[(byOpen.length - 1) >> 1],
    /** Memory added, median over the opens (one open's figure can be off by what a GC freed meanwhile). */
    memoryMB: median(result.opens.map((o) => o.memoryMB)),
    domMB: median(result.opens.map((o) => o.domMB)),
    readSummary: summarizeScroll(result.read),
    jumpSummary: summarizeScroll(result.jump),
  };
}

// ---- main ----

/** Set once the global timeout or a signal has stopped the run: later errors are its echoes. */
let failing = false;

async function main() {
  const opts = options();
  const started = Date.now();
  const deadline = started + opts.timeoutSeconds * 1000;
  const log = (text) => process.stdout.write(`${text}\n`);
  const note = (text) => process.stderr.write(`${text}\n`);
  let browser;
  let server;
  let peerDir;
  const cleanup = async () => {
    await browser?.close().catch(() => undefined);
    if (server) await new Promise((resolve) => server.close(() => resolve()));
    if (peerDir) rmSync(peerDir, { recursive: true, force: true });
  };
  const fail = (message) => {
    failing = true;
    note(`bench:render: ${message}`);
    setTimeout(() => process.exit(1), 5000).unref();
    cleanup().finally(() => process.exit(1));
  };
  const globalTimer = setTimeout(() => fail(`global timeout of ${opts.timeoutSeconds} s reached`), opts.timeoutSeconds * 1000);
  process.once('SIGINT', () => fail('interrupted'));
  process.once('SIGTERM', () => fail('terminated'));

  try {
    if (opts.build || !existsSync(IIFE)) {
      note('bench:render: npm run build …');
      const built = spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 2, 2], timeout: Math.max(1000, deadline - Date.now()) });
      if (built.status !== 0) throw new Error(`npm run build failed (${built.error?.message ?? `exit ${built.status}`})`);
    }
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found`);

    // Imported here, so that --help and a failed build never load playwright.
    const { chromium } = await import('playwright');
    peerDir = await buildPeers(opts.lists);
    server = await startServer(peerDir);
    const origin = `http://127.0.0.1:${server.address().port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
        '--enable-blink-features=ForceEagerMeasureMemory'],
      timeout: 30_000,
    });

    const m = machine();
    const args = process.argv.slice(2);
    const command = process.env.npm_lifecycle_event === 'bench:render'
      ? `npm run bench:render${args.length ? ` -- ${args.join(' ')}` : ''}`
      : `node bench/render.mjs${args.length ? ` ${args.join(' ')}` : ''}`;
    log(`bench:render — im-message-list (virtualized) vs ${opts.lists.filter((l) => l !== 'virtual').map((l) => LABELS[l]).join(', ')}: the same messages, same run`);
    log(`machine:  ${m.cpu}, ${m.cores} cores, ${m.memory} RAM, node ${m.node}, ${m.os}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    log(`browser:  Chromium ${browser.version()} (${CHROMIUM}, headless, --disable-gpu), viewport ${VIEWPORT.width}×${VIEWPORT.height}`);
    log(`command:  ${command}`);
    log(`messages: ${opts.sizes.map(fmtInt).join(' and ')}; private conversation, 2 senders, 1–120 words, 1 in 8 multi-line, a new day every 500`);
    log(`patterns: open = median of up to ${opts.reps} opens (${opts.openBudgetSeconds} s budget per list, a first open over ${opts.openCapSeconds} s is given up); `
      + `read = ${opts.readFrames} frames × ${opts.readStep} px up from the bottom; jump = bottom to top in ${opts.jumpSteps} steps, one per frame; `
      + `each pattern stops after ${opts.scrollBudgetSeconds} s; ${opts.collectGarbage ? 'garbage collected before each pattern' : 'no garbage collection before the patterns (--no-gc)'}`);
    log('');

    const results = [];
    for (const n of opts.sizes) {
      for (const variant of opts.lists) {
        const t0 = Date.now();
        const result = summarize(await measure(browser, origin, opts, n, variant, deadline));
        results.push(result);
        if (result.failed) {
          note(`  ${fmtInt(n)} ${variant}: ${result.failed} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
          continue;
        }
        note(`  ${fmtInt(n)} ${variant}: open ${result.opens.map((o) => fmtMs(o.ms)).join(', ')} ms; read p95 ${fmtMs(result.readSummary.p95)} ms, `
          + `jump p95 ${fmtMs(result.jumpSummary.p95)} ms (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
      }
    }
    report(log, opts, results);
    log('');
    log(`total ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    clearTimeout(globalTimer);
    await cleanup();
  }
}

function report(log, opts, results) {
  const label = (v) => LABELS[v];
  const ok = results.filter((r) => !r.failed);
  log('open (ms to the first frame showing the newest message; style, layout, elements and nodes of the median open; memory added,');
  log('      median of the opens: JS heap + DOM, and DOM objects alone, by measureUserAgentSpecificMemory; layout objects not included)');
  log(table(
    ['N', 'list', 'store ms', 'opens', 'open ms', 'min–max', '1st', 'style ms', 'layout ms', 'elements', 'DOM nodes', 'memory MB', 'DOM MB'],
    results.map((r) => (r.failed
      ? [fmtInt(r.n), label(r.variant), '–', 0, r.failed, '–', '–', '–', '–', '–', '–', '–', '–']
      : [fmtInt(r.n), label(r.variant), fmtMs(r.storeMs), r.opens.length, fmtMs(r.openMs), `${fmtMs(r.openMin)}–${fmtMs(r.openMax)}`,
        fmtMs(r.openFirst), fmtMs(r.mid.styleMs), fmtMs(r.mid.layoutMs), fmtInt(r.mid.elements), fmtInt(r.mid.nodes), fmt(r.memoryMB, 1),
        fmt(r.domMB, 2)])),
  ));
  log('');
  log(`scroll (frame = interval between animation frames, ms; late = frames over ${LATE} ms, i.e. past one 16.7 ms vsync; `
    + 'work = main-thread ms of a frame; layout and style = ms per frame; blank = frames that showed the viewport not covered by rows)');
  const rows = [];
  for (const r of ok) {
    for (const [pattern, s] of [['read', r.readSummary], ['jump', r.jumpSummary]]) {
      rows.push([fmtInt(r.n), label(r.variant), pattern, `${s.frames} × ${fmtInt(s.step)} px`, fmt(s.p50), fmt(s.p95), fmt(s.max),
        s.late, s.over50, fmt(s.workP50), fmt(s.workP95), fmt(s.workMax), fmt(s.layoutPerFrame), fmt(s.stylePerFrame),
        r.variant === 'virtual' ? s.blank : '–']);
    }
  }
  log(table(['N', 'list', 'pattern', 'frames', 'frame p50', 'p95', 'max', 'late', '>50', 'work p50', 'p95', 'max', 'layout', 'style', 'blank'], rows, 4));
  if (opts.lists.includes('virtual') && opts.lists.length > 1) {
    log('');
    log('ratios, each list / im-message-list');
    const ratioRows = [];
    for (const n of opts.sizes) {
      const v = results.find((r) => r.n === n && r.variant === 'virtual');
      for (const b of results.filter((r) => r.n === n && r.variant !== 'virtual')) {
        if (b.failed || !v || v.failed) {
          ratioRows.push([fmtInt(n), label(b.variant), b.failed ?? 'n/a', '–', '–', '–', '–', '–', '–']);
          continue;
        }
        ratioRows.push([fmtInt(n), label(b.variant), ratio(b.openMs, v.openMs), ratio(b.mid.elements, v.mid.elements), ratio(b.domMB, v.domMB),
          ratio(b.readSummary.p95, v.readSummary.p95), ratio(b.readSummary.workP95, v.readSummary.workP95),
          ratio(b.jumpSummary.p95, v.jumpSummary.p95), ratio(b.jumpSummary.workP95, v.jumpSummary.workP95)]);
      }
    }
    log(table(['N', 'list', 'open', 'elements', 'DOM memory', 'read frame p95', 'read work p95', 'jump frame p95', 'jump work p95'], ratioRows, 2));
  }
  const notes = [];
  for (const r of ok) {
    const name = `${fmtInt(r.n)} ${label(r.variant)}`;
    if (!r.stays) notes.push(`${name}: the newest message left the viewport within 5 frames after an open`);
    if (r.opens.some((o) => o.frames > 1)) notes.push(`${name}: opens took ${r.opens.map((o) => o.frames).join(', ')} frames to show the newest message`);
    if (r.read.steps < opts.readFrames && r.read.endTop > 0) notes.push(`${name}: read stopped after ${r.read.steps} of ${opts.readFrames} frames (the ${opts.scrollBudgetSeconds} s budget)`);
    if (r.jumpSummary.endTop > 0) notes.push(`${name}: the jump stopped ${fmtInt(r.jumpSummary.endTop)} px short of the top`);
  }
  for (const text of notes) log(`note: ${text}`);
}

main().then(() => process.exit(0), (error) => {
  if (failing) return;
  process.stderr.write(`bench:render: ${error?.usage || error?.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? error.message : error?.stack ?? error}\n`);
  process.exit(1);
});
