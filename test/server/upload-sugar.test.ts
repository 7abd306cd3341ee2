import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { IMError } from '../../src/core/client/errors.js';
import { ConversationType, ErrorCode } from '../../src/core/protocol/codes.js';
import { FileMessage, HQVoiceMessage, TextMessage } from '../../src/core/messages/index.js';
import { useTestServer, waitFor } from '../helpers/server.js';

describe('the seed\'s upload sugar: sendFileMessage, sendHQVoiceMessage', () => {
  const suite = useTestServer();
  const connect = suite.connect;

  it('uploads with rising progress, sends a FileMessage the peer can download byte for byte', async () => {
    const ann = await connect('sugar-ann');
    const bob = await connect('sugar-bob');
    const received: FileMessage[] = [];
    bob.on('message', (message) => {
      if (message.content instanceof FileMessage) received.push(message.content);
    });
    const bytes = randomBytes(3 * 1024 * 1024);
    const progress: number[] = [];
    let completed: string | undefined;
    const sent = await ann.sendFileMessage({ conversationType: ConversationType.PRIVATE, targetId: 'sugar-bob' },
      { file: new File([bytes], 'data.bin', { type: 'application/octet-stream' }), extra: 'x' },
      { onProgress: (percent) => progress.push(percent), onComplete: (file) => { completed = file.url; } });
    assert.ok(progress.length > 1 && progress.at(-1) === 100, `progress ${progress.join(',')}`);
    assert.ok(progress.every((value, index) => index === 0 || value > progress[index - 1]!));
    const content = sent.content as FileMessage;
    assert.equal(content.name, 'data.bin');
    assert.equal(content.size, bytes.length);
    assert.equal(content.fileUrl, completed);
    assert.equal(content.extra, 'x');
    await waitFor((check) => bob.on('message', check), () => received.length === 1, 'bob gets the file message');
    const signed = await bob.getFileUrls([received[0]!.fileUrl]);
    const download = Buffer.from(await (await fetch(signed[received[0]!.fileUrl]!)).arrayBuffer());
    assert.ok(download.equals(bytes), 'the download is byte-identical');
  });

  it('refuses a voice message over 60 seconds before uploading a byte, and onComplete may send its own message', async () => {
    const ann = await connect('sugar-voice');
    let uploads = 0;
    await assert.rejects(
      ann.sendHQVoiceMessage({ conversationType: ConversationType.PRIVATE, targetId: 'sugar-bob' },
        { file: new Blob([new Uint8Array(10)], { type: 'audio/aac' }), duration: 61 }, { onProgress: () => { uploads++; } }),
      (error: IMError) => error.code === ErrorCode.PARAMETER_ERROR,
    );
    assert.equal(uploads, 0);
    const voice = await ann.sendHQVoiceMessage({ conversationType: ConversationType.PRIVATE, targetId: 'sugar-bob' },
      { file: new Blob([new Uint8Array(10)], { type: 'audio/aac' }), duration: 4 });
    assert.ok(voice.content instanceof HQVoiceMessage);
    assert.equal((voice.content as HQVoiceMessage).duration, 4);
    const custom = await ann.sendFileMessage({ conversationType: ConversationType.PRIVATE, targetId: 'sugar-bob' },
      { file: new Blob([new Uint8Array(10)]) }, { onComplete: (file) => new TextMessage({ content: `uploaded ${file.size} bytes` }) });
    assert.equal((custom.content as TextMessage).content, 'uploaded 10 bytes');
  });
});
