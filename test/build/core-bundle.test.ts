import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

// These check the built artifact itself (npm test builds first): what a site or an app imports.
const bundleUrl = new URL('../../dist/im-core.js', import.meta.url);

describe('dist/im-core.js', () => {
  it('imports where there is no DOM and exports the public surface', async () => {
    assert.equal(typeof (globalThis as { document?: unknown }).document, 'undefined');
    const core = await import(bundleUrl.href);
    for (const name of ['IMClient', 'IMError', 'TextMessage', 'UnknownMessage', 'ConnectionStatus', 'ConversationType', 'ErrorCode', 'FrameType', 'QoS', 'MessageDirection']) {
      assert.ok(core[name] !== undefined, `exports ${name}`);
    }
    for (const name of ['ImageMessage', 'GIFMessage', 'FileMessage', 'HQVoiceMessage', 'SightMessage', 'LocationMessage', 'RichContentMessage',
      'ReferenceMessage', 'InformationNotificationMessage', 'CommandMessage', 'GroupNotificationMessage', 'RecallCommandMessage',
      'RecallNotificationMessage', 'registerMessageType', 'recallItem']) {
      assert.ok(core[name] !== undefined, `exports ${name}`);
    }
    assert.equal(core.ImageMessage.objectName, 'RC:ImgMsg');
    assert.throws(() => new core.ImageMessage({ imageUri: 'javascript:alert(1)' }).validate(), (error: { code: number }) => error.code === -3);
    assert.equal(core.ConversationType.PUBLIC_SERVICE, 8);
    assert.equal(core.ErrorCode.SEND_FREQUENCY_TOO_FAST, 20604);
    assert.equal(core.ConnectionStatus.KICKED_OFFLINE_BY_OTHER_CLIENT, 6);
    assert.throws(() => new core.IMClient({ url: 'ws://127.0.0.1:1/im', token: 't', transports: ['websocket'] }),
      (error: { code: number }) => error.code === 30010, 'without a WebSocket implementation it says so with a code');
    assert.doesNotThrow(() => new core.IMClient({ url: 'ws://127.0.0.1:1/im', token: 't' }), 'long-polling needs only fetch');
  });

  it('runs under a strict Content-Security-Policy: no eval, no Function constructor', () => {
    const source = readFileSync(bundleUrl, 'utf8');
    assert.doesNotMatch(source, /\beval\s*\(/);
    assert.doesNotMatch(source, /\bnew\s+Function\s*\(/);
    assert.doesNotMatch(source, /\bFunction\s*\(\s*["'`]/);
  });

  it('loads HTTP long-polling (a fallback) and chatrooms on first use: lazy chunks, not in what im-core.js imports statically', async () => {
    const dist = new URL('../../dist/', import.meta.url);
    const staticGraph = (file: string, seen = new Set<string>()): string => {
      if (seen.has(file)) return '';
      seen.add(file);
      const code = readFileSync(new URL(file, dist), 'utf8');
      const imported = [...code.matchAll(/(?:\bfrom|\bimport)\s*["']\.\/([^"']+)["']/g)].map((match) => match[1]!);
      return code + imported.map((chunk) => staticGraph(chunk, seen)).join('');
    };
    const graph = staticGraph('im-core.js');
    // A string only each part holds: the poll session header, the room join query.
    for (const [part, marker] of [['long-poll', 'X-IM-Poll-Session'], ['chatroom', '"room.join"']] as const) {
      assert.ok(!graph.includes(marker), `${part}: not loaded with the core`);
      const lazy = [...graph.matchAll(new RegExp(`\\bimport\\(\\s*["']\\./(im-lazy-${part}-[\\w-]+\\.js)["']\\s*\\)`, 'g'))].map((match) => match[1]!);
      assert.equal(new Set(lazy).size, 1, `${part}: one lazy chunk, imported dynamically`);
      assert.ok(readFileSync(new URL(lazy[0]!, dist), 'utf8').includes(marker), `${part}: in its chunk`);
    }
  });
});
