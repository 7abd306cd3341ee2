/**
 * The anonymous visitor's identity in this browser: one per chat server (its origin), in
 * localStorage so that a returning visitor is the same visitor, with the same conversation.
 * Kept apart from the panel so the launcher can tell a returning visitor without loading it.
 */
export interface StoredVisitor {
  userId: string;
  token: string;
  expiresAt?: number;
}

const originOf = (server: string): string => {
  try {
    return new URL(server.trim().split(/\s+/)[0]!).origin;
  } catch {
    // Not a URL: the attribute as given still keys one server.
    return server;
  }
};
const keyOf = (server: string): string => `im-support:visitor:${originOf(server)}`;
const dismissedKeyOf = (server: string, userId: string): string => `im-support:rating-dismissed:${originOf(server)}|${userId}`;

/** localStorage, or nothing where there is none or it refuses (SSR, a sandboxed frame, storage off). */
function storage(): Storage | undefined {
  try {
    return globalThis.localStorage ?? undefined;
  } catch {
    return undefined;
  }
}

export function loadVisitor(server: string): StoredVisitor | undefined {
  try {
    const value = JSON.parse(storage()?.getItem(keyOf(server)) ?? 'null') as StoredVisitor | null;
    return value && typeof value.userId === 'string' && typeof value.token === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

export const hasStoredVisitor = (server: string): boolean => loadVisitor(server) !== undefined;

export function saveVisitor(server: string, visitor: StoredVisitor): void {
  try {
    storage()?.setItem(keyOf(server), JSON.stringify({ userId: visitor.userId, token: visitor.token, expiresAt: visitor.expiresAt }));
  } catch {
    // Full or refused: the visitor stays anonymous for this page only.
  }
}

export function forgetVisitor(server: string): void {
  try {
    storage()?.removeItem(keyOf(server));
  } catch {
    // Nothing stored that could be read either.
  }
}

/**
 * The session whose rating the visitor put off ("Not now"): the prompt is not shown again for
 * it after a reload. One per user and server: only the latest session is ever asked about.
 */
export function ratingDismissed(server: string, userId: string, sessionId: number): boolean {
  try {
    return storage()?.getItem(dismissedKeyOf(server, userId)) === String(sessionId);
  } catch {
    return false;
  }
}

export function dismissRating(server: string, userId: string, sessionId: number): void {
  try {
    storage()?.setItem(dismissedKeyOf(server, userId), String(sessionId));
  } catch {
    // Not kept: the prompt comes back after a reload, nothing worse.
  }
}
