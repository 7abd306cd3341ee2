import { parseArgs } from 'node:util';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from './server.js';
import { DEFAULT_MAX_UPLOAD_BYTES } from './files.js';
import { parseS3Url } from './storage/s3-blob-store.js';
import { DEFAULT_CONNECT_TIMEOUT_SECONDS, DEFAULT_MAX_UNAUTHENTICATED_PER_IP } from './pre-auth.js';
import { DEFAULT_MAX_QUERIES_IN_FLIGHT, DEFAULT_MAX_QUEUED_BYTES, DEFAULT_QUERY_RATE_LIMIT } from './server.js';

const DEV_APP_KEY = 'im-dev-key';
const DEV_APP_SECRET = 'im-dev-secret';

const usage = `Usage: im-server [--port N] [--host H] [--data DIR] [--database URL] [--bus URL] [--app-key K] [--app-secret S]
                 [--rate-limit N] [--heartbeat SECONDS] [--single-login TAGS] [--recall-window SECONDS]
                 [--max-upload-bytes N] [--max-queued-bytes N] [--max-queries-in-flight N]
                 [--query-rate-limit N] [--connect-timeout SECONDS] [--max-unauthenticated-per-ip N]
                 [--trust-proxy] [--accept-seed-api-signature] [--cs-visitors] [--demo]
                 [--chatroom-max-members N] [--chatroom-keep-seconds N] [--chatroom-window N]
                 [--files-dir DIR | --files-s3 URL] [--files-db postgres://…]
  --port        port to listen on; 0 picks a free one (default 8080)
  --host        address to bind (default 127.0.0.1)
  --data        directory for the SQLite store and uploads (default ./data)
  --database URL  keep messages, users and groups in PostgreSQL (postgres://user@host:5432/db
                or postgresql://…) instead of SQLite (uploads stay in --data), the store cluster nodes share;
                the schema is created or migrated at start (docs/postgres.md)
  --bus URL     cluster mode: Redis (redis://host:6379) through which the nodes sharing one
                --database tell each other of messages, presence, kicks and revocations, and
                share send limits (docs/cluster.md); needs --database
  --app-key     app key of the signed app-server API and of tokens (default: a dev key)
  --app-secret  app secret (default: a dev secret; never use it in production)
  --rate-limit  messages per second per user; 0 turns limiting off (default 5)
  --heartbeat   heartbeat interval told to clients, seconds (default 30)
  --single-login TAGS  platform tags (comma-separated, or all) on which a new login signs out
                the user's older session on the same tag (default: none, every device stays)
  --recall-window SECONDS  how long after sending a sender may recall a message (default 120)
  --max-upload-bytes N  largest file accepted on POST /files (default 20971520, 20 MB)
  --max-queued-bytes N  bytes waiting for a client that does not read (WebSocket buffer or
                unpolled long-poll frames) before it is disconnected (default 4194304, 4 MiB)
  --max-queries-in-flight N  queries one connection may have waiting; more are refused with
                SEND_FREQUENCY_TOO_FAST 20604 (default 128)
  --query-rate-limit N  queries per second per user; 0 turns limiting off (default 100)
  --connect-timeout SECONDS  a connection that has not signed in by then is closed (default 10)
  --max-unauthenticated-per-ip N  WebSockets and poll channels not yet signed in that one
                client IP may hold; more are refused with HTTP 429 (default 100)
  --trust-proxy  take the client IP from the first X-Forwarded-For entry (behind a proxy)
  --accept-seed-api-signature  also accept the app-server API's old signature, hex
                sha1(appSecret + nonce + timestamp), which does not cover the request (nonces
                are still single-use); off by default: sign method, path and body instead
  --cs-visitors  serve POST /cs/visitor: browsers get an anonymous customer-service visitor id
                (visitor-…) and its token, 20 a minute per client IP (on with --demo)
  --chatroom-max-members N  members one chatroom may hold; 0 = no cap (default 0); a join past
                it is refused with RC_CHATROOM_IS_FULL 23411
  --chatroom-keep-seconds N  how long a member whose connection dropped stays in the room
                (default 1800)
  --chatroom-window N  recent messages kept in memory per room for joins and history (default 200)
  --files-dir DIR  directory for uploaded files' bytes (default <data>/files); in a cluster, one
                directory every node mounts (NFS and the like)
  --files-s3 URL  keep uploaded files' bytes in an S3-compatible bucket instead (AWS S3, MinIO):
                s3://ACCESS_KEY:SECRET@host:port/bucket?region=us-east-1&tls=false (key and secret
                percent-encoded; tls defaults to true; &prefix=P puts P before every object key)
  --files-db URL  keep files' metadata (who uploaded what, where it was sent) in this PostgreSQL
                database, postgres://user:password@host:port/db, rather than <data>/files.db; a
                cluster needs it (see docs/files.md); default with --database: that database
  --demo        create demo users and a group, and serve the demo page
Options that carry secrets may come from the environment instead, out of sight of other users'
\`ps\`: IM_APP_KEY, IM_APP_SECRET, IM_DATABASE_URL, IM_BUS_URL, IM_FILES_S3, IM_FILES_DB (an
option given on the command line wins).`;

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
      port: { type: 'string' }, host: { type: 'string' }, data: { type: 'string' }, database: { type: 'string' }, bus: { type: 'string' },
      'app-key': { type: 'string' }, 'app-secret': { type: 'string' }, 'rate-limit': { type: 'string' },
      heartbeat: { type: 'string' }, demo: { type: 'boolean' }, 'accept-seed-api-signature': { type: 'boolean' }, 'max-upload-bytes': { type: 'string' },
      // Hidden (tests): how long /im/poll holds a long poll, ms.
      'max-queued-bytes': { type: 'string' }, 'max-queries-in-flight': { type: 'string' }, 'query-rate-limit': { type: 'string' },
      'connect-timeout': { type: 'string' }, 'max-unauthenticated-per-ip': { type: 'string' }, 'trust-proxy': { type: 'boolean' }, 'cs-visitors': { type: 'boolean' },
      // Hidden (tests): signed-in long-poll channels at most.
      'max-poll-channels': { type: 'string' },
      'chatroom-max-members': { type: 'string' }, 'chatroom-keep-seconds': { type: 'string' }, 'chatroom-window': { type: 'string' },
      'files-dir': { type: 'string' }, 'files-s3': { type: 'string' }, 'files-db': { type: 'string' },
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

/** The options that carry secrets (a password in a URL, the app secret), from the environment when not given. */
const FROM_ENVIRONMENT = {
  'app-key': 'IM_APP_KEY', 'app-secret': 'IM_APP_SECRET', database: 'IM_DATABASE_URL', bus: 'IM_BUS_URL',
  'files-s3': 'IM_FILES_S3', 'files-db': 'IM_FILES_DB',
} as const;
for (const [option, variable] of Object.entries(FROM_ENVIRONMENT) as Array<[keyof typeof FROM_ENVIRONMENT, string]>) {
  const value = process.env[variable];
  if (values[option] === undefined && value) values[option] = value;
}

if (values.bus !== undefined && (values.database === undefined || !/^rediss?:\/\/./i.test(values.bus))) {
  fail('--bus must be a Redis URL, redis://… or rediss://…, and needs --database (the nodes of a cluster share one PostgreSQL database)');
}
if (values.database !== undefined && !/^postgres(ql)?:\/\/./i.test(values.database)) {
  fail('--database must be a PostgreSQL URL, postgres://… or postgresql://…');
}

const appKey = values['app-key'] ?? DEV_APP_KEY;
const appSecret = values['app-secret'] ?? DEV_APP_SECRET;
if (!values['app-key'] || !values['app-secret']) {
  process.stderr.write(`im-server: warning: using the development app key "${appKey}" and secret "${appSecret}"; `
    + 'pass --app-key and --app-secret in production\n');
}

if (values['files-dir'] && values['files-s3']) fail('--files-dir and --files-s3 exclude each other');
let filesS3;
try {
  filesS3 = values['files-s3'] ? parseS3Url(values['files-s3']) : undefined;
} catch (error) {
  fail(`--files-s3: ${(error as Error).message}`);
}
// With --database, file metadata goes to the same PostgreSQL unless --files-db names another.
const filesDb = values['files-db'] ?? values.database;
if (filesDb && !/^postgres(ql)?:\/\//.test(filesDb)) fail('--files-db must be a postgres:// URL');

const server = await startServer({
  port: integer(values.port, 'port', 8080, 0, 65535),
  host: values.host ?? '127.0.0.1',
  dataDir: resolve(values.data ?? './data'),
  ...(values.database === undefined ? {} : { databaseUrl: values.database }),
  ...(values.bus === undefined ? {} : { busUrl: values.bus }),
  appKey,
  appSecret,
  rateLimit: integer(values['rate-limit'], 'rate-limit', 5, 0, 1_000_000),
  heartbeatSeconds: integer(values.heartbeat, 'heartbeat', 30, 1, 3600),
  pollHoldMs: integer(values['poll-hold-ms'], 'poll-hold-ms', 25_000, 10, 120_000),
  singleLogin: values['single-login'] === 'all' ? 'all' : new Set((values['single-login'] ?? '').split(',').map((tag) => tag.trim()).filter(Boolean)),
  recallWindowSeconds: integer(values['recall-window'], 'recall-window', 120, 0, 365 * 86_400),
  acceptSeedApiSignature: values['accept-seed-api-signature'] ?? false,
  maxUploadBytes: integer(values['max-upload-bytes'], 'max-upload-bytes', DEFAULT_MAX_UPLOAD_BYTES, 1, Number.MAX_SAFE_INTEGER),
  maxQueuedBytes: integer(values['max-queued-bytes'], 'max-queued-bytes', DEFAULT_MAX_QUEUED_BYTES, 1024, Number.MAX_SAFE_INTEGER),
  maxQueriesInFlight: integer(values['max-queries-in-flight'], 'max-queries-in-flight', DEFAULT_MAX_QUERIES_IN_FLIGHT, 1, 1_000_000),
  queryRateLimit: integer(values['query-rate-limit'], 'query-rate-limit', DEFAULT_QUERY_RATE_LIMIT, 0, 1_000_000),
  connectTimeoutSeconds: integer(values['connect-timeout'], 'connect-timeout', DEFAULT_CONNECT_TIMEOUT_SECONDS, 1, 3600),
  maxUnauthenticatedPerIp: integer(values['max-unauthenticated-per-ip'], 'max-unauthenticated-per-ip', DEFAULT_MAX_UNAUTHENTICATED_PER_IP, 1, 1_000_000),
  trustProxy: values['trust-proxy'] ?? false,
  ...(values['max-poll-channels'] === undefined ? {} : { maxPollChannels: integer(values['max-poll-channels'], 'max-poll-channels', 0, 1, 1_000_000) }),
  chatroomMaxMembers: integer(values['chatroom-max-members'], 'chatroom-max-members', 0, 0, 1_000_000_000),
  chatroomKeepSeconds: integer(values['chatroom-keep-seconds'], 'chatroom-keep-seconds', 1800, 1, 365 * 86_400),
  chatroomWindow: integer(values['chatroom-window'], 'chatroom-window', 200, 1, 100_000),
  files: {
    ...(filesDb ? { meta: { postgres: filesDb } } : {}),
    ...(filesS3 ? { blobs: { s3: filesS3 } } : values['files-dir'] ? { blobs: { dir: resolve(values['files-dir']) } } : {}),
  },
  demo: values.demo ?? false,
  csVisitors: values['cs-visitors'] ?? values.demo ?? false,
  demoFiles: {
    '/': join(here, 'demo.html'),
    '/im-widget.iife.js': widgetFile('im-widget.iife.js', 'im-widget.iife.js'),
    '/im-emoji-data.js': widgetFile('emoji-data', 'im-emoji-data.js'),
    // The script tag's lazy parts, sibling modules fetched on first use.
    '/im-widget-media.js': widgetFile('im-widget-media.js', 'im-widget-media.js'),
    '/im-widget-composer-media.js': widgetFile('im-widget-composer-media.js', 'im-widget-composer-media.js'),
    '/im-widget-send-files.js': widgetFile('im-widget-send-files.js', 'im-widget-send-files.js'),
    // The core's long-polling and chatrooms, the emoji picker's view.
    '/im-widget-long-poll.js': widgetFile('im-widget-long-poll.js', 'im-widget-long-poll.js'),
    '/im-widget-chatroom.js': widgetFile('im-widget-chatroom.js', 'im-widget-chatroom.js'),
    '/im-widget-emoji-picker.js': widgetFile('im-widget-emoji-picker.js', 'im-widget-emoji-picker.js'),
    '/im-widget-actions.js': widgetFile('im-widget-actions.js', 'im-widget-actions.js'),
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
