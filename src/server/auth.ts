import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { ErrorCode } from '../core/protocol/codes.js';

/** How far an app-server request's Timestamp may be from now. */
export const SIGNATURE_MAX_AGE_MS = 5 * 60 * 1000;

/** Default lifetime of a user token. */
export const DEFAULT_TOKEN_TTL_MS = 30 * 24 * 60 * 60 * 1000;

export interface TokenClaims {
  appKey: string;
  userId: string;
  /** Expiry, ms since epoch. */
  expiresAt: number;
}

const base64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

function hmac(secret: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(payload).digest();
}

/** A user token: `<claims as base64url JSON>.<HMAC-SHA256 of them with the app secret>`. */
export function signToken(claims: TokenClaims, appSecret: string): string {
  const payload = base64url(JSON.stringify({ a: claims.appKey, u: claims.userId, e: claims.expiresAt }));
  return `${payload}.${hmac(appSecret, payload).toString('base64url')}`;
}

export type TokenCheck = { ok: true; claims: TokenClaims } | { ok: false; code: number; reason: string };

/**
 * Checks a token for this app. Wrong signature or shape → RC_CONN_USER_OR_PASSWD_ERROR; another
 * app's token → RC_CONN_NOT_AUTHRORIZED; expired → RC_CONN_TOKEN_EXPIRE.
 */
export function verifyToken(token: string, appKey: string, appSecret: string, now = Date.now()): TokenCheck {
  const incorrect = (reason: string): TokenCheck => ({ ok: false, code: ErrorCode.RC_CONN_USER_OR_PASSWD_ERROR, reason });
  if (typeof token !== 'string' || token.length > 2048) return incorrect('token is malformed');
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined) return incorrect('token is malformed');
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return incorrect('token is malformed');
  }
  const claims = raw as { a?: unknown; u?: unknown; e?: unknown };
  if (typeof claims?.a !== 'string' || typeof claims.u !== 'string' || typeof claims.e !== 'number') {
    return incorrect('token is malformed');
  }
  if (claims.a !== appKey) {
    return { ok: false, code: ErrorCode.RC_CONN_NOT_AUTHRORIZED, reason: 'token belongs to another app' };
  }
  const expected = hmac(appSecret, payload);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return incorrect('token signature is wrong');
  if (claims.e <= now) return { ok: false, code: ErrorCode.RC_CONN_TOKEN_EXPIRE, reason: 'token expired' };
  return { ok: true, claims: { appKey: claims.a, userId: claims.u, expiresAt: claims.e } };
}

/** The seed's app-server signature: hex sha1(appSecret + nonce + timestamp). */
export function apiSignature(appSecret: string, nonce: string, timestamp: string): string {
  return createHash('sha1').update(appSecret + nonce + timestamp).digest('hex');
}

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

export function verifyApiSignature(
  headers: Record<string, string | string[] | undefined>, appKey: string, appSecret: string, now = Date.now(),
): SignatureCheck {
  const header = (name: string) => {
    const value = headers[name];
    return typeof value === 'string' ? value : undefined;
  };
  const key = header('app-key');
  const nonce = header('nonce');
  const timestamp = header('timestamp');
  const signature = header('signature');
  if (!key || !nonce || !timestamp || !signature) {
    return { ok: false, reason: 'App-Key, Nonce, Timestamp and Signature headers are required' };
  }
  if (key !== appKey) return { ok: false, reason: 'unknown App-Key' };
  const time = Number(timestamp);
  if (!Number.isFinite(time) || Math.abs(now - time) > SIGNATURE_MAX_AGE_MS) {
    return { ok: false, reason: 'Timestamp is stale' };
  }
  const expected = Buffer.from(apiSignature(appSecret, nonce, timestamp));
  const given = Buffer.from(signature.toLowerCase());
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'Signature is wrong' };
  return { ok: true };
}
