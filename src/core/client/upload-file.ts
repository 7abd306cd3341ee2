import { ErrorCode } from '../protocol/codes.js';
import type { FetchLike } from '../transport/transport.js';
import { IMError } from './errors.js';
import { fileHttpError, type UploadedFile, type UploadOptions, type UploadSource } from './upload.js';

// Uploading itself, apart from upload.ts (the types, the server's HTTP base, signed URLs, all
// needed whenever files show): the client loads it with the thumbnails and the media messages
// (send-files.ts) when the user first sends a file.

/** Piece size of a streamed upload in Node: progress moves at least this finely. */
const NODE_CHUNK_BYTES = 64 * 1024;

/** Reports whole percents only when they rise, so listeners see a monotonic sequence ending at 100. */
class Progress {
  private last = -1;
  constructor(private readonly total: number, private readonly listener: UploadOptions['onProgress']) {}

  report(loaded: number): void {
    // 100 means stored: the bytes being sent is not the upload being done.
    const percent = this.total === 0 ? 99 : Math.min(99, Math.floor((loaded / this.total) * 100));
    this.emit(percent, Math.min(loaded, this.total));
  }

  finish(): void {
    this.emit(100, this.total);
  }

  private emit(percent: number, loaded: number): void {
    if (percent <= this.last) return;
    this.last = percent;
    this.listener?.(percent, loaded, this.total);
  }
}

function abortError(signal: AbortSignal): IMError {
  const error = new IMError(ErrorCode.RC_HTTP_SEND_FAIL, 'upload aborted');
  (error as { cause?: unknown }).cause = signal.reason;
  return error;
}

function toBlob(source: UploadSource, type: string): Blob {
  if (source instanceof Blob) return source;
  if (source instanceof ArrayBuffer) return new Blob([source], { type });
  return new Blob([new Uint8Array(source.buffer, source.byteOffset, source.byteLength) as Uint8Array<ArrayBuffer>], { type });
}

/**
 * Uploads a file to the server's POST /files with the user's token. In browsers through
 * XMLHttpRequest, whose upload events give real progress; elsewhere (Node) through fetch with a
 * streamed body, the file read a piece at a time and progress counted as the connection takes it.
 */
export async function uploadFile(base: string, token: string, source: UploadSource, options: UploadOptions = {},
  fetchImpl: FetchLike | undefined = globalThis.fetch?.bind(globalThis)): Promise<UploadedFile> {
  const declaredType = options.type ?? (source instanceof Blob ? source.type : '');
  const blob = toBlob(source, declaredType);
  const name = options.name ?? ((source as { name?: unknown }).name as string | undefined) ?? 'file';
  const url = `${base}/files${options.contentDisposition ? `?disposition=${options.contentDisposition}` : ''}`;
  const headers: Record<string, string> = { Authorization: `Bearer ${token}`, 'X-File-Name': encodeURIComponent(name) };
  if (declaredType) headers['Content-Type'] = declaredType;
  const progress = new Progress(blob.size, options.onProgress);
  const { signal } = options;
  if (signal?.aborted) throw abortError(signal);
  const { status, body } = typeof XMLHttpRequest === 'function'
    ? await sendWithXhr(url, headers, blob, progress, signal)
    : await sendWithFetch(url, headers, blob, progress, signal, fetchImpl);
  if (status < 200 || status >= 300) throw fileHttpError(status, body);
  let file: UploadedFile;
  try {
    file = JSON.parse(body) as UploadedFile;
  } catch {
    throw new IMError(ErrorCode.RC_HTTP_RECV_FAIL, 'the upload answer is not JSON');
  }
  progress.finish();
  return file;
}

function sendWithXhr(url: string, headers: Record<string, string>, blob: Blob, progress: Progress, signal: AbortSignal | undefined):
  Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const onAbort = () => xhr.abort();
    const done = () => signal?.removeEventListener('abort', onAbort);
    xhr.open('POST', url);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => progress.report(event.loaded);
    xhr.onload = () => {
      done();
      resolve({ status: xhr.status, body: xhr.responseText });
    };
    xhr.onerror = () => {
      done();
      reject(new IMError(ErrorCode.RC_HTTP_SEND_FAIL, 'upload failed: network error'));
    };
    xhr.ontimeout = () => {
      done();
      reject(new IMError(ErrorCode.RC_HTTP_REQ_TIMEOUT, 'upload timed out'));
    };
    xhr.onabort = () => {
      done();
      reject(signal?.aborted ? abortError(signal) : new IMError(ErrorCode.RC_HTTP_SEND_FAIL, 'upload aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    xhr.send(blob);
  });
}

async function sendWithFetch(url: string, headers: Record<string, string>, blob: Blob, progress: Progress,
  signal: AbortSignal | undefined, fetchImpl: FetchLike | undefined): Promise<{ status: number; body: string }> {
  if (!fetchImpl) throw new IMError(ErrorCode.RC_HTTP_SEND_FAIL, 'neither XMLHttpRequest nor fetch is available');
  let offset = 0;
  // Pulled one piece at a time: a piece is asked for once the connection took the one before.
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      progress.report(offset);
      if (offset >= blob.size) {
        controller.close();
        return;
      }
      const end = Math.min(blob.size, offset + NODE_CHUNK_BYTES);
      controller.enqueue(new Uint8Array(await blob.slice(offset, end).arrayBuffer()));
      offset = end;
    },
  }, { highWaterMark: 0 });
  try {
    const response = await fetchImpl(url, {
      method: 'POST', headers: { ...headers, 'Content-Length': String(blob.size) }, body, signal,
      duplex: 'half',
    } as RequestInit);
    return { status: response.status, body: await response.text() };
  } catch (error) {
    if (signal?.aborted) throw abortError(signal);
    throw new IMError(ErrorCode.RC_HTTP_SEND_FAIL, `upload failed: ${(error as Error)?.message ?? error}`);
  }
}
