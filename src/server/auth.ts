import { createHmac, timingSafeEqual } from 'node:crypto';
import { apiSignature, bodySha256, seedApiSignature } from './api-signing.js';
import { isValidId } from './ids.js';
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
  /** When the token was issued, ms since epoch: tokens issued before a user's revocation are refused. */
  issuedAt: number;
}

/** Longest app key a token may name (the user id has its own bound, isValidId's 64). */
const MAX_APP_KEY_LENGTH = 128;
/** A token is a short base64url payload, a dot and a 43-character HMAC-SHA256. */
const MAX_TOKEN_LENGTH = 1024;
const TOKEN_SHAPE = /^([A-Za-z0-9_-]{1,900})\.([A-Za-z0-9_-]{43})$/;
/** The payload's fields, all of them, in this order. */
const CLAIM_FIELDS = ['a', 'u', 'e', 'i'] as const;

const base64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

function hmac(secret: string, payload: string): Buffer {
  return createHmac('sha256', secret).update(payload).digest();
}

/** A user token: `<claims as base64url JSON>.<HMAC-SHA256 of them with the app secret>`. */
export function signToken(claims: TokenClaims, appSecret: string): string {
  const payload = base64url(JSON.stringify({ a: claims.appKey, u: claims.userId, e: claims.expiresAt, i: claims.issuedAt }));
  return `${payload}.${hmac(appSecret, payload).toString('base64url')}`;
}

export type TokenCheck = { ok: true; claims: TokenClaims } | { ok: false; code: number; reason: string };

const isTime = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;

/**
 * Checks a token for this app. Wrong signature or shape → RC_CONN_USER_OR_PASSWD_ERROR; another
 * app's token → RC_CONN_NOT_AUTHRORIZED; expired → RC_CONN_TOKEN_EXPIRE. Decoding is strict:
 * base64url without padding, the signature checked before the payload is parsed, and exactly
 * the fields a, u, e, i with bounded strings and integer times; anything else is malformed,
 * so no two spellings of one token exist and no field is ever read that was not signed as meant.
 * Revocation is the caller's: it needs the store (issuedAt against the user's valid-after).
 */
export function verifyToken(token: string, appKey: string, appSecret: string, now = Date.now()): TokenCheck {
  const incorrect = (reason: string): TokenCheck => ({ ok: false, code: ErrorCode.RC_CONN_USER_OR_PASSWD_ERROR, reason });
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return incorrect('token is malformed');
  const match = TOKEN_SHAPE.exec(token);
  if (!match) return incorrect('token is malformed');
  const [, payload, signature] = match as unknown as [string, string, string];
  const expected = hmac(appSecret, payload);
  const given = Buffer.from(signature, 'base64url');
  // Canonical base64url only: the last character's unused bits must be zero.
  if (given.toString('base64url') !== signature || payload !== base64url(Buffer.from(payload, 'base64url'))) {
    return incorrect('token is malformed');
  }
  const raw = parsePayload(payload);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    // Unsigned, so read for one thing only: whether to tell the client it holds another app's token.
    const claimedApp = (raw as { a?: unknown } | undefined)?.a;
    return typeof claimedApp === 'string' && claimedApp !== appKey
      ? { ok: false, code: ErrorCode.RC_CONN_NOT_AUTHRORIZED, reason: 'token belongs to another app' }
      : incorrect('token signature is wrong');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return incorrect('token is malformed');
  const claims = raw as Record<string, unknown>;
  const keys = Object.keys(claims);
  // A token signed before issued-at existed ({a, u, e}) stays good until it expires, as issued at
  // time 0: any revocation of its user refuses it.
  const fields = keys.length === CLAIM_FIELDS.length - 1 && !Object.hasOwn(claims, 'i') ? CLAIM_FIELDS.filter((field) => field !== 'i') : CLAIM_FIELDS;
  if (keys.length !== fields.length || !fields.every((field) => Object.hasOwn(claims, field))) {
    return incorrect('token is malformed');
  }
  const { a, u, e, i = 0 } = claims;
  if (typeof a !== 'string' || a.length === 0 || a.length > MAX_APP_KEY_LENGTH || !isValidId(u) || !isTime(e) || !isTime(i) || i > e) {
    return incorrect('token is malformed');
  }
  if (a !== appKey) return { ok: false, code: ErrorCode.RC_CONN_NOT_AUTHRORIZED, reason: 'token belongs to another app' };
  if (e <= now) return { ok: false, code: ErrorCode.RC_CONN_TOKEN_EXPIRE, reason: 'token expired' };
  return { ok: true, claims: { appKey: a, userId: u, expiresAt: e, issuedAt: i } };
}

function parsePayload(payload: string): unknown {
  try {
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

/** A token issued before the user's revocation time; refused like a wrong token (no retry). */
export const REVOKED_TOKEN = { ok: false, code: ErrorCode.RC_CONN_USER_OR_PASSWD_ERROR, reason: 'token was revoked' } as const;

export interface SignatureOptions {
  /** Also accept the seed's sha1(appSecret + nonce + timestamp), which binds nothing of the request. */
  acceptSeedSignature: boolean;
  /** Remembers nonces for the signature window. */
  nonces: NonceCache;
  now?: number;
}

export type SignatureCheck = { ok: true } | { ok: false; status: number; reason: string };

const MAX_NONCE_LENGTH = 128;
const HEX_SHA1 = /^[0-9a-f]{40}$/;
const HEX_SHA256 = /^[0-9a-f]{64}$/;

/**
 * Checks an app-server request: App-Key, a Timestamp within SIGNATURE_MAX_AGE_MS, a Signature
 * over method, path, nonce, timestamp and body (api-signing.ts), or the seed's when accepted, and
 * a Nonce not seen within the window (so a captured request cannot be sent again). `body` is the
 * raw body, read before the check because the signature covers it.
 */
export function verifyApiSignature(
  request: { method: string; path: string; headers: Record<string, string | string[] | undefined>; body: Uint8Array },
  appKey: string, appSecret: string, options: SignatureOptions,
): SignatureCheck {
  const now = options.now ?? Date.now();
  const refuse = (reason: string): SignatureCheck => ({ ok: false, status: 401, reason });
  const header = (name: string) => {
    const value = request.headers[name];
    return typeof value === 'string' ? value : undefined;
  };
  const key = header('app-key');
  const nonce = header('nonce');
  const timestamp = header('timestamp');
  const signature = header('signature')?.toLowerCase();
  if (!key || !nonce || !timestamp || !signature) return refuse('App-Key, Nonce, Timestamp and Signature headers are required');
  if (key !== appKey) return refuse('unknown App-Key');
  if (nonce.length > MAX_NONCE_LENGTH) return refuse(`Nonce is longer than ${MAX_NONCE_LENGTH}`);
  const time = Number(timestamp);
  if (!/^\d{1,16}$/.test(timestamp) || Math.abs(now - time) > SIGNATURE_MAX_AGE_MS) return refuse('Timestamp is stale');
  let expected: string;
  if (HEX_SHA256.test(signature)) {
    expected = apiSignature(appSecret, request.method, request.path, nonce, timestamp, bodySha256(request.body));
  } else if (HEX_SHA1.test(signature)) {
    if (!options.acceptSeedSignature) return refuse('the seed\'s sha1 signature is not accepted: sign method, path and body (HMAC-SHA256)');
    expected = seedApiSignature(appSecret, nonce, timestamp);
  } else {
    return refuse('Signature is wrong');
  }
  if (!timingSafeEqual(Buffer.from(signature), Buffer.from(expected))) return refuse('Signature is wrong');
  // Remembered only once the signature holds: no one else can fill the cache with our nonces.
  const remembered = options.nonces.remember(nonce, time + SIGNATURE_MAX_AGE_MS, now);
  if (remembered === 'seen') return refuse('Nonce was used already');
  if (remembered === 'full') return { ok: false, status: 503, reason: 'too many signed requests in the signature window; try again later' };
  return { ok: true };
}

/**
 * The nonces of the signature window. A nonce is kept until its request's timestamp leaves the
 * window (after that, the timestamp check refuses a replay). Bounded: past `capacity` live
 * nonces new requests are refused (503) rather than growing memory without end.
 */
export class NonceCache {
  private readonly expiries = new Map<string, number>();
  private insertsSinceSweep = 0;

  constructor(private readonly capacity = 1_000_000) {}

  remember(nonce: string, expiresAt: number, now = Date.now()): 'new' | 'seen' | 'full' {
    const known = this.expiries.get(nonce);
    if (known !== undefined && known > now) return 'seen';
    // Amortised: one pass over the map per `capacity / 100` inserts, and whenever it is full.
    if (++this.insertsSinceSweep >= this.capacity / 100 || this.expiries.size >= this.capacity) this.sweep(now);
    if (this.expiries.size >= this.capacity) return 'full';
    this.expiries.set(nonce, expiresAt);
    return 'new';
  }

  /** Drops the nonces whose requests left the window. */
  sweep(now = Date.now()): void {
    this.insertsSinceSweep = 0;
    for (const [nonce, expiresAt] of this.expiries) if (expiresAt <= now) this.expiries.delete(nonce);
  }
}
