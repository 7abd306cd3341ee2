import { createHash, type Hash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Where uploaded files' bytes live, by file id. The ids are made by the server (128 random bits,
 * base64url); every store checks them again before they name a path or an object key.
 */
export interface BlobStore {
  /** What it is, for logs: `dir /srv/files`, `s3 http://host:9000/bucket`. */
  readonly description: string;
  /**
   * Stores the bytes of `source` under `id` and resolves with their count. Nothing is readable
   * under `id` before it resolves; if it rejects (the source failed or was destroyed, the store
   * failed, or `size` was given and the count differs) nothing is left behind.
   */
  put(id: string, source: Readable | Uint8Array, options?: { size?: number }): Promise<number>;
  /**
   * The bytes of `range` (inclusive, within the blob), or all of them, and the blob's total size;
   * undefined when there is no blob under `id`.
   */
  get(id: string, range?: BlobRange): Promise<{ body: Readable; size: number } | undefined>;
  /** Removes the blob; no blob is not an error. */
  delete(id: string): Promise<void>;
  /** Removes what uploads cut short (by a crash) left behind; resolves with how many. */
  cleanupPartial(): Promise<number>;
  close(): Promise<void>;
}

export interface BlobRange {
  start: number;
  /** Inclusive. */
  end: number;
}

/** Why a store could not do what was asked: the file service answers 502/503 and logs once per kind. */
export type BlobStoreErrorKind = 'unreachable' | 'timeout' | 'denied' | 'no-bucket' | 'failed';

export class BlobStoreError extends Error {
  constructor(readonly kind: BlobStoreErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BlobStoreError';
  }
}

/** Thrown by `put` when the bytes stored are not as many as were announced. */
export class BlobSizeError extends Error {
  constructor(readonly expected: number, readonly actual: number) {
    super(`stored ${actual} bytes where ${expected} were expected`);
    this.name = 'BlobSizeError';
  }
}

/** The shape of a server-made file id; anything else never reaches a path or a key. */
export const BLOB_ID = /^[A-Za-z0-9_-]{22}$/;

export function checkBlobId(id: string): void {
  if (!BLOB_ID.test(id)) throw new Error(`not a file id: ${JSON.stringify(id).slice(0, 40)}`);
}

/** Counts (and optionally hashes) what passes through. */
export class Meter extends Transform {
  bytes = 0;
  private readonly hash: Hash | undefined;
  constructor(hashing = false) {
    super();
    this.hash = hashing ? createHash('sha256') : undefined;
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    this.hash?.update(chunk);
    callback(null, chunk);
  }
  digest(): string {
    return this.hash!.digest('hex');
  }
}

export function toReadable(source: Readable | Uint8Array): Readable {
  return source instanceof Readable ? source : Readable.from([Buffer.from(source.buffer, source.byteOffset, source.byteLength)]);
}

/**
 * Writes `source` to `path` (which must not exist) and flushes it to disk (unless `sync` is
 * false); on any failure the file is removed before the returned promise rejects.
 */
export async function writeDurably(path: string, source: Readable | Uint8Array, meter = new Meter(), sync = true): Promise<number> {
  const out = createWriteStream(path, { flags: 'wx' });
  // A write still in flight fails once the stream is destroyed; that failure is expected.
  out.on('error', () => undefined);
  try {
    await pipeline(toReadable(source), meter, out);
    if (!sync) return meter.bytes;
    const handle = await open(path, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    return meter.bytes;
  } catch (error) {
    // It may still be opening its file: removed before it exists, the file would stay.
    if (!out.closed) await new Promise<void>((resolve) => {
      out.once('close', () => resolve());
      out.destroy();
    });
    await rm(path, { force: true });
    throw error;
  }
}

/** Uploads in progress are at least this old before a starting node may take them for leftovers. */
export const PARTIAL_MIN_AGE_MS = 60 * 60 * 1000;

/**
 * Files in a directory: `<dir>/<id>`, written as `<id>.part`, flushed and renamed, so that a
 * reader sees a whole file or none. The directory may be shared by several nodes (NFS and the
 * like): renames are atomic there too, and a starting node removes only `.part` files no one has
 * written to for an hour, so another node's upload in progress is left alone.
 */
export class LocalDirBlobStore implements BlobStore {
  readonly description: string;

  constructor(private readonly dir: string, private readonly partialMinAgeMs = PARTIAL_MIN_AGE_MS) {
    mkdirSync(dir, { recursive: true });
    this.description = `dir ${dir}`;
  }

  async put(id: string, source: Readable | Uint8Array, options: { size?: number } = {}): Promise<number> {
    checkBlobId(id);
    const finalPath = join(this.dir, id);
    const partPath = `${finalPath}.part`;
    const size = await writeDurably(partPath, source);
    if (options.size !== undefined && size !== options.size) {
      await rm(partPath, { force: true });
      throw new BlobSizeError(options.size, size);
    }
    try {
      await rename(partPath, finalPath);
    } catch (error) {
      await rm(partPath, { force: true });
      throw error;
    }
    return size;
  }

  async get(id: string, range?: BlobRange): Promise<{ body: Readable; size: number } | undefined> {
    checkBlobId(id);
    const path = join(this.dir, id);
    let handle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    try {
      const { size } = await handle.stat();
      // The stream owns the descriptor from here: it closes it at its end or when destroyed.
      const body = createReadStream('', { fd: handle, autoClose: true, ...(range ? { start: range.start, end: range.end } : {}) });
      return { body, size };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  async delete(id: string): Promise<void> {
    checkBlobId(id);
    await rm(join(this.dir, id), { force: true });
  }

  async cleanupPartial(): Promise<number> {
    let removed = 0;
    const now = Date.now();
    for (const name of await readdir(this.dir)) {
      if (!name.endsWith('.part')) continue;
      const path = join(this.dir, name);
      try {
        if (now - (await stat(path)).mtimeMs < this.partialMinAgeMs) continue;
        await rm(path, { force: true });
        removed++;
      } catch {
        // Gone already: finished or removed by another node.
      }
    }
    return removed;
  }

  async close(): Promise<void> {}
}
