import { parseArgs } from 'node:util';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from './server.js';
import { DEFAULT_MAX_UPLOAD_BYTES } from './files.js';

const DEV_APP_KEY = 'im-dev-key';
const DEV_APP_SECRET = 'im-dev-secret';

const usage = `Usage: im-server [--port N] [--host H] [--data DIR] [--app-key K] [--app-secret S]
                 [--rate-limit N] [--heartbeat SECONDS] [--single-login TAGS] [--recall-window SECONDS]
                 [--max-upload-bytes N] [--accept-seed-api-signature] [--demo]
  --port        port to listen on; 0 picks a free one (default 8080)
  --host        address to bind (default 127.0.0.1)
  --data        directory for the SQLite store (default ./data)
  --app-key     app key of the signed app-server API and of tokens (default: a dev key)
  --app-secret  app secret (default: a dev secret; never use it in production)
  --rate-limit  messages per second per user; 0 turns limiting off (default 5)
  --heartbeat   heartbeat interval told to clients, seconds (default 30)
  --single-login TAGS  platform tags (comma-separated, or all) on which a new login signs out
                the user's older session on the same tag (default: none, every device stays)
  --recall-window SECONDS  how long after sending a sender may recall a message (default 120)
  --max-upload-bytes N  largest file accepted on POST /files (default 20971520, 20 MB)
  --accept-seed-api-signature  also accept the app-server API's old signature, hex
                sha1(appSecret + nonce + timestamp), which does not cover the request (nonces
                are still single-use); off by default: sign method, path and body instead
  --demo        create demo users and a group, and serve the demo page`;

const here = dirname(fileURLToPath(import.meta.url));

/**
 * A file of the widget's build, for the demo: from the im-widget package (a dependency of the
 * published server; the repository itself in a checkout), else beside this file.
 */
function widgetFile(exportName: string, fileName: string): string {
  try {
    return fileURLToPath(import.meta.resolve(`im-widget/${exportName}`));
  } catch {
    return join(here, fileName);
  }
}

function fail(message: string): never {
  process.stderr.write(`im-server: ${message}\n${usage}\n`);
  process.exit(2);
}

function integer(value: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < min || number > max) fail(`--${name} must be an integer from ${min} to ${max}`);
  return number;
}

let values;
try {
  ({ values } = parseArgs({
    options: {
      port: { type: 'string' }, host: { type: 'string' }, data: { type: 'string' },
      'app-key': { type: 'string' }, 'app-secret': { type: 'string' }, 'rate-limit': { type: 'string' },
      heartbeat: { type: 'string' }, demo: { type: 'boolean' }, 'accept-seed-api-signature': { type: 'boolean' }, 'max-upload-bytes': { type: 'string' },
      // Hidden (tests): how long /im/poll holds a long poll, ms.
      'poll-hold-ms': { type: 'string' }, 'single-login': { type: 'string' }, 'recall-window': { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  }));
} catch (error) {
  fail((error as Error).message);
}
if (values.help) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}

const appKey = values['app-key'] ?? DEV_APP_KEY;
const appSecret = values['app-secret'] ?? DEV_APP_SECRET;
if (!values['app-key'] || !values['app-secret']) {
  process.stderr.write(`im-server: warning: using the development app key "${appKey}" and secret "${appSecret}"; `
    + 'pass --app-key and --app-secret in production\n');
}

const server = await startServer({
  port: integer(values.port, 'port', 8080, 0, 65535),
  host: values.host ?? '127.0.0.1',
  dataDir: resolve(values.data ?? './data'),
  appKey,
  appSecret,
  rateLimit: integer(values['rate-limit'], 'rate-limit', 5, 0, 1_000_000),
  heartbeatSeconds: integer(values.heartbeat, 'heartbeat', 30, 1, 3600),
  pollHoldMs: integer(values['poll-hold-ms'], 'poll-hold-ms', 25_000, 10, 120_000),
  singleLogin: values['single-login'] === 'all' ? 'all' : new Set((values['single-login'] ?? '').split(',').map((tag) => tag.trim()).filter(Boolean)),
  recallWindowSeconds: integer(values['recall-window'], 'recall-window', 120, 0, 365 * 86_400),
  acceptSeedApiSignature: values['accept-seed-api-signature'] ?? false,
  maxUploadBytes: integer(values['max-upload-bytes'], 'max-upload-bytes', DEFAULT_MAX_UPLOAD_BYTES, 1, Number.MAX_SAFE_INTEGER),
  demo: values.demo ?? false,
  demoFiles: {
    '/': join(here, 'demo.html'),
    '/im-widget.iife.js': widgetFile('im-widget.iife.js', 'im-widget.iife.js'),
    '/im-emoji-data.js': widgetFile('emoji-data', 'im-emoji-data.js'),
  },
}).catch((error: Error) => fail(error.message));

process.stdout.write(`im-server listening on ${server.url}\n`);
if (values.demo) process.stdout.write(`demo: open ${server.url}/ in a browser\n`);

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  server.close().then(() => process.exit(0), () => process.exit(1));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
