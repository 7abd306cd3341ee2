import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ErrorCode } from '../core/protocol/codes.js';
import { drainRequest, HttpError, readJson, sendJson } from './app-api.js';
import { REVOKED_TOKEN, verifyToken } from './auth.js';
import { StoreUnavailable, type ChatStore } from './storage/chat-store.js';
import { BlobStoreError, LocalDirBlobStore, PARTIAL_MIN_AGE_MS, type BlobStore } from './storage/blob-store.js';
import { SqliteFileMetaStore, type FileMetaStore, type FileRecord } from './storage/file-store.js';
import { PgFileMetaStore } from './storage/pg-file-meta-store.js';
import { S3BlobStore, type S3Options } from './storage/s3-blob-store.js';

/**
 * Uploads and downloads.
 *
 *   POST /files[?disposition=inline|attachment]   Authorization: Bearer <user token>,
 *        X-File-Name: <percent-encoded UTF-8>, body: the raw bytes
 *        → 201 { fileId, url, name, size, type }; 413 over the size limit.
 *   POST /files/sign   Authorization: Bearer <user token>, { urls: [...] } or { ids: [...] }
 *        → 200 { urls: { <fileId>: <signed url> } }, only for files the user may read.
 *   GET|HEAD /files/<id>?u=<userId>&e=<expiry ms>&s=<signature>   (or with the bearer token)
 *        → the bytes, Range supported; 403 without a valid signature of a user still allowed,
 *        404 for an unknown id.
 *   OPTIONS: CORS preflight. Errors are JSON { code, errorMessage[, errorCode] }.
 *
 * A file may be read by its uploader and by whoever may read a conversation it was sent to (see
 * `noteSent`), as they are at the time of reading: a user who leaves a group loses its files, an
 * agent reads a visitor's files while serving them, a chatroom's files are its members' now.
 * Signed URLs exist because an <img src> or <a href> cannot carry a bearer token.
 */
export const FILES_PATH = '/files';
export const DEFAULT_MAX_UPLOAD_BYTES = 20 * 1024 * 1024;
export const SIGNED_URL_TTL_MS = 60 * 60 * 1000;
const MAX_SIGN_REQUEST = 200;
const SNIFF_BYTES = 512;
/** What a 503 asks the client to wait before trying again. */
const RETRY_AFTER_SECONDS = '5';
/** 128 random bits, base64url. */
const FILE_ID = /^[A-Za-z0-9_-]{22}$/;
const FILE_URL = /https?:\/\/[^\s/"'<>]+\/files\/([A-Za-z0-9_-]{22})(?![A-Za-z0-9_-])/g;
/** Media a browser renders without running anything; everything else is only ever downloaded. */
const INLINE_SAFE_TYPES: ReadonlySet<string> = new Set([
  'image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/bmp',
  'audio/mpeg', 'audio/mp4', 'audio/aac', 'audio/ogg', 'audio/wav',
  'video/mp4', 'video/quicktime', 'video/webm', 'video/x-matroska', 'video/ogg',
  'application/pdf',
]);

const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-methods': 'GET, HEAD, POST, OPTIONS',
  'access-control-allow-headers': 'Authorization, Content-Type, X-File-Name, Range',
  'access-control-expose-headers': 'Content-Range, Content-Length, Content-Disposition, Accept-Ranges',
  'access-control-max-age': '600',
};

/** Whether a user may read a conversation's messages now, by its key (the chat service's rule). */
export type ConversationAccess = (userId: string, conversationKey: string) => Promise<boolean>;

export interface FilesOptions {
  appKey: string;
  appSecret: string;
  maxUploadBytes: number;
  store: ChatStore;
  /** Files' metadata and grants (see `openFileStores`). */
  meta: FileMetaStore;
  /** Files' bytes (see `openFileStores`). */
  blobs: BlobStore;
  log?: (message: string) => void;
}

/**
 * Where files go. Defaults: metadata in `<dataDir>/files.db` (SQLite), bytes in `<dataDir>/files/`.
 * A cluster needs both shared: `meta: { postgres: url }` and `blobs: { dir: <shared dir> }` or `{ s3 }`.
 */
export interface FileStorageOptions {
  meta?: 'sqlite' | { postgres: string };
  blobs?: { dir: string } | { s3: S3Options };
}

/** Opens the stores `options` name and removes what uploads cut short by a crash left behind. */
export async function openFileStores(options: FileStorageOptions | undefined, dataDir: string,
  log: (message: string) => void = () => undefined): Promise<{ meta: FileMetaStore; blobs: BlobStore }> {
  const spec = options?.blobs;
  const blobs: BlobStore = spec && 's3' in spec
    ? new S3BlobStore(spec.s3, join(dataDir, 'files-spool'))
    // The directory of this node alone: any .part file in it is a leftover. A shared one may hold other nodes' uploads in progress.
    : new LocalDirBlobStore(spec?.dir ?? join(dataDir, 'files'), spec ? PARTIAL_MIN_AGE_MS : 0);
  await blobs.cleanupPartial();
  const metaSpec = options?.meta;
  let meta: FileMetaStore;
  try {
    meta = metaSpec && metaSpec !== 'sqlite' ? await PgFileMetaStore.open(metaSpec.postgres, { log }) : new SqliteFileMetaStore(join(dataDir, 'files.db'));
  } catch (error) {
    await blobs.close();
    throw error;
  }
  return { meta, blobs };
}

/** What the first bytes say a file is; `application/octet-stream` when they say nothing known. */
export function sniffType(head: Uint8Array): string {
  const ascii = (start: number, end: number) => String.fromCharCode(...head.subarray(start, end));
  const starts = (...bytes: number[]) => bytes.every((byte, index) => head[index] === byte);
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'image/png';
  if (starts(0xff, 0xd8, 0xff)) return 'image/jpeg';
  if (ascii(0, 6) === 'GIF87a' || ascii(0, 6) === 'GIF89a') return 'image/gif';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') return 'image/webp';
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WAVE') return 'audio/wav';
  // BMP's two-letter magic is weak; its reserved header words must be zero too.
  if (ascii(0, 2) === 'BM' && head.length >= 14 && head[6] === 0 && head[7] === 0 && head[8] === 0 && head[9] === 0) return 'image/bmp';
  if (ascii(0, 5) === '%PDF-') return 'application/pdf';
  if (ascii(4, 8) === 'ftyp') {
    const brand = ascii(8, 12);
    if (brand === 'M4A ' || brand === 'M4B ') return 'audio/mp4';
    if (brand === 'qt  ') return 'video/quicktime';
    return 'video/mp4';
  }
  if (starts(0x1a, 0x45, 0xdf, 0xa3)) return ascii(0, head.length).includes('webm') ? 'video/webm' : 'video/x-matroska';
  if (ascii(0, 4) === 'OggS') return ascii(28, 36).includes('theora') ? 'video/ogg' : 'audio/ogg';
  if (ascii(0, 3) === 'ID3') return 'audio/mpeg';
  if (head.length >= 2 && head[0] === 0xff) {
    // ADTS: 12-bit sync, then a layer of 00; MPEG audio: 11-bit sync and a layer other than 00.
    if ((head[1]! & 0xf6) === 0xf0) return 'audio/aac';
    if ((head[1]! & 0xe0) === 0xe0 && (head[1]! & 0x06) !== 0) return 'audio/mpeg';
  }
  if (starts(0x50, 0x4b, 0x03, 0x04) || starts(0x50, 0x4b, 0x05, 0x06)) return 'application/zip';
  return 'application/octet-stream';
}

/**
 * A file name safe to store and to show: no path separators, control or bidirectional-override
 * characters, at most 255 UTF-8 bytes; `file` when nothing is left.
 */
export function sanitizeFileName(header: string | undefined): string {
  let name = '';
  try {
    name = decodeURIComponent(header ?? '');
  } catch {
    name = '';
  }
  name = name.normalize('NFC')
    .replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '')
    .replace(/[/\\]/g, '_')
    .replace(/^[\s.]+|[\s.]+$/g, '');
  const encoder = new TextEncoder();
  while (encoder.encode(name).length > 255) name = [...name].slice(0, -1).join('');
  return name || 'file';
}

/** `attachment; filename="…"; filename*=UTF-8''…` (RFC 6266 / RFC 5987). */
export function contentDisposition(kind: 'inline' | 'attachment', name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

/** The parsed Range header: a span, `unsatisfiable`, or undefined to serve the whole file. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  // Several ranges or another unit: the whole file is a valid answer (RFC 9110 §14.2).
  if (!match || (match[1] === '' && match[2] === '')) return undefined;
  if (match[1] === '') {
    const suffix = Number(match[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (match[2] !== '' && Number(match[2]) < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}

/** A key of its own, so that no URL signature can ever pass for a token's signature or the other way round. */
export function fileSigningKey(appSecret: string): Buffer {
  return createHmac('sha256', appSecret).update('im-widget file urls').digest();
}

/** The `s` of a signed file URL. */
export function fileUrlSignature(key: Buffer, fileId: string, userId: string, expiresAt: number): string {
  return createHmac('sha256', key).update(`${fileId}\n${userId}\n${expiresAt}`).digest('base64url');
}

/**
 * The file endpoints and the record of which conversations each file was sent to. One instance
 * per server; `noteSent` is the chat service's hook after a message is stored.
 */
export class FileService {
  readonly meta: FileMetaStore;
  readonly blobs: BlobStore;
  private readonly signingKey: Buffer;
  private readonly log: (message: string) => void;
  /** Kinds of blob store failures logged already: each is logged once, not once per request. */
  private readonly loggedFailures = new Set<string>();

  constructor(private readonly options: FilesOptions) {
    this.meta = options.meta;
    this.blobs = options.blobs;
    this.signingKey = fileSigningKey(options.appSecret);
    this.log = options.log ?? (() => undefined);
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.meta.close(), this.blobs.close()]);
  }

  /** The uploader alone, until the chat service gives its rule (it does as it is made). */
  private conversationAccess: ConversationAccess = async () => false;

  /** Reads of files follow `access`, the chat service's rule for reading a conversation. */
  useConversationAccess(access: ConversationAccess): void {
    this.conversationAccess = access;
  }

  /** Whether the user may read the file now: its uploader, or a reader of a conversation it was sent to. */
  async mayRead(file: FileRecord, userId: string): Promise<boolean> {
    if (file.uploaderId === userId) return true;
    for (const key of await this.meta.grants(file.fileId)) {
      if (await this.conversationAccess(userId, key)) return true;
    }
    return false;
  }

  /**
   * Records the conversation as a reader of every file of this server the message content
   * links to, when the sender may read that file: a URL alone must not be a key, or anyone who
   * saw one could grant themselves the file by sending it to a chat of their own.
   */
  async noteSent(conversationKey: string, content: Uint8Array, senderUserId: string): Promise<void> {
    try {
      if (Buffer.from(content.buffer, content.byteOffset, content.byteLength).indexOf('/files/') < 0) return;
      const ids = new Set<string>();
      const visit = (value: unknown): void => {
        if (typeof value === 'string') {
          for (const match of value.matchAll(FILE_URL)) ids.add(match[1]!);
        } else if (value && typeof value === 'object') {
          for (const inner of Object.values(value)) visit(inner);
        }
      };
      visit(JSON.parse(new TextDecoder().decode(content)));
      for (const id of ids) {
        const file = await this.meta.get(id);
        if (file && (await this.mayRead(file, senderUserId))) await this.meta.grant(id, conversationKey);
      }
    } catch (error) {
      // The message is stored already; a failed grant must not turn its send into a failure.
      this.log(`files: recording a sent file failed: ${(error as Error)?.stack ?? error}`);
    }
  }

  /** Handles a request under /files; false for any other path. */
  async handle(request: IncomingMessage, response: ServerResponse): Promise<boolean> {
    const [path = '', queryString = ''] = (request.url ?? '/').split('?');
    if (path !== FILES_PATH && !path.startsWith(`${FILES_PATH}/`)) return false;
    for (const [name, value] of Object.entries(CORS_HEADERS)) response.setHeader(name, value);
    // A client that drops the connection mid-body is handled where the body is read.
    request.on('error', () => undefined);
    const query = new URLSearchParams(queryString);
    try {
      if (request.method === 'OPTIONS') {
        response.writeHead(204, { 'content-length': 0 });
        response.end();
        return true;
      }
      if (path === FILES_PATH) {
        if (request.method !== 'POST') throw this.methodNotAllowed(response, 'POST, OPTIONS');
        await this.upload(request, response, query);
        return true;
      }
      if (path === `${FILES_PATH}/sign`) {
        if (request.method !== 'POST') throw this.methodNotAllowed(response, 'POST, OPTIONS');
        await this.sign(request, response);
        return true;
      }
      const id = path.slice(FILES_PATH.length + 1);
      if (request.method !== 'GET' && request.method !== 'HEAD') throw this.methodNotAllowed(response, 'GET, HEAD, OPTIONS');
      await this.serve(request, response, id, query);
      return true;
    } catch (error) {
      if (response.headersSent || response.destroyed) return true;
      if (error instanceof AuthError) {
        sendJson(response, error.status, { code: error.status, errorMessage: error.message, errorCode: error.errorCode });
      } else if (error instanceof HttpError) {
        sendJson(response, error.status, { code: error.status, errorMessage: error.message });
      } else if (error instanceof BlobStoreError) {
        const status = this.storeFailed(error);
        if (status === 503) response.setHeader('retry-after', RETRY_AFTER_SECONDS);
        sendJson(response, status, {
          code: status, errorMessage: status === 503 ? 'file storage is unavailable; try again later' : 'file storage failed',
        });
      } else if (error instanceof StoreUnavailable) {
        // The files' metadata database is out (past its own wait): nothing was stored or given out.
        this.log(`files: ${error.message}`);
        response.setHeader('retry-after', RETRY_AFTER_SECONDS);
        sendJson(response, 503, { code: 503, errorMessage: 'file storage is unavailable; try again later' });
      } else {
        if (request.destroyed || request.errored) return true; // the client went away mid-body
        throw error;
      }
      return true;
    }
  }

  /** Logs the first failure of each kind; the status to answer with. */
  private storeFailed(error: BlobStoreError): 502 | 503 {
    if (!this.loggedFailures.has(error.kind)) {
      this.loggedFailures.add(error.kind);
      this.log(`files: ${this.blobs.description}: ${error.message} (later "${error.kind}" failures are not logged)`);
    }
    return error.kind === 'unreachable' || error.kind === 'timeout' ? 503 : 502;
  }

  /** After failures were logged: says once that the store works again, so that the next failure is logged too. */
  private storeRecovered(): void {
    if (this.loggedFailures.size === 0) return;
    this.loggedFailures.clear();
    this.log(`files: ${this.blobs.description} works again`);
  }

  private methodNotAllowed(response: ServerResponse, allow: string): HttpError {
    response.setHeader('allow', allow);
    return new HttpError(405, 'method not allowed');
  }

  private async authenticate(request: IncomingMessage): Promise<string> {
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new AuthError(401, 'Authorization: Bearer <token> is required', ErrorCode.RC_CONN_USER_OR_PASSWD_ERROR);
    const check = verifyToken(match[1]!, this.options.appKey, this.options.appSecret);
    if (!check.ok) throw new AuthError(401, check.reason, check.code);
    if (check.claims.issuedAt < await this.options.store.tokensValidAfter(check.claims.userId)) {
      throw new AuthError(401, REVOKED_TOKEN.reason, REVOKED_TOKEN.code);
    }
    return check.claims.userId;
  }

  /** The origin the client reached this server at (behind a TLS proxy, as it says). */
  private origin(request: IncomingMessage): string {
    const forwarded = String(request.headers['x-forwarded-proto'] ?? '').split(',')[0]!.trim();
    const scheme = forwarded === 'https' ? 'https' : 'http';
    const host = request.headers.host;
    const safeHost = host && /^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(host)
      ? host : `${request.socket.localAddress}:${request.socket.localPort}`;
    return `${scheme}://${safeHost}`;
  }

  private async upload(request: IncomingMessage, response: ServerResponse, query: URLSearchParams): Promise<void> {
    const userId = await this.authenticate(request);
    const max = this.options.maxUploadBytes;
    const requested = query.get('disposition');
    if (requested !== null && requested !== 'inline' && requested !== 'attachment') {
      throw new HttpError(400, 'disposition must be inline or attachment');
    }
    const declared = Number(request.headers['content-length']);
    if (declared > max) return this.refuseOversize(request, response, max);

    const fileId = randomBytes(16).toString('base64url');
    let size = 0;
    let head = Buffer.alloc(0);
    // The store reads the body through this, so that the request stays ours: on an oversize body
    // it must stay open for the 413.
    const body = new PassThrough();
    const stored = this.blobs.put(fileId, body);
    const outcome = await new Promise<'done' | 'oversize' | 'aborted'>((resolve, reject) => {
      const settle = (result: 'done' | 'oversize' | 'aborted' | Error) => {
        request.off('data', onData);
        request.off('end', onEnd);
        request.off('close', onClose);
        if (result instanceof Error) reject(result);
        else resolve(result);
      };
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        if (size > max) return settle('oversize');
        if (head.length < SNIFF_BYTES) head = Buffer.concat([head, chunk.subarray(0, SNIFF_BYTES - head.length)]);
        if (!body.write(chunk)) {
          request.pause();
          body.once('drain', () => request.resume());
        }
      };
      const onEnd = () => {
        settle('done');
        body.end();
      };
      const onClose = () => {
        if (!request.complete) settle('aborted');
      };
      request.on('data', onData);
      request.once('end', onEnd);
      request.once('close', onClose);
      // The store failed while the body was coming (a full disk): stop reading.
      stored.catch((error: Error) => settle(error));
    }).catch(async (error: unknown) => {
      body.destroy();
      await stored.catch(() => undefined);
      throw error;
    });
    if (outcome !== 'done') {
      // Gone before the client hears 413, so no answer ever points at a partial file.
      body.destroy(new Error(`upload ${outcome}`));
      await stored.catch(() => undefined);
      if (outcome === 'oversize') this.refuseOversize(request, response, max);
      return;
    }
    const storedSize = await stored;
    this.storeRecovered();
    if (storedSize !== size) {
      await this.blobs.delete(fileId);
      throw new Error(`the file store kept ${storedSize} of ${size} bytes`);
    }
    const sniffedType = sniffType(head);
    const record: FileRecord = {
      fileId, uploaderId: userId, name: sanitizeFileName(headerString(request, 'x-file-name')), size, sniffedType,
      declaredType: (headerString(request, 'content-type') ?? '').slice(0, 255),
      disposition: (requested ?? (INLINE_SAFE_TYPES.has(sniffedType) ? 'inline' : 'attachment')) as 'inline' | 'attachment',
      createdAt: Date.now(),
    };
    try {
      await this.meta.add(record);
    } catch (error) {
      await this.blobs.delete(fileId).catch(() => undefined);
      throw error;
    }
    sendJson(response, 201, {
      fileId, url: `${this.origin(request)}${FILES_PATH}/${fileId}`, name: record.name, size, type: sniffedType,
    });
  }

  /** Answers 413, and lets the client finish sending (up to a bound) so that it hears it. */
  private refuseOversize(request: IncomingMessage, response: ServerResponse, max: number): void {
    sendJson(response, 413, { code: 413, errorMessage: `file exceeds ${max} bytes` });
    drainRequest(request, Math.max(64 * 1024 * 1024, 4 * max));
  }

  private async sign(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const userId = await this.authenticate(request);
    const body = await readJson(request);
    const given = Array.isArray(body.ids) ? body.ids : Array.isArray(body.urls) ? body.urls : undefined;
    if (!given || given.length > MAX_SIGN_REQUEST || !given.every((value) => typeof value === 'string')) {
      throw new HttpError(400, `ids or urls must be an array of at most ${MAX_SIGN_REQUEST} strings`);
    }
    const ids = new Set<string>();
    for (const value of given as string[]) {
      const id = Array.isArray(body.ids) ? value : fileIdOfUrl(value);
      if (id && FILE_ID.test(id)) ids.add(id);
    }
    const expiresAt = Date.now() + SIGNED_URL_TTL_MS;
    const origin = this.origin(request);
    const urls: Record<string, string> = {};
    for (const id of ids) {
      const file = await this.meta.get(id);
      if (!file || !(await this.mayRead(file, userId))) continue;
      urls[id] = `${origin}${FILES_PATH}/${id}?u=${encodeURIComponent(userId)}&e=${expiresAt}&s=${this.signature(id, userId, expiresAt)}`;
    }
    sendJson(response, 200, { urls });
  }

  private signature(fileId: string, userId: string, expiresAt: number): string {
    return fileUrlSignature(this.signingKey, fileId, userId, expiresAt);
  }

  /** The reader a GET names: a signed URL's user, or the bearer token's. */
  private async reader(request: IncomingMessage, fileId: string, query: URLSearchParams): Promise<{ userId: string; until: number }> {
    const userId = query.get('u');
    const expiry = query.get('e');
    const signature = query.get('s');
    if (userId === null && expiry === null && signature === null && request.headers.authorization) {
      return { userId: await this.authenticate(request), until: Date.now() + SIGNED_URL_TTL_MS };
    }
    if (!userId || !expiry || !signature || !/^\d{1,15}$/.test(expiry)) throw new AuthError(403, 'a signed URL is required');
    const expected = Buffer.from(this.signature(fileId, userId, Number(expiry)));
    const presented = Buffer.from(signature);
    if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) throw new AuthError(403, 'signature is wrong');
    if (Number(expiry) <= Date.now()) throw new AuthError(403, 'signed URL expired');
    return { userId, until: Number(expiry) };
  }

  private async serve(request: IncomingMessage, response: ServerResponse, fileId: string, query: URLSearchParams): Promise<void> {
    const file = FILE_ID.test(fileId) ? await this.meta.get(fileId) : undefined;
    if (!file) throw new HttpError(404, 'no such file');
    const { userId, until } = await this.reader(request, fileId, query);
    if (!(await this.mayRead(file, userId))) throw new AuthError(403, 'not allowed to read this file');
    const size = file.size;
    const type = servedType(file.sniffedType);
    const disposition = INLINE_SAFE_TYPES.has(file.sniffedType) && file.disposition === 'inline' ? 'inline' : 'attachment';
    const headers: Record<string, string | number> = {
      'content-type': type,
      'content-disposition': contentDisposition(disposition, file.name),
      'x-content-type-options': 'nosniff',
      'content-security-policy': "default-src 'none'; sandbox",
      'cross-origin-resource-policy': 'cross-origin',
      'cache-control': `private, max-age=${Math.max(0, Math.floor((until - Date.now()) / 1000))}`,
      'accept-ranges': 'bytes',
      etag: `"${fileId}"`,
      'last-modified': new Date(file.createdAt).toUTCString(),
    };
    const range = parseRange(headerString(request, 'range'), size);
    if (range === 'unsatisfiable') {
      response.writeHead(416, { ...headers, 'content-range': `bytes */${size}`, 'content-length': 0 });
      response.end();
      return;
    }
    const status = range ? 206 : 200;
    const start = range?.start ?? 0;
    const end = range?.end ?? size - 1;
    let body: Readable | undefined;
    if (request.method !== 'HEAD' && size > 0) {
      // Fetched before the head is written, so that a store failure can still be answered.
      const blob = await this.blobs.get(fileId, range);
      if (!blob || blob.size !== size) {
        blob?.body.destroy();
        this.log(`files: ${fileId} is recorded with ${size} bytes but the store has ${blob ? blob.size : 'none'}`);
        throw new HttpError(blob ? 500 : 404, blob ? 'file damaged' : 'no such file');
      }
      body = blob.body;
      this.storeRecovered();
    }
    if (range) headers['content-range'] = `bytes ${start}-${end}/${size}`;
    headers['content-length'] = Math.max(0, end - start + 1);
    response.writeHead(status, headers);
    if (!body) {
      response.end();
      return;
    }
    try {
      await pipeline(body, response);
    } catch (error) {
      // The reader went away mid-file (nothing to answer), or the store failed mid-file (the
      // reader sees a cut response).
      if (error instanceof BlobStoreError) this.storeFailed(error);
    }
  }
}

class AuthError extends Error {
  constructor(readonly status: 401 | 403, message: string, readonly errorCode: number = ErrorCode.RC_MSG_UNAUTHORIZED) {
    super(message);
  }
}

function servedType(sniffed: string): string {
  return INLINE_SAFE_TYPES.has(sniffed) ? sniffed : 'application/octet-stream';
}

function headerString(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return typeof value === 'string' ? value : undefined;
}

function fileIdOfUrl(value: string): string | undefined {
  try {
    const match = /^\/files\/([A-Za-z0-9_-]{22})$/.exec(new URL(value).pathname);
    return match?.[1];
  } catch {
    return undefined;
  }
}
