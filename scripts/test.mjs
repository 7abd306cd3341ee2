// `npm test`: Chromium check → build + typecheck → node tests → examples → browser tests → summary.
// Flags: --only node | --only browser, --skip-build (reuse the existing dist/, skip typecheck).
// The last line printed is always the plain total `N passed, N failed`; exit code 1 if anything failed.
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

process.chdir(fileURLToPath(new URL('..', import.meta.url)));
const argv = process.argv.slice(2);
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined;
if (only !== undefined && only !== 'node' && only !== 'browser') {
  console.error(`usage: node scripts/test.mjs [--only node|browser] [--skip-build]`);
  process.exit(2);
}
const env = { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' };
const results = []; // [runner, passed, failed]

const header = (title) => console.log(`\n=== ${title} ===`);
const sh = (cmd, args, opts = {}) => spawnSync(cmd, args, { stdio: 'inherit', env, ...opts });
const isExecutable = (p) => { try { accessSync(p, constants.X_OK); return statSync(p).isFile(); } catch { return false; } };
const lastInt = (re, text) => { const m = [...text.matchAll(re)].at(-1); return m ? Number(m[1]) : undefined; };

function finish() {
  header('Summary');
  for (const [name, p, f] of results) console.log(`${name}: ${p} passed, ${f} failed`);
  const sum = (i) => results.reduce((n, r) => n + r[i], 0);
  console.log(`${sum(1)} passed, ${sum(2)} failed`);
  return sum(2) > 0 ? 1 : 0;
}

/** Runs a command, streaming its output live, and resolves with its exit code and ANSI-free output. */
function run(cmd, args) {
  return new Promise((resolve) => {
    let out = '';
    const child = spawn(cmd, args, { env, stdio: ['inherit', 'pipe', 'pipe'] });
    for (const [src, dst] of [[child.stdout, process.stdout], [child.stderr, process.stderr]]) {
      src.setEncoding('utf8').on('data', (d) => { dst.write(d); out += d; });
    }
    const done = (code) => resolve({ code, out: out.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '') });
    child.on('error', (err) => { console.error(`${cmd}: ${err.message}`); done(-1); });
    child.on('close', (code, signal) => done(signal ? -1 : code));
  });
}

/** Records a runner's counts; a non-zero exit that reported no failure counts as 1 failed. */
function record(name, code, passed = 0, failed = 0) {
  if (code !== 0 && failed === 0) failed = 1;
  results.push([name, passed, failed]);
}

function listFiles(dir, skip = []) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (skip.includes(p)) return [];
    return e.isDirectory() ? listFiles(p, skip) : e.name.endsWith('.test.ts') ? [p] : [];
  }).sort();
}

// a. Chromium
if (only !== 'node') {
  header('Chromium');
  let chrome = [process.env.CHROME_PATH, '/usr/bin/chromium'].find((p) => p && isExecutable(p));
  if (!chrome && process.getuid?.() === 0) {
    const policy = spawnSync('apt-cache', ['policy', 'chromium'], { encoding: 'utf8' }).stdout ?? '';
    if (!/Candidate: (?!\(none\))\S+/.test(policy)) sh('apt-get', ['update']);
    sh('apt-get', ['install', '-y', 'chromium'], { env: { ...env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (isExecutable('/usr/bin/chromium')) chrome = '/usr/bin/chromium';
  }
  if (!chrome) {
    console.error('Chromium not found: install it with `sudo apt-get install -y chromium` or set CHROME_PATH');
    results.push(['chromium', 0, 1]);
    process.exit(finish());
  }
  env.CHROME_PATH = chrome;
  console.log(`using ${chrome}`);
}

// b. Build + typecheck (the tests spawn dist/im-server.js)
if (!argv.includes('--skip-build')) {
  for (const [name, cmd, args] of [['build', 'npm', ['run', '--silent', 'build']], ['typecheck', 'npx', ['tsc', '-p', 'tsconfig.json', '--noEmit']], ['typecheck stories', 'npx', ['tsc', '-p', '.storybook']]]) {
    header(`${name[0].toUpperCase()}${name.slice(1)}: ${cmd} ${args.join(' ')}`);
    const { status } = sh(cmd, args);
    if (status !== 0) { results.push([name, 0, 1]); process.exit(finish()); }
  }
}

// c. Node tests: test/**/*.test.ts except test/browser/**. --test-timeout bounds each test and
// also each file as a whole, so test/examples/** (three apps installed and built, minutes) runs
// after the others, with a bound of its own.
if (only !== 'browser') {
  const nodeTests = async (name, files, timeout) => {
    const { code, out } = await run(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-force-exit', `--test-timeout=${timeout}`, '--test-reporter=spec', ...files]);
    const failed = (lastInt(/^ℹ fail (\d+)\s*$/gm, out) ?? 0) + (lastInt(/^ℹ cancelled (\d+)\s*$/gm, out) ?? 0);
    record(name, code, lastInt(/^ℹ pass (\d+)\s*$/gm, out), failed);
  };
  header('Node tests');
  const examples = join('test', 'examples');
  const files = listFiles('test', [join('test', 'browser'), examples]);
  if (!files.length) console.log('no node test files found');
  else await nodeTests('node', files, 120_000);
  header('Examples: installed from the packed package, built, used in Chromium');
  const exampleFiles = listFiles(examples);
  if (!exampleFiles.length) console.log('no example test files found');
  else await nodeTests('examples', exampleFiles, 1_800_000);
}

// d. Browser tests: test/browser/**/*.test.ts via web-test-runner
if (only !== 'node') {
  header('Browser tests');
  if (!listFiles(join('test', 'browser')).length) console.log('no browser test files found');
  else {
    const { code, out } = await run('npx', ['web-test-runner', '--config', 'web-test-runner.config.mjs']);
    const m = [...out.matchAll(/^(\d+) passed, (\d+) failed, (\d+) skipped\s*$/gm)].at(-1);
    record('browser', code, m ? Number(m[1]) : 0, m ? Number(m[2]) : 0);
  }
}

// e. Stories: the static Storybook build, then every story and docs page in Chromium
if (only !== 'node') {
  header('Storybook: build + smoke test');
  const { status } = sh('npm', ['run', '--silent', 'build-storybook']);
  if (status !== 0) record('storybook', status ?? 1);
  else {
    const { code, out } = await run(process.execPath, ['.storybook/smoke-test.mjs']);
    const m = [...out.matchAll(/^(\d+) passed, (\d+) failed\s*$/gm)].at(-1);
    record('storybook', code, m ? Number(m[1]) : 0, m ? Number(m[2]) : 0);
  }
}

process.exitCode = finish();
