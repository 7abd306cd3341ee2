import { expect } from '@open-wc/testing';
import { IMError } from '../../src/core/client/errors.js';
import { ErrorCode } from '../../src/core/protocol/codes.js';
import { THUMBNAIL_MAX_BASE64, THUMBNAIL_MAX_SIDE, imageThumbnail, videoFirstFrame } from '../../src/core/client/thumbnail.js';

function canvas(width: number, height: number, paint: (context: CanvasRenderingContext2D) => void): HTMLCanvasElement {
  const element = document.createElement('canvas');
  element.width = width;
  element.height = height;
  paint(element.getContext('2d')!);
  return element;
}

const toBlob = (element: HTMLCanvasElement, type = 'image/png'): Promise<Blob> =>
  new Promise((resolve) => element.toBlob((blob) => resolve(blob!), type));

/** Random colours everywhere: the worst case for JPEG, so size limits have to act. */
function noise(context: CanvasRenderingContext2D): void {
  const { width, height } = context.canvas;
  const data = context.createImageData(width, height);
  for (let offset = 0; offset < data.data.length; offset += 65536) {
    crypto.getRandomValues(data.data.subarray(offset, Math.min(data.data.length, offset + 65536)));
  }
  for (let index = 3; index < data.data.length; index += 4) data.data[index] = 255;
  context.putImageData(data, 0, 0);
}

/** The colour at (x, y) of a base64 JPEG. */
async function pixel(base64: string, x: number, y: number): Promise<number[]> {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/jpeg' }));
  const context = canvas(bitmap.width, bitmap.height, (c) => c.drawImage(bitmap, 0, 0)).getContext('2d')!;
  return [...context.getImageData(x, y, 1, 1).data.subarray(0, 3)];
}

const near = (actual: number[], expected: number[], tolerance = 40) =>
  actual.every((value, index) => Math.abs(value - expected[index]!) <= tolerance);

describe('thumbnails in Chromium', () => {
  it('keeps a small image at its size, as base64 JPEG without a data: prefix', async () => {
    const blob = await toBlob(canvas(100, 50, (c) => { c.fillStyle = '#f00'; c.fillRect(0, 0, 100, 50); }));
    const thumbnail = await imageThumbnail(blob);
    expect([thumbnail.width, thumbnail.height, thumbnail.sourceWidth, thumbnail.sourceHeight]).to.deep.equal([100, 50, 100, 50]);
    expect(thumbnail.base64.startsWith('/9j/'), 'JPEG magic').to.equal(true);
    expect(thumbnail.base64).to.not.contain('data:');
    expect(near(await pixel(thumbnail.base64, 50, 25), [255, 0, 0])).to.equal(true);
  });

  it('shrinks a large noisy image to 240 px and 10,240 base64 characters', async () => {
    const blob = await toBlob(canvas(4000, 3000, noise));
    expect(blob.size).to.be.greaterThan(1_000_000);
    const thumbnail = await imageThumbnail(blob);
    expect(Math.max(thumbnail.width, thumbnail.height)).to.be.at.most(THUMBNAIL_MAX_SIDE);
    expect(thumbnail.base64.length).to.be.at.most(THUMBNAIL_MAX_BASE64);
    expect(thumbnail.width / thumbnail.height).to.be.closeTo(4 / 3, 0.05);
    expect([thumbnail.sourceWidth, thumbnail.sourceHeight]).to.deep.equal([4000, 3000]);
  });

  it('fits a tall image by its height and paints transparency white', async () => {
    const blob = await toBlob(canvas(300, 3000, (c) => { c.fillStyle = '#00f'; c.fillRect(0, 0, 150, 3000); }));
    const thumbnail = await imageThumbnail(blob);
    expect([thumbnail.width, thumbnail.height]).to.deep.equal([24, 240]);
    expect(near(await pixel(thumbnail.base64, 3, 120), [0, 0, 255])).to.equal(true);
    expect(near(await pixel(thumbnail.base64, 20, 120), [255, 255, 255])).to.equal(true);
  });

  it('refuses what is not an image', async () => {
    const error = await imageThumbnail(new Blob(['<svg nope'], { type: 'image/png' })).then(() => undefined, (reason: unknown) => reason);
    expect(error).to.be.instanceOf(IMError);
    expect((error as IMError).code).to.equal(ErrorCode.PARAMETER_ERROR);
  });

  it('takes the first frame and the duration of a recorded WebM video', async function () {
    this.timeout(15000);
    const source = canvas(320, 240, () => undefined);
    const context = source.getContext('2d')!;
    const paint = (frame: number) => {
      context.fillStyle = frame < 20 ? '#f00' : '#00f';
      context.fillRect(0, 0, 320, 240);
    };
    paint(0);
    const stream = source.captureStream(30);
    const recorder = new MediaRecorder(stream, { mimeType: 'video/webm' });
    const chunks: Blob[] = [];
    recorder.ondataavailable = (event) => chunks.push(event.data);
    const stopped = new Promise((resolve) => { recorder.onstop = resolve; });
    recorder.start();
    // Frames are drawn on animation frames until the recording holds about a second.
    const started = performance.now();
    await new Promise<void>((resolve) => {
      let frame = 0;
      const step = () => {
        paint(++frame);
        if (performance.now() - started >= 1000) resolve();
        else requestAnimationFrame(step);
      };
      requestAnimationFrame(step);
    });
    recorder.stop();
    await stopped;
    const video = new Blob(chunks, { type: 'video/webm' });

    const thumbnail = await videoFirstFrame(video);
    expect([thumbnail.width, thumbnail.height, thumbnail.sourceWidth, thumbnail.sourceHeight]).to.deep.equal([240, 180, 320, 240]);
    expect(thumbnail.base64.length).to.be.at.most(THUMBNAIL_MAX_BASE64);
    expect(thumbnail.duration).to.be.within(0.5, 3);
    expect(near(await pixel(thumbnail.base64, 120, 90), [255, 0, 0], 60), 'the first frame is the red one').to.equal(true);
  });

  it('refuses what is not a video', async () => {
    const error = await videoFirstFrame(new Blob(['nope'], { type: 'video/webm' })).then(() => undefined, (reason: unknown) => reason);
    expect((error as IMError).code).to.equal(ErrorCode.PARAMETER_ERROR);
  });
});
