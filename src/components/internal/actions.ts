import { LazyChunk } from './lazy.js';

/**
 * What the elements show only when the user opens it — a message's menu and its readers, the
 * conversation list's search results, row menu and new-conversation form, the composer's
 * mentions and reply preview — is one chunk (./actions-chunk.ts): a chunk of the ES module build, a
 * sibling module of the script tag (rollup.config.mjs), fetched on intent (pointer over or focus
 * on what opens it), when idle after an element's first render, or on first use. A feature opened
 * before it came opens once it is here; a failed fetch is tried again on the next attempt.
 */
export const actionsChunk = new LazyChunk(() => import('./actions-chunk.js'));

export type ActionsChunk = typeof import('./actions-chunk.js');
