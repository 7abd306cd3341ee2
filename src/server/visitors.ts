import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { ErrorCode } from '../core/protocol/codes.js';
import { DEFAULT_TOKEN_TTL_MS, signToken, verifyToken } from './auth.js';
import { VISITOR_PREFIX } from './app-api.js';
import type { ChatStore } from './storage/chat-store.js';
import { WindowLimiter } from './rate-limit.js';

export const VISITOR_PATH = '/cs/visitor';
/** Requests (mints and renewals) one client IP may make a minute. */
export const VISITOR_MINTS_PER_MINUTE = 20;
/** `{}` or `{token}`: anything longer is no request of ours. */
const MAX_BODY_BYTES = 4096;

export interface VisitorContext {
  appKey: string;
  appSecret: string;
  store: ChatStore;
  limiter: WindowLimiter;
  clientIp(request: IncomingMessage): string;
}

/** Browsers of any site call it, without cookies: the answer is the credential, so no origin needs trusting. */
const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'POST, OPTIONS',
  'access-control-allow-headers': 'content-type',
  'access-control-max-age': '600',
};

function answer(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    ...CORS_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  response.end(text);
}

async function readSmallBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * POST /cs/visitor (server option `--cs-visitors`): `{}` mints an anonymous visitor
 * (`visitor-<22 base64url>`) and its token; `{token}` with a visitor's valid token renews it for
 * the same id, so a returning browser stays the same visitor. Returns false for other paths.
 */
export async function handleVisitorEndpoint(request: IncomingMessage, response: ServerResponse, context: VisitorContext): Promise<boolean> {
  if ((request.url ?? '').split('?')[0] !== VISITOR_PATH) return false;
  if (request.method === 'OPTIONS') {
    response.writeHead(204, CORS_HEADERS).end();
    return true;
  }
  if (request.method !== 'POST') {
    answer(response, 405, { code: 405, errorMessage: 'POST only' });
    return true;
  }
  if (!context.limiter.take(context.clientIp(request))) {
    request.resume();
    answer(response, 429, { code: ErrorCode.SEND_FREQUENCY_TOO_FAST, errorMessage: `at most ${VISITOR_MINTS_PER_MINUTE} a minute from one address` });
    return true;
  }
  const raw = await readSmallBody(request);
  let body: unknown;
  try {
    body = raw === undefined ? undefined : JSON.parse(raw.toString('utf8') || '{}');
  } catch {
    body = undefined;
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    answer(response, 400, { code: ErrorCode.PARAMETER_ERROR, errorMessage: 'the body must be {} or {"token": …}' });
    return true;
  }
  const previous = (body as { token?: unknown }).token;
  let userId: string;
  if (previous === undefined) {
    userId = `${VISITOR_PREFIX}${randomBytes(16).toString('base64url')}`;
  } else {
    const check = verifyToken(previous as string, context.appKey, context.appSecret);
    if (!check.ok || !check.claims.userId.startsWith(VISITOR_PREFIX)
      || check.claims.issuedAt < await context.store.tokensValidAfter(check.claims.userId)) {
      const code = check.ok ? ErrorCode.RC_CONN_USER_OR_PASSWD_ERROR : check.code;
      answer(response, 401, { code, errorMessage: check.ok ? 'not a valid visitor token' : check.reason });
      return true;
    }
    userId = check.claims.userId;
  }
  await context.store.upsertUser({ userId, name: '', portraitUri: '' });
  const issuedAt = Date.now();
  const expiresAt = issuedAt + DEFAULT_TOKEN_TTL_MS;
  const token = signToken({ appKey: context.appKey, userId, expiresAt, issuedAt }, context.appSecret);
  answer(response, 200, { code: 200, userId, token, expiresAt });
  return true;
}
