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

const keyOf = (server: string): string => {
  let origin = server;
  try {
    origin = new URL(server.trim().split(/\s+/)[0]!).origin;
  } catch {
    // Not a URL: the attribute as given still keys one server.
  }
  return `im-support:visitor:${origin}`;
};

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
