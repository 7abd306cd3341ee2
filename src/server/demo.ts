import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_TOKEN_TTL_MS, signToken } from './auth.js';
import { sendJson } from './app-api.js';
import type { ChatStore } from './storage/chat-store.js';
import { isValidId } from './ids.js';

export const DEMO_USERS = [
  { userId: 'alice', name: 'Alice', portraitUri: '' },
  { userId: 'bob', name: 'Bob', portraitUri: '' },
  { userId: 'carol', name: 'Carol', portraitUri: '' },
];
const STATIC_FILES = new Set(['im-core.js', 'demo.js']);

export const DEMO_GROUP = { groupId: 'demo-group', name: 'Demo group' };

export async function seedDemo(store: ChatStore): Promise<void> {
  for (const user of DEMO_USERS) await store.upsertUser(user);
  await store.createGroup(DEMO_GROUP.groupId, DEMO_GROUP.name, DEMO_USERS.map((user) => user.userId));
}

/**
 * Demo mode only: the demo page, the core bundle it loads, and unsigned tokens for the demo
 * users (a real site gets tokens from its own server through the signed API).
 */
export async function handleDemo(
  request: IncomingMessage, response: ServerResponse,
  options: { appKey: string; appSecret: string; staticDir?: string },
): Promise<boolean> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (request.method !== 'GET') return false;
  if (url.pathname === '/demo/token') {
    const userId = url.searchParams.get('userId');
    if (!isValidId(userId) || !DEMO_USERS.some((user) => user.userId === userId)) {
      sendJson(response, 400, { code: 400, errorMessage: `userId must be one of ${DEMO_USERS.map((u) => u.userId).join(', ')}` });
      return true;
    }
    const token = signToken({ appKey: options.appKey, userId, expiresAt: Date.now() + DEFAULT_TOKEN_TTL_MS }, options.appSecret);
    sendJson(response, 200, { code: 200, userId, token });
    return true;
  }
  if (url.pathname === '/favicon.ico') {
    response.writeHead(204).end();
    return true;
  }
  const file = url.pathname === '/' ? 'demo.html' : STATIC_FILES.has(url.pathname.slice(1)) ? url.pathname.slice(1) : undefined;
  if (!file || !options.staticDir) return false;
  let body: Buffer;
  try {
    body = await readFile(join(options.staticDir, file));
  } catch {
    return false;
  }
  response.writeHead(200, {
    'content-type': file.endsWith('.html') ? 'text/html; charset=utf-8' : 'text/javascript; charset=utf-8',
    'content-length': body.length,
    'x-content-type-options': 'nosniff',
    'content-security-policy': "default-src 'self'; connect-src 'self' ws: wss:; style-src 'self' 'unsafe-inline'",
  });
  response.end(body);
  return true;
}
