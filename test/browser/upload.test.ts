import { expect } from '@open-wc/testing';
import { IMClient } from '../../src/core/client/client.js';
import { IMError } from '../../src/core/client/errors.js';
import { ErrorCode } from '../../src/core/protocol/codes.js';
import { pngBlob } from './images.js';

interface TestEnv {
  http: string;
  ws: string;
}

const env: TestEnv = await (await fetch('/__im-test-env.json')).json();
const token = async (userId: string): Promise<string> => (await (await fetch(`/__im-token?userId=${userId}`)).json()).token;

function randomBlob(size: number): { blob: Blob; bytes: Uint8Array } {
  const bytes = new Uint8Array(size);
  for (let offset = 0; offset < size; offset += 65536) crypto.getRandomValues(bytes.subarray(offset, Math.min(size, offset + 65536)));
  return { blob: new Blob([bytes]), bytes };
}

describe('uploads from Chromium (XMLHttpRequest) to the reference server', () => {
  const client = new IMClient({ url: env.ws, tokenProvider: () => token('upload-ann') });

  it('reports rising progress ending at 100 and the file downloads identical through a signed URL', async () => {
    const { blob, bytes } = randomBlob(8 * 1024 * 1024);
    const progress: number[] = [];
    const file = await client.uploadFile(blob, { name: 'noise.bin', onProgress: (percent) => progress.push(percent) });
    expect(file.url).to.equal(`${env.http}/files/${file.fileId}`);
    expect(file.size).to.equal(bytes.length);
    expect(progress.length).to.be.greaterThan(1);
    expect(progress.every((value, index) => index === 0 || value > progress[index - 1]!), progress.join(',')).to.equal(true);
    expect(progress.at(-1)).to.equal(100);

    const signed = await client.getFileUrls([file.url]);
    const response = await fetch(signed[file.url]!);
    expect(response.status).to.equal(200);
    expect(response.headers.get('content-length')).to.equal(String(bytes.length));
    const back = new Uint8Array(await response.arrayBuffer());
    expect(back.length).to.equal(bytes.length);
    expect(back.every((value, index) => value === bytes[index])).to.equal(true);
    const partial = await fetch(signed[file.url]!, { headers: { Range: 'bytes=0-9' } });
    expect(partial.status).to.equal(206);
    expect(partial.headers.get('content-range')).to.equal(`bytes 0-9/${bytes.length}`);
  });

  it('shows an uploaded image in an <img> through its signed URL', async () => {
    const file = await client.uploadFile(await pngBlob(37, 21), { name: 'green.png', contentDisposition: 'inline' });
    expect(file.type).to.equal('image/png');
    const img = document.createElement('img');
    const loaded = new Promise((resolve, reject) => { img.onload = resolve; img.onerror = reject; });
    img.src = (await client.getFileUrls([file.url]))[file.url]!;
    await loaded;
    expect([img.naturalWidth, img.naturalHeight]).to.deep.equal([37, 21]);
  });

  it('aborts an upload through its AbortSignal with an IMError', async () => {
    const controller = new AbortController();
    const progress: number[] = [];
    const { blob } = randomBlob(16 * 1024 * 1024);
    const upload = client.uploadFile(blob, {
      signal: controller.signal,
      onProgress: (percent) => {
        progress.push(percent);
        controller.abort(new Error('user cancelled'));
      },
    });
    const error = await upload.then(() => undefined, (reason: unknown) => reason);
    expect(error).to.be.instanceOf(IMError);
    expect((error as IMError).code).to.equal(ErrorCode.RC_HTTP_SEND_FAIL);
    expect((error as IMError).message).to.contain('upload aborted');
    expect(((error as IMError).cause as Error).message).to.equal('user cancelled');
    expect(progress.length).to.equal(1);
    expect(progress[0]).to.be.lessThan(100);

    const already = new AbortController();
    already.abort();
    const early = await client.uploadFile(new Blob(['x']), { signal: already.signal }).then(() => undefined, (reason: unknown) => reason);
    expect((early as IMError).code).to.equal(ErrorCode.RC_HTTP_SEND_FAIL);
  });

  it('rejects a bad token with the seed code of a wrong token', async () => {
    const stranger = new IMClient({ url: env.ws, token: 'not-a-token' });
    const error = await stranger.uploadFile(new Blob(['hello'])).then(() => undefined, (reason: unknown) => reason);
    expect((error as IMError).code).to.equal(ErrorCode.RC_CONN_USER_OR_PASSWD_ERROR);
  });
});
