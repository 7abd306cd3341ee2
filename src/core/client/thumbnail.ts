import { ErrorCode } from '../protocol/codes.js';
import { IMError } from './errors.js';
import { THUMBNAIL_MAX_BASE64, THUMBNAIL_MAX_SIDE } from './send-files-lazy.js';

/**
 * Thumbnails for image and video messages, as the seed's message types want them: JPEG, the
 * longest side at most 240 px, base64 without a `data:` prefix and at most 10,240 characters.
 * Browser only (canvas, createImageBitmap, <video>); nothing is touched until a function runs.
 */
export { THUMBNAIL_MAX_SIDE, THUMBNAIL_MAX_BASE64 };
const QUALITIES = [0.8, 0.7, 0.6, 0.5, 0.4, 0.3];
const SHRINK = 0.75;

export interface Thumbnail {
  /** JPEG, base64, no `data:` prefix. */
  base64: string;
  /** The thumbnail's size in pixels. */
  width: number;
  height: number;
  /** The picture's own size. */
  sourceWidth: number;
  sourceHeight: number;
}

export interface VideoThumbnail extends Thumbnail {
  /** Seconds. */
  duration: number;
}

type Canvas = OffscreenCanvas | HTMLCanvasElement;

function makeCanvas(width: number, height: number): Canvas {
  if (typeof OffscreenCanvas === 'function') return new OffscreenCanvas(width, height);
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  return canvas;
}

async function jpeg(canvas: Canvas, quality: number): Promise<Blob> {
  if ('convertToBlob' in canvas) return canvas.convertToBlob({ type: 'image/jpeg', quality });
  return new Promise((resolve, reject) => canvas.toBlob(
    (blob) => (blob ? resolve(blob) : reject(new IMError(ErrorCode.UNKNOWN, 'the canvas gave no JPEG'))), 'image/jpeg', quality));
}

async function base64Of(blob: Blob): Promise<string> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let binary = '';
  for (let index = 0; index < bytes.length; index += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(index, index + 0x8000));
  }
  return btoa(binary);
}

/**
 * Draws the picture at most `maxSide` on its longest side and encodes it, lowering the JPEG
 * quality and then the size until the base64 fits.
 */
async function encodeThumbnail(source: CanvasImageSource, sourceWidth: number, sourceHeight: number,
  maxSide = THUMBNAIL_MAX_SIDE, maxBase64 = THUMBNAIL_MAX_BASE64): Promise<Thumbnail> {
  if (!(sourceWidth > 0 && sourceHeight > 0)) throw new IMError(ErrorCode.PARAMETER_ERROR, 'the picture has no size');
  let scale = Math.min(1, maxSide / Math.max(sourceWidth, sourceHeight));
  for (;;) {
    const width = Math.max(1, Math.round(sourceWidth * scale));
    const height = Math.max(1, Math.round(sourceHeight * scale));
    const canvas = makeCanvas(width, height);
    const context = canvas.getContext('2d') as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null;
    if (!context) throw new IMError(ErrorCode.UNKNOWN, 'no 2D canvas');
    // JPEG has no transparency: transparent pixels would turn black.
    context.fillStyle = '#fff';
    context.fillRect(0, 0, width, height);
    context.drawImage(source, 0, 0, width, height);
    for (const quality of QUALITIES) {
      const base64 = await base64Of(await jpeg(canvas, quality));
      if (base64.length <= maxBase64) return { base64, width, height, sourceWidth, sourceHeight };
    }
    if (width === 1 && height === 1) throw new IMError(ErrorCode.UNKNOWN, 'no thumbnail fits');
    scale *= SHRINK;
  }
}

/** A thumbnail of an image file (any format the browser decodes). */
export async function imageThumbnail(file: Blob): Promise<Thumbnail> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch (error) {
    throw new IMError(ErrorCode.PARAMETER_ERROR, `not an image this browser decodes: ${(error as Error)?.message ?? error}`);
  }
  try {
    return await encodeThumbnail(bitmap, bitmap.width, bitmap.height);
  } finally {
    bitmap.close();
  }
}

function once(target: EventTarget, type: string, failOn: HTMLVideoElement): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      target.removeEventListener(type, onEvent);
      failOn.removeEventListener('error', onError);
    };
    const onEvent = () => {
      done();
      resolve();
    };
    const onError = () => {
      done();
      reject(new IMError(ErrorCode.PARAMETER_ERROR, `not a video this browser plays: ${failOn.error?.message || failOn.error?.code}`));
    };
    target.addEventListener(type, onEvent);
    failOn.addEventListener('error', onError);
  });
}

/** A thumbnail of a video's first frame, and its duration. */
export async function videoFirstFrame(file: Blob): Promise<VideoThumbnail> {
  const video = document.createElement('video');
  const url = URL.createObjectURL(file);
  try {
    video.muted = true;
    video.playsInline = true;
    video.preload = 'auto';
    const loaded = once(video, 'loadeddata', video);
    video.src = url;
    await loaded;
    let duration = video.duration;
    if (!Number.isFinite(duration)) {
      // Recorded WebM often carries no duration: seeking past the end makes the browser find it.
      const found = once(video, 'durationchange', video);
      video.currentTime = Number.MAX_SAFE_INTEGER;
      await found;
      duration = video.duration;
      const back = once(video, 'seeked', video);
      video.currentTime = 0;
      await back;
    }
    const thumbnail = await encodeThumbnail(video, video.videoWidth, video.videoHeight);
    return { ...thumbnail, duration: Number.isFinite(duration) ? duration : 0 };
  } finally {
    video.removeAttribute('src');
    video.load();
    URL.revokeObjectURL(url);
  }
}
