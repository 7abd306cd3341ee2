import { ErrorCode } from '../protocol/codes.js';
import { IMError } from './errors.js';
import type { VisitorIdentity } from './customer-service.js';
import { httpBaseOf } from './upload.js';

/**
 * An anonymous customer-service visitor from the server's `POST /cs/visitor` (a server run with
 * `--cs-visitors`): a new one, or with `previous` the same visitor again with a fresh token, so a
 * returning browser keeps its conversation. `serverUrl`: the WebSocket URL (`wss://host/im`) or
 * the server's HTTP origin. Fails with an IMError carrying the server's code (20604 when one
 * address asks too often, 31004/31020 for a token that is not a live visitor's).
 */
export async function requestVisitorIdentity(serverUrl: string, previous?: { token: string }): Promise<VisitorIdentity> {
  const url = `${httpBaseOf(serverUrl)}/cs/visitor`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(previous ? { token: previous.token } : {}),
      credentials: 'omit',
    });
  } catch (error) {
    const failure = new IMError(ErrorCode.RC_HTTP_SEND_FAIL, `${url}: ${(error as Error).message}`);
    (failure as { cause?: unknown }).cause = error;
    throw failure;
  }
  const text = await response.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON: a proxy's page, or a server without the endpoint
  }
  if (!response.ok || typeof json.userId !== 'string' || typeof json.token !== 'string') {
    // The server's own code when it gave one; a bare HTTP status (404, 405, a proxy's 502) is no code of ours.
    const code = typeof json.code === 'number' && json.code !== response.status ? json.code : ErrorCode.RC_HTTP_RECV_FAIL;
    const reason = typeof json.errorMessage === 'string' ? json.errorMessage : `HTTP ${response.status}`;
    throw new IMError(code, `${url}: ${response.status === 404 ? 'the server does not serve anonymous visitors (--cs-visitors)' : reason}`);
  }
  return { userId: json.userId, token: json.token, expiresAt: Number(json.expiresAt) };
}
