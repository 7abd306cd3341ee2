import { createReadStream, mkdirSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type aws4Module from 'aws4';
import {
  BlobSizeError, BlobStoreError, checkBlobId, Meter, writeDurably, type BlobRange, type BlobStore,
} from './blob-store.js';

export interface S3Options {
  /** Where the service is: `http://127.0.0.1:9000`, `https://s3.eu-west-1.amazonaws.com`. Buckets are addressed by path. */
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Put before every object key (server-set, never from a request); default none. */
  prefix?: string;
  /** How long a request may go without progress before it fails (default 15 s). */
  timeoutMs?: number;
}

/**
 * `s3://ACCESS_KEY:SECRET@host:port/bucket?region=us-east-1&tls=false` (key and secret
 * percent-encoded; TLS on unless `tls=false`; `prefix=` optional) as S3 options.
 */
export function parseS3Url(text: string): S3Options {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error('the S3 URL must look like s3://ACCESS_KEY:SECRET@host:port/bucket?region=us-east-1&tls=false');
  }
  if (url.protocol !== 's3:') throw new Error('the S3 URL must start with s3://');
  const bucket = decodeURIComponent(url.pathname.replace(/^\/+|\/+$/g, ''));
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw new Error(`the S3 URL must name one bucket (3-63 of a-z 0-9 . -), not "${bucket}"`);
  if (!url.hostname) throw new Error('the S3 URL must name a host');
  if (!url.username || !url.password) throw new Error('the S3 URL must carry ACCESS_KEY:SECRET@');
  const tls = url.searchParams.get('tls');
  if (tls !== null && tls !== 'true' && tls !== 'false') throw new Error('tls= must be true or false');
  const prefix = url.searchParams.get('prefix') ?? '';
  if (!/^[A-Za-z0-9_.\/-]*$/.test(prefix)) throw new Error('prefix= may hold only A-Z a-z 0-9 _ . / -');
  return {
    endpoint: `${tls === 'false' ? 'http' : 'https'}://${url.host}`,
    bucket,
    region: url.searchParams.get('region') ?? 'us-east-1',
    accessKeyId: decodeURIComponent(url.username),
    secretAccessKey: decodeURIComponent(url.password),
    ...(prefix ? { prefix } : {}),
  };
}

/** Loaded on first use, so that a server without S3 needs no aws4 installed. */
let aws4: typeof aws4Module | undefined;

interface Answer {
  response: IncomingMessage;
  status: number;
}

/**
 * Objects in a bucket of any S3-compatible service (AWS S3, MinIO, s3rver…), one object per file,
 * over signed (SigV4, aws4) path-style requests. An upload is first spooled to a local file, which
 * gives its length and checksum, then sent in one PUT, streamed from disk: S3 makes the object
 * visible only once the PUT completes, so a cut upload leaves nothing readable.
 */
export class S3BlobStore implements BlobStore {
  readonly description: string;
  private readonly endpoint: URL;
  private readonly agent: HttpAgent;
  private readonly timeoutMs: number;

  /** `spoolDir`: a local directory (of this node) for uploads on their way. */
  constructor(private readonly options: S3Options, private readonly spoolDir: string) {
    this.endpoint = new URL(options.endpoint);
    if (this.endpoint.protocol !== 'http:' && this.endpoint.protocol !== 'https:') throw new Error('the S3 endpoint must be http: or https:');
    this.agent = this.endpoint.protocol === 'https:' ? new HttpsAgent({ keepAlive: true }) : new HttpAgent({ keepAlive: true });
    this.timeoutMs = options.timeoutMs ?? 15_000;
    this.description = `s3 ${this.endpoint.origin}/${options.bucket}`;
    mkdirSync(spoolDir, { recursive: true });
  }

  async put(id: string, source: Readable | Uint8Array, options: { size?: number } = {}): Promise<number> {
    checkBlobId(id);
    const spool = join(this.spoolDir, `${id}.part`);
    const meter = new Meter(true);
    // A scratch copy: the PUT is what makes it durable.
    const size = await writeDurably(spool, source, meter, false);
    try {
      if (options.size !== undefined && size !== options.size) throw new BlobSizeError(options.size, size);
      const { response, status } = await this.send('PUT', id, {
        headers: { 'Content-Length': String(size), 'Content-Type': 'application/octet-stream', 'X-Amz-Content-Sha256': meter.digest() },
        body: () => createReadStream(spool),
      });
      if (status !== 200) throw await this.failure('PUT', response, status);
      response.resume();
      return size;
    } finally {
      await rm(spool, { force: true });
    }
  }

  async get(id: string, range?: BlobRange): Promise<{ body: Readable; size: number } | undefined> {
    checkBlobId(id);
    const { response, status } = await this.send('GET', id, range ? { headers: { Range: `bytes=${range.start}-${range.end}` } } : {});
    if (status === 404) {
      const failure = await this.failure('GET', response, status);
      if (failure.kind === 'no-bucket') throw failure;
      return undefined;
    }
    if (status === 206) {
      const match = /^bytes \d+-\d+\/(\d+)$/.exec(String(response.headers['content-range'] ?? ''));
      if (!match) {
        response.resume();
        throw new BlobStoreError('failed', 'S3 answered a range without a usable Content-Range');
      }
      return { body: response, size: Number(match[1]) };
    }
    if (status === 200) {
      const size = Number(response.headers['content-length']);
      if (range && !(range.start === 0 && range.end === size - 1)) {
        // A service that ignores Range: not one this store can serve ranges from.
        response.resume();
        throw new BlobStoreError('failed', 'S3 ignored the Range header');
      }
      return { body: response, size };
    }
    throw await this.failure('GET', response, status);
  }

  async delete(id: string): Promise<void> {
    checkBlobId(id);
    const { response, status } = await this.send('DELETE', id, {});
    if (status !== 204 && status !== 200 && status !== 404) throw await this.failure('DELETE', response, status);
    response.resume();
  }

  /** Single PUTs leave nothing partial in the bucket; only this node's spool may hold leftovers. */
  async cleanupPartial(): Promise<number> {
    let removed = 0;
    for (const name of await readdir(this.spoolDir)) {
      if (!name.endsWith('.part')) continue;
      await rm(join(this.spoolDir, name), { force: true });
      removed++;
    }
    return removed;
  }

  async close(): Promise<void> {
    this.agent.destroy();
  }

  private key(id: string): string {
    return `${this.options.prefix ?? ''}${id}`;
  }

  /** One signed request; resolves once the answer's head is in. Network failures and silence become BlobStoreErrors. */
  private async send(method: 'GET' | 'PUT' | 'DELETE', id: string,
    { headers = {}, body }: { headers?: Record<string, string>; body?: () => Readable }): Promise<Answer> {
    aws4 ??= (await import('aws4')).default;
    const basePath = this.endpoint.pathname.replace(/\/+$/, '');
    const path = `${basePath}/${encodeURIComponent(this.options.bucket)}/${this.key(id).split('/').map(encodeURIComponent).join('/')}`;
    const signed = aws4.sign({
      method, protocol: this.endpoint.protocol, hostname: this.endpoint.hostname,
      ...(this.endpoint.port ? { port: Number(this.endpoint.port) } : {}),
      path, service: 's3', region: this.options.region,
      headers: { ...(body ? {} : { 'X-Amz-Content-Sha256': EMPTY_SHA256 }), ...headers },
    }, { accessKeyId: this.options.accessKeyId, secretAccessKey: this.options.secretAccessKey });
    const send = this.endpoint.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<Answer>((resolve, reject) => {
      let settled = false;
      let stream: Readable | undefined;
      const fail = (error: BlobStoreError) => {
        if (settled) return;
        settled = true;
        stream?.destroy();
        request.destroy();
        reject(error);
      };
      const request = send({
        protocol: this.endpoint.protocol, hostname: this.endpoint.hostname, port: this.endpoint.port || undefined,
        method, path, headers: signed.headers as OutgoingHttpHeaders, agent: this.agent, timeout: this.timeoutMs,
      }, (response) => {
        if (settled) return void response.resume();
        settled = true;
        // Silence after the head (a stalled body) ends the body with an error rather than hanging the reader.
        response.setTimeout(this.timeoutMs, () => response.destroy(new BlobStoreError('timeout', `S3 ${method} stalled for ${this.timeoutMs} ms`)));
        resolve({ response, status: response.statusCode ?? 0 });
      });
      request.on('timeout', () => fail(new BlobStoreError('timeout', `S3 ${method} got no answer in ${this.timeoutMs} ms from ${this.endpoint.origin}`)));
      request.on('error', (error: NodeJS.ErrnoException) => fail(new BlobStoreError('unreachable',
        `S3 ${method} to ${this.endpoint.origin} failed: ${error.code ?? error.message}`, { cause: error })));
      if (!body) {
        request.end();
        return;
      }
      stream = body();
      stream.on('error', (error) => fail(new BlobStoreError('failed', `reading the spooled upload failed: ${error.message}`, { cause: error })));
      stream.pipe(request);
    });
  }

  /** The error an unexpected answer stands for, from its status and the S3 error code in its body. */
  private async failure(method: string, response: IncomingMessage, status: number): Promise<BlobStoreError> {
    let text = '';
    try {
      for await (const chunk of response) {
        if (text.length < 4096) text += String(chunk);
      }
    } catch {
      // A body cut short still leaves the status.
    }
    const code = /<Code>([^<]{1,100})<\/Code>/.exec(text)?.[1] ?? '';
    const what = `S3 ${method} answered ${status}${code ? ` ${code}` : ''}`;
    if (code === 'NoSuchBucket') return new BlobStoreError('no-bucket', `${what}: bucket "${this.options.bucket}" does not exist`);
    if (status === 401 || status === 403) return new BlobStoreError('denied', `${what}: check the access key and secret`);
    if (status === 404) return new BlobStoreError('failed', what); // a missing object, told apart by the caller
    if (status === 503 || status === 429) return new BlobStoreError('unreachable', `${what}: the service is busy`);
    return new BlobStoreError('failed', what);
  }
}

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
