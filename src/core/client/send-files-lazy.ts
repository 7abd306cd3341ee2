import type { Thumbnail, VideoThumbnail } from './thumbnail.js';

/**
 * Sending files (uploading, thumbnails, building the media messages: ./send-files.ts) is loaded
 * when the user first sends one, not with the client: a chunk of the ES module builds, a sibling
 * module of the script tag (rollup.config.mjs). A failed load (offline) is tried again on the
 * next call.
 */
export type SendFiles = typeof import('./send-files.js');

let loading: Promise<SendFiles> | undefined;

export function loadSendFiles(): Promise<SendFiles> {
  loading ??= import('./send-files.js').catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

/** Thumbnail limits of the seed's message types: the longest side in px, the base64 length. */
export const THUMBNAIL_MAX_SIDE = 240;
export const THUMBNAIL_MAX_BASE64 = 10_240;

/** See thumbnail.ts: the same function, loaded on first use. */
export async function imageThumbnail(file: Blob): Promise<Thumbnail> {
  return (await loadSendFiles()).imageThumbnail(file);
}

/** See thumbnail.ts: the same function, loaded on first use. */
export async function videoFirstFrame(file: Blob): Promise<VideoThumbnail> {
  return (await loadSendFiles()).videoFirstFrame(file);
}
