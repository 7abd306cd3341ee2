import { ErrorCode } from '../protocol/codes.js';
import type { FetchLike } from '../transport/transport.js';
import { IMError } from './errors.js';

export interface UploadOptions {
  /**
   * Upload progress in whole percent, rising, ending at 100 once the server has stored the file;
   * `loaded` and `total` in bytes.
   */
  onProgress?: (percent: number, loaded: number, total: number) => void;
  /** Aborting rejects the upload with an IMError (RC_HTTP_SEND_FAIL) whose `cause` is the signal's reason. */
  signal?: AbortSignal;
  /** How browsers should show the file when its URL is opened (the seed's contentDisposition). */
  contentDisposition?: 'inline' | 'attachment';
  /** The file's name (default: a File's own name, else `file`). */
  name?: string;
  /** The declared media type (default: the Blob's); the server records it but serves what it sniffs. */
  type?: string;
}

export interface UploadedFile {
  fileId: string;
  /** The file's canonical URL, to put in a message; reading it needs a signed URL (getFileUrls). */
  url: string;
  name: string;
  size: number;
  /** The media type the server found in the bytes (`application/octet-stream` when unknown or unsafe). */
  type: string;
}

/** A Blob or File (in Node also one from `fs.openAsBlob`, read in pieces), or bytes. */
export type UploadSource = Blob | ArrayBuffer | ArrayBufferView;

/** The HTTP origin (and path prefix) of the server behind a WebSocket URL: ws→http, wss→https, without `/im`. */
export function httpBaseOf(wsUrl: string): string {
  const url = new URL(wsUrl);
  if (url.protocol === 'ws:') url.protocol = 'http:';
  else if (url.protocol === 'wss:') url.protocol = 'https:';
  url.pathname = url.pathname.replace(/\/im\/?$/, '');
  url.search = '';
  url.hash = '';
  return url.toString().replace(/\/$/, '');
}

/** The IMError for a refused HTTP request of the file endpoints. */
export function fileHttpError(status: number, body: string): IMError {
  let json: { errorMessage?: unknown; errorCode?: unknown } = {};
  try {
    json = JSON.parse(body) as typeof json;
  } catch {
    // not JSON: a proxy's page, say
  }
  const message = typeof json.errorMessage === 'string' ? json.errorMessage : `HTTP ${status}`;
  if (status === 401) {
    return new IMError(typeof json.errorCode === 'number' ? json.errorCode : ErrorCode.RC_CONN_USER_OR_PASSWD_ERROR, message);
  }
  if (status === 403) return new IMError(ErrorCode.RC_MSG_UNAUTHORIZED, message);
  // The server's refusal of oversize content is PARAMETER_ERROR for messages too.
  if (status === 413 || status === 400) return new IMError(ErrorCode.PARAMETER_ERROR, message);
  return new IMError(ErrorCode.RC_HTTP_RECV_FAIL, message);
}

/**
 * Signed, readable URLs for files of the server (URLs as uploadFile gave them), keyed by the URL
 * given; files the user may not read are left out.
 */
export async function signFileUrls(base: string, token: string, urls: readonly string[],
  fetchImpl: FetchLike | undefined = globalThis.fetch?.bind(globalThis)): Promise<Record<string, string>> {
  if (!fetchImpl) throw new IMError(ErrorCode.RC_HTTP_SEND_FAIL, 'fetch is not available');
  if (urls.length === 0) return {};
  let response: Response;
  try {
    response = await fetchImpl(`${base}/files/sign`, {
      method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ urls }),
    });
  } catch (error) {
    throw new IMError(ErrorCode.RC_HTTP_SEND_FAIL, `signing file URLs failed: ${(error as Error)?.message ?? error}`);
  }
  const text = await response.text();
  if (!response.ok) throw fileHttpError(response.status, text);
  const signed = (JSON.parse(text) as { urls: Record<string, string> }).urls;
  const result: Record<string, string> = {};
  for (const url of urls) {
    const id = fileIdOf(url);
    if (id && signed[id]) result[url] = signed[id];
  }
  return result;
}

/** The file id in a URL of the server's /files/<id>. */
export function fileIdOf(url: string): string | undefined {
  try {
    return /\/files\/([A-Za-z0-9_-]{22})$/.exec(new URL(url).pathname)?.[1];
  } catch {
    return undefined;
  }
}
