/**
 * The user id a token names, read without checking its signature (only the server can): it
 * keys this browser's cache before the connection is up. `undefined` for tokens of another
 * shape (a site may use its own token format and pass `user-id`).
 */
export function userIdOfToken(token: string): string | undefined {
  const payload = token.split('.')[0];
  if (!payload || token.split('.').length !== 2) return undefined;
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    const json = new TextDecoder().decode(Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)));
    const claims = JSON.parse(json) as { u?: unknown };
    return typeof claims.u === 'string' && claims.u ? claims.u : undefined;
  } catch {
    return undefined;
  }
}
