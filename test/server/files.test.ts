import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, watch } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { IMClient } from '../../src/core/client/client.js';
import { IMError } from '../../src/core/client/errors.js';
import { ConversationType, ErrorCode } from '../../src/core/protocol/codes.js';
import { TextMessage } from '../../src/core/messages/index.js';
import { fileSigningKey, fileUrlSignature } from '../../src/server/files.js';
import { api, APP_SECRET, createGroup, setServiceAgent, setServiceGroup, tokenFor, useTestServer, waitFor } from '../helpers/server.js';

const MAX_UPLOAD = 5_000_000;
const PNG_HEAD = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);

describe('files: upload, signed download, access', () => {
  const suite = useTestServer({ extra: ['--max-upload-bytes', String(MAX_UPLOAD)] });
  const connect = suite.connect;

  const upload = async (token: string | undefined, body: Uint8Array, headers: Record<string, string> = {}, query = '') => {
    const response = await fetch(`${suite.server.url}/files${query}`, {
      method: 'POST', body: new Uint8Array(body),
      headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...headers },
    });
    return { status: response.status, json: await response.json() as any };
  };
  const sign = async (token: string, body: unknown) => {
    const response = await fetch(`${suite.server.url}/files/sign`, {
      method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body),
    });
    return { status: response.status, json: await response.json() as any };
  };
  const storedFiles = () => readdirSync(join(suite.server.dataDir, 'files')).sort();

  it('uploads a few MB from Node with rising progress to 100 and downloads it byte for byte', async () => {
    const alice = await connect('f-alice');
    const bytes = randomBytes(4 * 1024 * 1024 + 123);
    const progress: number[] = [];
    const file = await alice.uploadFile(new Blob([bytes]), { name: 'data 数据.bin', onProgress: (percent) => progress.push(percent) });
    assert.match(file.fileId, /^[A-Za-z0-9_-]{22}$/);
    assert.equal(file.url, `${suite.server.url}/files/${file.fileId}`);
    assert.equal(file.name, 'data 数据.bin');
    assert.equal(file.size, bytes.length);
    assert.equal(file.type, 'application/octet-stream');
    assert.ok(progress.length >= 10, `progress came in steps: ${progress.join(',')}`);
    assert.ok(progress.every((value, index) => index === 0 || value > progress[index - 1]!), `monotonic: ${progress.join(',')}`);
    assert.equal(progress.at(-1), 100);
    assert.ok(progress[0]! < 50, 'the first report comes early');

    const signed = await alice.getFileUrls([file.url]);
    assert.ok(signed[file.url]?.startsWith(`${file.url}?u=f-alice&e=`));
    const response = await fetch(signed[file.url]!);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-length'), String(bytes.length));
    assert.equal(response.headers.get('accept-ranges'), 'bytes');
    assert.match(response.headers.get('cache-control')!, /^private, max-age=\d+$/);
    assert.equal(response.headers.get('content-disposition'),
      `attachment; filename="data __.bin"; filename*=UTF-8''data%20%E6%95%B0%E6%8D%AE.bin`);
    assert.ok(Buffer.from(await response.arrayBuffer()).equals(bytes), 'byte-identical');
  });

  it('serves single byte ranges (206) and refuses unsatisfiable ones (416)', async () => {
    const alice = await connect('f-alice');
    const bytes = randomBytes(1000);
    const file = await alice.uploadFile(bytes);
    const url = (await alice.getFileUrls([file.url]))[file.url]!;
    const range = async (value: string) => {
      const response = await fetch(url, { headers: { Range: value } });
      return { status: response.status, contentRange: response.headers.get('content-range'), body: Buffer.from(await response.arrayBuffer()) };
    };
    let answer = await range('bytes=10-19');
    assert.equal(answer.status, 206);
    assert.equal(answer.contentRange, 'bytes 10-19/1000');
    assert.ok(answer.body.equals(bytes.subarray(10, 20)));
    answer = await range('bytes=990-');
    assert.equal(answer.contentRange, 'bytes 990-999/1000');
    assert.ok(answer.body.equals(bytes.subarray(990)));
    answer = await range('bytes=-5');
    assert.equal(answer.status, 206);
    assert.ok(answer.body.equals(bytes.subarray(995)));
    answer = await range('bytes=500-5000');
    assert.equal(answer.contentRange, 'bytes 500-999/1000');
    answer = await range('bytes=1000-');
    assert.equal(answer.status, 416);
    assert.equal(answer.contentRange, 'bytes */1000');
    answer = await range('bytes=-0');
    assert.equal(answer.status, 416);
    const head = await fetch(url, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), '1000');
  });

  it('lets the uploader and the members of a conversation the file was sent to read it, nobody else', async () => {
    const alice = await connect('f-alice');
    const bob = await connect('f-bob');
    const carol = await connect('f-carol');
    const carolToken = await tokenFor(suite.server, 'f-carol');
    await createGroup(suite.server, 'f-team', ['f-alice', 'f-bob']);
    const file = await alice.uploadFile(Buffer.concat([PNG_HEAD, randomBytes(100)]), { name: 'pic.png' });
    assert.equal(file.type, 'image/png');

    assert.deepEqual(await bob.getFileUrls([file.url]), {}, 'not sent anywhere yet');
    const asCarol = await fetch(file.url, { headers: { Authorization: `Bearer ${carolToken}` } });
    assert.equal(asCarol.status, 403);

    await alice.sendMessage({ conversationType: ConversationType.GROUP, targetId: 'f-team' }, new TextMessage({ content: `look ${file.url}` }));
    const bobs = await bob.getFileUrls([file.url]);
    const forBob = await fetch(bobs[file.url]!);
    assert.equal(forBob.status, 200);
    assert.equal(forBob.headers.get('content-type'), 'image/png');
    assert.match(forBob.headers.get('content-disposition')!, /^inline; /);
    assert.deepEqual(await carol.getFileUrls([file.url]), {}, 'a non-member gets no URL');
    assert.equal((await sign(carolToken, { ids: [file.fileId] })).json.urls[file.fileId], undefined);

    // A URL is not a key: carol sending it to her own chat grants nobody anything.
    await carol.sendMessage({ conversationType: ConversationType.PRIVATE, targetId: 'f-dave' }, new TextMessage({ content: file.url }));
    assert.deepEqual(await carol.getFileUrls([file.url]), {});
    assert.equal((await fetch(file.url, { headers: { Authorization: `Bearer ${carolToken}` } })).status, 403);

    // The signature names bob; carol cannot take it over.
    const stolen = bobs[file.url]!.replace('u=f-bob', 'u=f-carol');
    assert.equal((await fetch(stolen)).status, 403);

    // Bob leaves the group: his signed URL stops working before it expires.
    assert.equal((await api(suite.server, 'POST', '/api/group/quit', { groupId: 'f-team', userIds: ['f-bob'] })).status, 200);
    assert.equal((await fetch(bobs[file.url]!)).status, 403);
    assert.ok((await alice.getFileUrls([file.url]))[file.url], 'the uploader still reads it');

    // Sent in a private chat, the other side reads it.
    const dave = await connect('f-dave');
    await alice.sendMessage({ conversationType: ConversationType.PRIVATE, targetId: 'f-dave' }, new TextMessage({ content: file.url }));
    assert.equal((await fetch((await dave.getFileUrls([file.url]))[file.url]!)).status, 200);
  });

  it('lets a visitor and the agent serving them read each other\'s files, and a chatroom\'s members read its files', async () => {
    await setServiceGroup(suite.server, { groupId: 'f-desk', name: 'Desk', mode: 'human', maxPerAgent: 5 });
    await setServiceAgent(suite.server, 'f-agent', ['f-desk'], 1);
    await setServiceAgent(suite.server, 'f-other-agent', ['f-desk'], 0);
    const agent = await connect('f-agent');
    const otherAgent = await connect('f-other-agent');
    const visitor = await connect('f-visitor');
    const session = await visitor.startCustomService('f-desk');
    assert.equal(session.agentId, 'f-agent');
    // A picture uploaded by `from` and sent as a link; the URL signed for `reader`, if any.
    const sendPicture = async (from: IMClient, conversation: { conversationType: ConversationType; targetId: string }, name: string) => {
      const file = await from.uploadFile(Buffer.concat([PNG_HEAD, randomBytes(64)]), { name });
      await from.sendMessage(conversation, new TextMessage({ content: file.url }));
      return file;
    };
    const signedFor = async (reader: IMClient, file: { url: string }) => (await reader.getFileUrls([file.url]))[file.url];
    const screenshot = await sendPicture(visitor, { conversationType: ConversationType.CUSTOMER_SERVICE, targetId: 'f-desk' }, 'screenshot.png');
    const forAgent = await signedFor(agent, screenshot);
    assert.ok(forAgent, 'the agent serving the visitor gets a URL');
    assert.equal((await fetch(forAgent)).status, 200);
    assert.equal(await signedFor(otherAgent, screenshot), undefined, 'an agent not serving them gets none');
    const invoice = await sendPicture(agent, { conversationType: ConversationType.CUSTOMER_SERVICE, targetId: 'f-visitor@f-desk' }, 'invoice.png');
    assert.equal((await fetch((await signedFor(visitor, invoice))!)).status, 200, 'the visitor reads the agent\'s file');
    await agent.resolveCustomerSession(session.sessionId);
    assert.equal((await fetch(forAgent)).status, 403, 'once resolved, the agent reads it no more (as the history)');
    assert.ok(await signedFor(visitor, invoice), 'the visitor still does');

    const host = await connect('f-host');
    const guest = await connect('f-guest');
    const passerby = await connect('f-passerby');
    await host.joinChatRoom('f-room');
    await guest.joinChatRoom('f-room');
    const poster = await sendPicture(host, { conversationType: ConversationType.CHATROOM, targetId: 'f-room' }, 'poster.png');
    const forGuest = await signedFor(guest, poster);
    assert.ok(forGuest, 'a member of the room gets a URL');
    assert.equal((await fetch(forGuest)).status, 200);
    assert.equal(await signedFor(passerby, poster), undefined, 'someone outside the room gets none');
    await guest.quitChatRoom('f-room');
    assert.equal((await fetch(forGuest)).status, 403, 'having left the room, the guest reads it no more');
  });

  it('answers 404 for an unknown id and 401 for a bad or missing token', async () => {
    const token = await tokenFor(suite.server, 'f-alice');
    const missing = await fetch(`${suite.server.url}/files/${'A'.repeat(22)}`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(missing.status, 404);
    assert.equal((await fetch(`${suite.server.url}/files/nope`)).status, 404);

    for (const bad of [undefined, 'garbage', `${token}x`]) {
      const answer = await upload(bad, Buffer.from('hello'));
      assert.equal(answer.status, 401, `upload with ${bad}`);
      assert.equal(answer.json.code, 401);
      const signing = await fetch(`${suite.server.url}/files/sign`, {
        method: 'POST', headers: bad ? { Authorization: `Bearer ${bad}` } : {}, body: JSON.stringify({ ids: [] }),
      });
      assert.equal(signing.status, 401);
    }
    const client = new IMClient({ url: suite.server.wsUrl, token: 'garbage', transports: ['polling'] });
    await assert.rejects(client.uploadFile(Buffer.from('x')), (error: IMError) => error.code === ErrorCode.RC_CONN_USER_OR_PASSWD_ERROR);
  });

  it('refuses a revoked token for uploads, signing and reads (401 with the seed code 31004), as it does for connecting', async () => {
    const token = await tokenFor(suite.server, 'f-revoked');
    const uploaded = await upload(token, Buffer.concat([PNG_HEAD, randomBytes(50)]));
    assert.equal(uploaded.status, 201, 'the token works before');
    assert.equal((await api(suite.server, 'POST', '/api/user/token/revoke', { userId: 'f-revoked' })).status, 200);
    const refused = (answer: { status: number; json: { errorCode?: number } }, what: string) => {
      assert.equal(answer.status, 401, what);
      assert.equal(answer.json.errorCode, ErrorCode.RC_CONN_USER_OR_PASSWD_ERROR, what);
    };
    refused(await upload(token, Buffer.from('after')), 'upload');
    refused(await sign(token, { ids: [uploaded.json.fileId] }), 'signing');
    const read = await fetch(uploaded.json.url, { headers: { Authorization: `Bearer ${token}` } });
    refused({ status: read.status, json: await read.json() as { errorCode?: number } }, 'read');
  });

  it('refuses expired and tampered signatures with 403', async () => {
    const alice = await connect('f-alice');
    const file = await alice.uploadFile(Buffer.from('secret'));
    const key = fileSigningKey(APP_SECRET);
    const expiredAt = Date.now() - 1000;
    const expired = `${file.url}?u=f-alice&e=${expiredAt}&s=${fileUrlSignature(key, file.fileId, 'f-alice', expiredAt)}`;
    assert.equal((await fetch(expired)).status, 403);
    const good = (await alice.getFileUrls([file.url]))[file.url]!;
    assert.equal((await fetch(good)).status, 200);
    const later = new URL(good);
    later.searchParams.set('e', String(Number(later.searchParams.get('e')) + 3_600_000));
    assert.equal((await fetch(later)).status, 403, 'a longer expiry breaks the signature');
    const flipped = new URL(good);
    const signature = flipped.searchParams.get('s')!;
    flipped.searchParams.set('s', (signature[0] === 'A' ? 'B' : 'A') + signature.slice(1));
    assert.equal((await fetch(flipped)).status, 403);
    assert.equal((await fetch(file.url)).status, 403, 'no signature at all');
  });

  it('refuses a file over --max-upload-bytes with 413 and keeps no part of it', async () => {
    const alice = await connect('f-alice');
    const before = storedFiles();
    await assert.rejects(alice.uploadFile(randomBytes(MAX_UPLOAD + 1)), (error: IMError) => {
      assert.equal(error.code, ErrorCode.PARAMETER_ERROR);
      assert.match(error.message, /exceeds 5000000 bytes/);
      return true;
    });
    // Sent without a length, so the server only learns the size while writing it.
    const token = await tokenFor(suite.server, 'f-alice');
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = httpRequest(`${suite.server.url}/files`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Transfer-Encoding': 'chunked' } });
      request.on('response', (response) => {
        let text = '';
        response.setEncoding('utf8').on('data', (chunk) => { text += chunk; }).on('end', () => resolve({ status: response.statusCode!, body: text }));
      });
      request.on('error', reject);
      const piece = randomBytes(256 * 1024);
      let sent = 0;
      const write = () => {
        while (sent < MAX_UPLOAD * 2) {
          sent += piece.length;
          if (!request.write(piece)) return void request.once('drain', write);
        }
        request.end();
      };
      write();
    });
    assert.equal(status, 413);
    assert.equal(JSON.parse(body).code, 413);
    assert.deepEqual(storedFiles(), before, 'no file and no partial file left');
    const after = await alice.uploadFile(randomBytes(MAX_UPLOAD));
    assert.equal(after.size, MAX_UPLOAD, 'exactly the limit is fine');
  });

  it('rejects an aborted upload with an IMError, and the server drops the partial file of a dropped upload', async () => {
    const alice = await connect('f-alice');
    const controller = new AbortController();
    const error = await alice.uploadFile(randomBytes(4_000_000), {
      signal: controller.signal,
      onProgress: (percent) => { if (percent >= 20) controller.abort(new Error('stop')); },
    }).then(() => undefined, (reason: unknown) => reason);
    assert.ok(error instanceof IMError);
    assert.equal(error.code, ErrorCode.RC_HTTP_SEND_FAIL);
    assert.equal((error.cause as Error).message, 'stop');

    // A raw request, so that it is cut exactly while the server is writing the file.
    // The aborted upload above may still be being cleaned up: count only whole files.
    const before = storedFiles().filter((name) => !name.endsWith('.part'));
    const dir = join(suite.server.dataDir, 'files');
    const token = await tokenFor(suite.server, 'f-alice');
    const request = httpRequest(`${suite.server.url}/files`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Length': '4000000' } });
    request.on('error', () => undefined);
    request.write(randomBytes(1_000_000));
    await waitFor((check) => {
      const watcher = watch(dir, check);
      return () => watcher.close();
    }, () => storedFiles().some((name) => name.endsWith('.part')), 'the upload to start on the server', 10_000);
    request.destroy();
    await waitFor((check) => {
      const watcher = watch(dir, check);
      return () => watcher.close();
    }, () => storedFiles().join() === before.join(), 'the partial files to go');
  });

  it('serves HTML and SVG as attachments of type octet-stream, whatever was declared or asked', async () => {
    const token = await tokenFor(suite.server, 'f-alice');
    const alice = await connect('f-alice');
    const samples: Array<[string, string, string]> = [
      ['page.html', 'text/html', '<!doctype html><script>alert(document.domain)</script>'],
      ['pic.svg', 'image/svg+xml', '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'],
      ['fake.png', 'image/png', '<html><body onload=alert(1)>'],
    ];
    for (const [name, type, text] of samples) {
      const { status, json } = await upload(token, Buffer.from(text), { 'Content-Type': type, 'X-File-Name': encodeURIComponent(name) }, '?disposition=inline');
      assert.equal(status, 201);
      assert.equal(json.type, 'application/octet-stream', `${name} is not trusted as ${type}`);
      const url = (await alice.getFileUrls([json.url]))[json.url]!;
      const response = await fetch(url);
      assert.equal(response.headers.get('content-type'), 'application/octet-stream');
      assert.match(response.headers.get('content-disposition')!, /^attachment; /);
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(response.headers.get('content-security-policy'), "default-src 'none'; sandbox");
      assert.equal(await response.text(), text);
    }
  });

  it('sniffs the type from the bytes and ignores the declared one', async () => {
    const token = await tokenFor(suite.server, 'f-alice');
    const cases: Array<[Buffer, string]> = [
      [Buffer.concat([PNG_HEAD, randomBytes(10)]), 'image/png'],
      [Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 0x10]), 'image/jpeg'],
      [Buffer.from('GIF89a\x01\x00\x01\x00'), 'image/gif'],
      [Buffer.from('%PDF-1.7\n'), 'application/pdf'],
      [Buffer.from('\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00', 'latin1'), 'video/mp4'],
      [Buffer.from('\x00\x00\x00\x18ftypM4A \x00\x00\x00\x00', 'latin1'), 'audio/mp4'],
      [Buffer.from('ID3\x04\x00\x00', 'latin1'), 'audio/mpeg'],
      [Buffer.from([0xff, 0xf1, 0x50, 0x80]), 'audio/aac'],
      [Buffer.from('PK\x03\x04\x14\x00', 'latin1'), 'application/zip'],
      [Buffer.from('just text'), 'application/octet-stream'],
    ];
    for (const [bytes, expected] of cases) {
      const { json } = await upload(token, bytes, { 'Content-Type': 'text/html' });
      assert.equal(json.type, expected, `${bytes.subarray(0, 8).toString('hex')} → ${expected}`);
    }
  });

  it('answers CORS preflights for the upload and sign endpoints', async () => {
    for (const path of ['/files', '/files/sign']) {
      const response = await fetch(`${suite.server.url}${path}`, {
        method: 'OPTIONS',
        headers: { Origin: 'https://site.example', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization, x-file-name' },
      });
      assert.equal(response.status, 204);
      assert.equal(response.headers.get('access-control-allow-origin'), '*');
      assert.match(response.headers.get('access-control-allow-headers')!, /Authorization.*X-File-Name/);
      assert.equal(response.headers.get('access-control-allow-credentials'), null);
    }
  });
});
