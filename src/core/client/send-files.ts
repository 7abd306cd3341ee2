// What sending a file needs, one chunk loaded on first use (see send-files-lazy.ts).
export { buildMediaMessage, mediaKindOf } from './media-messages.js';
export { imageThumbnail, videoFirstFrame } from './thumbnail.js';
export { uploadFile } from './upload-file.js';
