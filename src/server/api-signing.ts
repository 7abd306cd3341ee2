import { createHash, createHmac, randomUUID } from 'node:crypto';

/**
 * Signing of app-server API requests, shared by the server (which checks) and every caller
 * (which signs): the headers App-Key, Nonce, Timestamp and Signature, where Signature is the hex
 * HMAC-SHA256, keyed with the app secret, of the method, the path (with its query), the nonce,
 * the timestamp and the SHA-256 of the body. A signature therefore cannot be moved to another
 * request, and the server remembers nonces, so it cannot be replayed either.
 *
 * Plain node:crypto only: built on its own as dist/im-server-api.js for scripts that run without
 * a TypeScript loader.
 */

export interface ApiRequestToSign {
  appKey: string;
  appSecret: string;
  method: string;
  /** The request target as sent: path and query, e.g. `/api/user/token`. */
  path: string;
  /** The exact body bytes sent (none for a GET). */
  body?: string | Uint8Array;
  /** Defaults: a random UUID and the current time in ms. */
  nonce?: string;
  timestamp?: string;
}

const sha256Hex = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

/** What the signature covers, one field a line. */
export function signedText(method: string, path: string, nonce: string, timestamp: string, bodySha256Hex: string): string {
  return [method.toUpperCase(), path, nonce, timestamp, bodySha256Hex].join('\n');
}

/** The Signature header for a request whose body hashes to `bodySha256Hex`. */
export function apiSignature(appSecret: string, method: string, path: string, nonce: string, timestamp: string, bodySha256Hex: string): string {
  return createHmac('sha256', appSecret).update(signedText(method, path, nonce, timestamp, bodySha256Hex)).digest('hex');
}

/** The seed's signature: hex sha1(appSecret + nonce + timestamp); binds nothing of the request. */
export function seedApiSignature(appSecret: string, nonce: string, timestamp: string): string {
  return createHash('sha1').update(appSecret + nonce + timestamp).digest('hex');
}

export const bodySha256 = (body: string | Uint8Array | undefined): string => sha256Hex(body ?? '');

/** The four headers that sign one request; send the body exactly as given here. */
export function signApiRequest(request: ApiRequestToSign): Record<'App-Key' | 'Nonce' | 'Timestamp' | 'Signature', string> {
  const nonce = request.nonce ?? randomUUID();
  const timestamp = request.timestamp ?? String(Date.now());
  return {
    'App-Key': request.appKey,
    Nonce: nonce,
    Timestamp: timestamp,
    Signature: apiSignature(request.appSecret, request.method, request.path, nonce, timestamp, bodySha256(request.body)),
  };
}
