import { ErrorCode } from '../protocol/codes.js';
import {
  FileMessage, GIFMessage, HQVoiceMessage, ImageMessage, SightMessage, type MessageContent, type MessageUserInfo,
} from '../messages/index.js';
import { IMError } from './errors.js';
import { imageThumbnail, videoFirstFrame } from './thumbnail.js';
import type { UploadedFile, UploadOptions } from './upload.js';

/** What to send (the seed's msgBody): the file, and the fields every message may carry. */
export interface MediaMessageBody {
  file: Blob;
  user?: MessageUserInfo;
  extra?: string;
  /** Voice and video length in seconds, when known (measured in the browser otherwise). */
  duration?: number;
}

/** The seed's upload hooks. `onComplete` may return a message of its own to send instead. */
export interface UploadHooks {
  onProgress?(percent: number): void;
  onComplete?(file: UploadedFile): MessageContent | void;
}

export type MediaKind = 'image' | 'gif' | 'file' | 'voice' | 'sight';

/** The message kind a file makes by its media type: GIF, image, video, voice, or file. */
export function mediaKindOf(file: Blob): MediaKind {
  const type = file.type.toLowerCase();
  if (type === 'image/gif') return 'gif';
  if (type.startsWith('image/') && type !== 'image/svg+xml') return 'image';
  if (type.startsWith('video/')) return 'sight';
  if (type.startsWith('audio/')) return 'voice';
  return 'file';
}

const nameOf = (file: Blob) => (file as Blob & { name?: unknown }).name;

/** A voice or video file's length in seconds, from the browser's own decoder; undefined elsewhere. */
function mediaDuration(file: Blob): Promise<number | undefined> {
  const documentRef = (globalThis as { document?: Document }).document;
  if (!documentRef || typeof URL.createObjectURL !== 'function') return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const media = documentRef.createElement(file.type.startsWith('video/') ? 'video' : 'audio');
    const url = URL.createObjectURL(file);
    const done = (value: number | undefined) => {
      URL.revokeObjectURL(url);
      resolve(value);
    };
    media.preload = 'metadata';
    media.onloadedmetadata = () => {
      if (Number.isFinite(media.duration)) return done(media.duration);
      // Recorded WebM often has no duration until the end is sought.
      media.ontimeupdate = () => {
        media.ontimeupdate = null;
        done(Number.isFinite(media.duration) ? media.duration : undefined);
      };
      media.currentTime = 1e9;
    };
    media.onerror = () => done(undefined);
    media.src = url;
  });
}

/** The thumbnail, where a browser can draw one; none otherwise (the field is optional). */
async function tryThumbnail<T>(make: () => Promise<T>): Promise<T | undefined> {
  try {
    return await make();
  } catch {
    return undefined;
  }
}

/**
 * Uploads `body.file` and builds the message of `kind` for it (the seed's sendImageMessage,
 * sendFileMessage, sendHQVoiceMessage, sendSightMessage, and GIFs): the thumbnail drawn in the
 * browser within the seed's limits, durations measured, the URL from the upload. Fields are
 * checked before the upload: a voice message over 60 s is refused without sending a byte.
 */
export async function buildMediaMessage(
  kind: MediaKind, upload: (file: Blob, options: UploadOptions) => Promise<UploadedFile>,
  body: MediaMessageBody, hooks: UploadHooks = {}, options: Pick<UploadOptions, 'contentDisposition' | 'signal'> = {},
): Promise<MessageContent> {
  const { file } = body;
  if (!(file instanceof Blob)) throw new IMError(ErrorCode.PARAMETER_ERROR, 'body.file must be a Blob or File');
  const common = { ...(body.user ? { user: body.user } : {}), ...(body.extra !== undefined ? { extra: body.extra } : {}) };
  const duration = kind === 'voice' || kind === 'sight' ? body.duration ?? await mediaDuration(file) : undefined;
  if (kind === 'voice' && (duration === undefined || !(duration > 0) || duration > 60)) {
    throw new IMError(ErrorCode.PARAMETER_ERROR, 'a voice message must be longer than 0 and at most 60 seconds');
  }
  const picture = kind === 'image' || kind === 'gif' ? await tryThumbnail(() => imageThumbnail(file)) : undefined;
  const frame = kind === 'sight' ? await tryThumbnail(() => videoFirstFrame(file)) : undefined;
  const uploaded = await upload(file, {
    ...options,
    ...(typeof nameOf(file) === 'string' ? { name: nameOf(file) as string } : {}),
    onProgress: (percent) => hooks.onProgress?.(percent),
  });
  const custom = hooks.onComplete?.(uploaded);
  if (custom) return custom;
  const name = typeof nameOf(file) === 'string' ? (nameOf(file) as string) : uploaded.name;
  switch (kind) {
    case 'image':
      return new ImageMessage({ ...common, imageUri: uploaded.url, ...(picture ? { content: picture.base64 } : {}) });
    case 'gif':
      return new GIFMessage({
        ...common, remoteUrl: uploaded.url, gifDataSize: uploaded.size,
        width: picture?.sourceWidth ?? 0, height: picture?.sourceHeight ?? 0,
      });
    case 'voice':
      return new HQVoiceMessage({ ...common, remoteUrl: uploaded.url, duration: Math.max(1, Math.round(duration!)), type: file.type.split('/')[1] || 'aac' });
    case 'sight':
      return new SightMessage({
        ...common, sightUrl: uploaded.url, duration: Math.round(frame?.duration ?? duration ?? 0), size: uploaded.size, name,
        ...(frame ? { content: frame.base64 } : {}),
      });
    default:
      return new FileMessage({ ...common, name, size: uploaded.size, type: uploaded.type, fileUrl: uploaded.url });
  }
}
