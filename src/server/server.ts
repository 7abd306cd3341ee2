import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { ErrorCode } from '../core/protocol/codes.js';
import { LocalBus, type FanoutBus } from './bus.js';
import { RedisClusterBus } from './cluster-bus.js';
import { ChatService } from './chat-service.js';
import { Gateway } from './gateway.js';
import { DEFAULT_POLL_HOLD_MS, LongPollGateway, POLL_PATH } from './long-poll.js';
import { handleAppApi, sendJson } from './app-api.js';
import { postGroupNotice } from './group-notices.js';
import { SqliteChatStore } from './storage/sqlite-store.js';
import { PgChatStore } from './storage/pg-store.js';
import type { ChatStore } from './storage/chat-store.js';
import { handleDemo, seedDemo, startDemoBot, type DemoFiles } from './demo.js';
import { DEFAULT_MAX_UPLOAD_BYTES, FileService, openFileStores, type FileStorageOptions } from './files.js';
import { DEFAULT_CONNECT_TIMEOUT_SECONDS, DEFAULT_MAX_UNAUTHENTICATED_PER_IP, PreAuthLimits } from './pre-auth.js';
import { RateLimiter, WindowLimiter } from './rate-limit.js';
import { handleVisitorEndpoint, VISITOR_MINTS_PER_MINUTE } from './visitors.js';

export const DEFAULT_MAX_QUEUED_BYTES = 4 * 1024 * 1024;
export const DEFAULT_MAX_QUERIES_IN_FLIGHT = 128;
export const DEFAULT_QUERY_RATE_LIMIT = 100;
import { NonceCache } from './auth.js';
import { errorLogger } from './error-log.js';

export interface ServerOptions {
  port: number;
  host: string;
  dataDir: string;
  /** A PostgreSQL URL: the store is PostgreSQL (several nodes can share it) instead of SQLite in dataDir. */
  databaseUrl?: string;
  /** Cluster mode: the Redis (redis://…) the nodes sharing `databaseUrl` tell each other through; needs `databaseUrl`. */
  busUrl?: string;
  appKey: string;
  appSecret: string;
  /** Messages per second per user; 0 = unlimited. */
  rateLimit: number;
  heartbeatSeconds: number;
  /** How long /im/poll holds a long poll with nothing to send (default 25 s). */
  pollHoldMs?: number;
  /** Platform tags (or `all`) on which a new login signs out the user's older session. */
  singleLogin?: ReadonlySet<string> | 'all';
  /** How long after sending a sender may recall a message, seconds (default 120). */
  recallWindowSeconds?: number;
  /** Also accept the seed's app-API signature, sha1(appSecret + nonce + timestamp) (default false). */
  acceptSeedApiSignature?: boolean;
  demo: boolean;
  /** Largest upload accepted on POST /files (default 20 MB). */
  maxUploadBytes?: number;
  /** Where uploaded files go (default: metadata in <dataDir>/files.db, bytes in <dataDir>/files/). */
  files?: FileStorageOptions;
  /** Bytes waiting for one slow client (socket buffer or unpolled frames) before it is dropped (default 4 MiB). */
  maxQueuedBytes?: number;
  /** Queries one session may have waiting or running (default 128). */
  maxQueriesInFlight?: number;
  /** Queries per second per user; 0 = unlimited (default 100). */
  queryRateLimit?: number;
  /** Seconds a connection may take to CONNECT (default 10). */
  connectTimeoutSeconds?: number;
  /** Connections not yet signed in that one client IP may hold (default 100). */
  maxUnauthenticatedPerIp?: number;
  /** Client IP from the first X-Forwarded-For entry rather than the socket (behind a proxy). */
  trustProxy?: boolean;
  /** Signed-in long-poll channels at most (default 10,000). */
  maxPollChannels?: number;
  /** Serve POST /cs/visitor: anonymous customer-service visitors get an id and a token (default: on with `demo`). */
  csVisitors?: boolean;
  /** Chatrooms: members per room (0 = no cap), seconds a dropped member stays, recent messages kept per room. */
  chatroomMaxMembers?: number;
  chatroomKeepSeconds?: number;
  chatroomWindow?: number;
  /** What demo mode serves: the demo page and the widget's script-tag build, by path. */
  demoFiles?: DemoFiles;
  log?: (message: string) => void;
}

export interface RunningServer {
  url: string;
  host: string;
  port: number;
  store: ChatStore;
  close(): Promise<void>;
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const log = options.log ?? ((message: string) => console.error(message));
  const logError = errorLogger(log);
  mkdirSync(options.dataDir, { recursive: true });
  // PgChatStore.open loads pg by a dynamic import(): SQLite users never load it.
  const store: ChatStore = options.databaseUrl
    ? await PgChatStore.open(options.databaseUrl)
    : new SqliteChatStore(join(options.dataDir, 'im.sqlite'), { log });
  // Cluster mode: the nodes of one database share a Redis channel named after it.
  const bus: FanoutBus = options.busUrl
    ? await RedisClusterBus.connect(options.busUrl, `im:${new URL(options.databaseUrl!).pathname.slice(1) || 'im'}`, store, logError)
    : new LocalBus();
  const files = new FileService({
    ...(await openFileStores(options.files, options.dataDir, log)), appKey: options.appKey, appSecret: options.appSecret, store, log,
    maxUploadBytes: options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES,
  });
  const service = new ChatService(store, bus, { rateLimit: options.rateLimit, recallWindowSeconds: options.recallWindowSeconds, files, logError,
    ...(bus instanceof RedisClusterBus ? { limiter: (name: string, rate: number) => bus.limiter(name, rate), rooms: bus.roomStore() } : {}),
    chatrooms: { maxMembers: options.chatroomMaxMembers, keepSeconds: options.chatroomKeepSeconds, window: options.chatroomWindow } });
  const maxQueuedBytes = options.maxQueuedBytes ?? DEFAULT_MAX_QUEUED_BYTES;
  const preAuth = new PreAuthLimits({
    connectTimeoutMs: (options.connectTimeoutSeconds ?? DEFAULT_CONNECT_TIMEOUT_SECONDS) * 1000,
    maxPerIp: options.maxUnauthenticatedPerIp ?? DEFAULT_MAX_UNAUTHENTICATED_PER_IP,
    trustProxy: options.trustProxy ?? false,
  });
  const queryLimiter = new RateLimiter(options.queryRateLimit ?? DEFAULT_QUERY_RATE_LIMIT);
  const gateway = new Gateway({
    appKey: options.appKey, appSecret: options.appSecret, heartbeatSeconds: options.heartbeatSeconds, service, log, logError,
    maxQueriesInFlight: options.maxQueriesInFlight ?? DEFAULT_MAX_QUERIES_IN_FLIGHT, queryLimiter,
  }, bus, options.singleLogin ?? new Set(), { maxQueuedBytes, preAuth });
  service.customerService.usePresence((userId) => gateway.isOnline(userId));
  service.chatrooms.usePresence((userId) => gateway.isOnline(userId));
  gateway.onUserOnline = (userId) => {
    service.customerService.userOnline(userId);
    service.chatrooms.userOnline(userId);
  };
  gateway.onUserOffline = (userId) => service.chatrooms.userOffline(userId);
  service.social.usePresence(gateway);
  gateway.onSessionsChanged = (userId, before) => service.social.sessionsChanged(userId, before);
  gateway.onSessionClosed = (sessionId) => {
    service.social.sessionClosed(sessionId);
    service.chatrooms.sessionClosed(sessionId);
  };
  service.chatrooms.useSessionEnder((sessionIds) => gateway.endSessions(sessionIds, ErrorCode.RC_DISCONN_EXCEPTION, 'the chatrooms were reset: join again'));
  const longPoll = new LongPollGateway({
    pollHoldMs: options.pollHoldMs ?? DEFAULT_POLL_HOLD_MS,
    heartbeatSeconds: options.heartbeatSeconds,
    createSession: (link) => gateway.createSession(link),
    maxQueuedBytes, preAuth,
    ...(options.maxPollChannels ? { maxChannels: options.maxPollChannels } : {}),
  });
  const visitorLimiter = new WindowLimiter(VISITOR_MINTS_PER_MINUTE, 60_000);
  const sweeper = setInterval(() => {
    service.sweep();
    queryLimiter.sweep();
    visitorLimiter.sweep();
  }, 60_000);
  sweeper.unref();

  const apiNonces = new NonceCache();
  const metrics = async () => ({
    connections: gateway.connectionCount, unauthenticated: preAuth.unauthenticatedCount, rssBytes: process.memoryUsage.rss(),
    ...(await store.stats()),
    chatrooms: await service.chatrooms.roomCount(), chatroomDroppedLow: service.chatrooms.drops.low,
    chatroomDroppedNormal: service.chatrooms.drops.normal, chatroomDroppedHigh: service.chatrooms.drops.high,
  });
  let stopBot = () => {};
  if (options.demo) {
    stopBot = startDemoBot(bus, service, log);
    await seedDemo(store, service);
  }

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    if ((request.url ?? '/').split('?')[0] === POLL_PATH) {
      await longPoll.handle(request, response);
      return;
    }
    if (await files.handle(request, response)) return;
    if ((options.csVisitors ?? options.demo) && await handleVisitorEndpoint(request, response, {
      appKey: options.appKey, appSecret: options.appSecret, store, limiter: visitorLimiter, clientIp: (r) => preAuth.clientIp(r),
    })) return;
    if (await handleAppApi(request, response, {
      appKey: options.appKey, appSecret: options.appSecret, store, metrics, revokeTokens: (userId) => service.revokeTokens(userId),
      acceptSeedSignature: options.acceptSeedApiSignature ?? false, nonces: apiNonces,
      groupNotice: (change) => postGroupNotice(store, bus, change),
      serviceGroupsChanged: (groupIds) => service.customerService.rebalance(groupIds),
      serviceAgentChanged: (userId, removedGroupIds, groupIds) => service.customerService.agentChanged(userId, removedGroupIds, groupIds),
    })) return;
    if (options.demo && (await handleDemo(request, response, { appKey: options.appKey, appSecret: options.appSecret, ...(options.demoFiles ? { files: options.demoFiles } : {}) }))) return;
    const path = (request.url ?? '/').split('?')[0];
    if (path === '/im') {
      sendJson(response, 426, { code: 426, errorMessage: 'connect with a WebSocket' });
      return;
    }
    sendJson(response, 404, { code: 404, errorMessage: `nothing at ${path}` });
  };

  const http = createServer((request, response) => {
    handle(request, response).catch((error) => {
      logError('http', error);
      if (!response.headersSent) sendJson(response, 500, { code: 500, errorMessage: 'internal error' });
      else response.destroy();
    });
  });
  http.on('upgrade', (request, socket, head) => {
    socket.on('error', () => undefined);
    const path = (request.url ?? '').split('?')[0];
    if (path !== '/im') {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const clientIp = preAuth.clientIp(request);
    if (!preAuth.hasRoom(clientIp)) {
      socket.end('HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    gateway.handleUpgrade(request, socket, head, clientIp);
  });
  http.on('clientError', (_error, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port, options.host, () => resolve());
  });
  const { port } = http.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;

  return {
    url: `http://${host}:${port}`,
    host: options.host,
    port,
    store,
    async close() {
      clearInterval(sweeper);
      stopBot();
      longPoll.close();
      await gateway.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      http.closeAllConnections();
      await service.chatrooms.close();
      await bus.close();
      await store.close();
      await files.close();
    },
  };
}
