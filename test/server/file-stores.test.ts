import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, watch } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PassThrough, Readable } from 'node:stream';
import { ConversationType } from '../../src/core/protocol/codes.js';
import { TextMessage } from '../../src/core/messages/index.js';
import { BlobSizeError, BlobStoreError, LocalDirBlobStore, type BlobStore } from '../../src/server/storage/blob-store.js';
import { SqliteFileMetaStore, type FileMetaStore, type FileRecord } from '../../src/server/storage/file-store.js';
import { PgFileMetaStore } from '../../src/server/storage/pg-file-meta-store.js';
import { parseS3Url, S3BlobStore, type S3Options } from '../../src/server/storage/s3-blob-store.js';
import { createDatabase } from '../helpers/cluster.js';
import { FaultProxy, NO_FAULTS } from '../helpers/fault-proxy.js';
import { freePort } from '../helpers/ports.js';
import { connectClient, startTestServer, tokenFor, waitFor, type TestServer } from '../helpers/server.js';

const BUCKET = 'im-files';
const newId = () => randomBytes(16).toString('base64url');
const S3RVER_BIN = createRequire(import.meta.url).resolve('s3rver/bin/s3rver.js');

/**
 * An S3-compatible server of the suite's own (s3rver, in a process of its own: under the test's
 * TypeScript loader one of its dependencies resolves to its ESM build and breaks), on a free
 * port, keeping its objects in a temp directory.
 */
async function startS3(): Promise<{ options: S3Options; url: string; directory: string; objects(): string[]; stop(): Promise<void> }> {
  const directory = mkdtempSync(join(tmpdir(), 'im-s3-'));
  const child = spawn(process.execPath, [S3RVER_BIN, '-d', directory, '-a', '127.0.0.1', '-p', '0', '--silent', '--configure-bucket', BUCKET],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk) => { stderr += chunk; });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const port = await new Promise<number>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      const match = /^S3rver listening on [^:]+:(\d+)$/.exec(line);
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`s3rver exited (${code}) before listening:\n${stderr}`)));
  });
  const url = `s3://S3RVER:S3RVER@127.0.0.1:${port}/${BUCKET}?region=us-east-1&tls=false`;
  return {
    options: parseS3Url(url), url, directory,
    objects: () => (readdirSync(join(directory, BUCKET), { recursive: true }) as string[]).filter((name) => name.endsWith('._S3rver_object')).sort(),
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The same behaviours of every blob store. */
function blobStoreContract(name: string, open: () => Promise<{ store: BlobStore; cleanup(): Promise<void> }>) {
  describe(`blob store: ${name}`, () => {
    let store: BlobStore;
    let cleanup: () => Promise<void>;
    before(async () => ({ store, cleanup } = await open()));
    after(async () => {
      await store.close();
      await cleanup();
    });

    it('stores bytes and a stream, and reads them whole and by range with the total size', async () => {
      const bytes = randomBytes(300_000);
      const id = newId();
      assert.equal(await store.put(id, bytes, { size: bytes.length }), bytes.length);
      const whole = (await store.get(id))!;
      assert.equal(whole.size, bytes.length);
      assert.ok((await readAll(whole.body)).equals(bytes));
      const part = (await store.get(id, { start: 1000, end: 1999 }))!;
      assert.equal(part.size, bytes.length);
      assert.ok((await readAll(part.body)).equals(bytes.subarray(1000, 2000)));
      const last = (await store.get(id, { start: bytes.length - 1, end: bytes.length - 1 }))!;
      assert.ok((await readAll(last.body)).equals(bytes.subarray(-1)));

      const streamed = newId();
      const pieces = [randomBytes(70_000), randomBytes(1), randomBytes(90_000)];
      assert.equal(await store.put(streamed, Readable.from(pieces)), 160_001);
      assert.ok((await readAll((await store.get(streamed))!.body)).equals(Buffer.concat(pieces)));
    });

    it('keeps nothing readable of a source that fails or of a size that does not match', async () => {
      const broken = newId();
      const source = new PassThrough();
      const put = store.put(broken, source);
      source.write(randomBytes(100_000));
      source.destroy(new Error('client went away'));
      await assert.rejects(put, /client went away/);
      assert.equal(await store.get(broken), undefined);

      const short = newId();
      await assert.rejects(store.put(short, randomBytes(10), { size: 11 }), BlobSizeError);
      assert.equal(await store.get(short), undefined);
    });

    it('deletes, and answers undefined for a blob that is not there', async () => {
      const id = newId();
      await store.put(id, Buffer.from('bye'));
      await store.delete(id);
      assert.equal(await store.get(id), undefined);
      await store.delete(id); // twice is fine
    });

    it('refuses ids that are not server-made before touching anything', async () => {
      for (const bad of ['../../etc/passwd', 'a/b', '', `${newId()}.part`, '..', 'x'.repeat(23)]) {
        await assert.rejects(store.put(bad, Buffer.from('x')), /not a file id/);
        await assert.rejects(store.get(bad), /not a file id/);
        await assert.rejects(store.delete(bad), /not a file id/);
      }
    });
  });
}

blobStoreContract('local directory', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'im-blobs-'));
  return { store: new LocalDirBlobStore(join(dir, 'files')), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});

blobStoreContract('S3 (s3rver)', async () => {
  const s3 = await startS3();
  const spool = mkdtempSync(join(tmpdir(), 'im-spool-'));
  return {
    store: new S3BlobStore(s3.options, spool),
    async cleanup() {
      assert.deepEqual(readdirSync(spool), [], 'nothing left in the spool');
      rmSync(spool, { recursive: true, force: true });
      await s3.stop();
    },
  };
});

describe('blob store: S3 failures', () => {
  it('fails fast and clearly when the service is unreachable', async () => {
    const spool = mkdtempSync(join(tmpdir(), 'im-spool-'));
    const store = new S3BlobStore(parseS3Url(`s3://k:s@127.0.0.1:${await freePort()}/${BUCKET}?tls=false`), spool);
    try {
      await assert.rejects(store.put(newId(), Buffer.from('x')), (error: BlobStoreError) => error.kind === 'unreachable' && /ECONNREFUSED/.test(error.message));
      await assert.rejects(store.get(newId()), (error: BlobStoreError) => error.kind === 'unreachable');
      assert.deepEqual(readdirSync(spool), [], 'the spooled upload is gone');
    } finally {
      await store.close();
      rmSync(spool, { recursive: true, force: true });
    }
  });

  it('gives up on a service that accepts connections and never answers', async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => {
      sockets.add(socket);
      socket.resume();
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    const spool = mkdtempSync(join(tmpdir(), 'im-spool-'));
    const store = new S3BlobStore({ ...parseS3Url(`s3://k:s@127.0.0.1:${port}/${BUCKET}?tls=false`), timeoutMs: 300 }, spool);
    try {
      await assert.rejects(store.get(newId()), (error: BlobStoreError) => error.kind === 'timeout');
    } finally {
      await store.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
      rmSync(spool, { recursive: true, force: true });
    }
  });

  it('tells a missing bucket and wrong credentials apart', async () => {
    const s3 = await startS3();
    const spool = mkdtempSync(join(tmpdir(), 'im-spool-'));
    const noBucket = new S3BlobStore({ ...s3.options, bucket: 'not-there' }, spool);
    const wrongKey = new S3BlobStore({ ...s3.options, accessKeyId: 'NOBODY' }, spool);
    try {
      await assert.rejects(noBucket.put(newId(), Buffer.from('x')), (error: BlobStoreError) => error.kind === 'no-bucket');
      await assert.rejects(wrongKey.put(newId(), Buffer.from('x')), (error: BlobStoreError) => error.kind === 'denied');
    } finally {
      await noBucket.close();
      await wrongKey.close();
      rmSync(spool, { recursive: true, force: true });
      await s3.stop();
    }
  });

  it('parses the --files-s3 URL and refuses malformed ones', () => {
    assert.deepEqual(parseS3Url('s3://AK%2F1:se%2Bcret@minio.local:9000/im-files?region=eu-west-1&tls=false&prefix=chat/'), {
      endpoint: 'http://minio.local:9000', bucket: 'im-files', region: 'eu-west-1', accessKeyId: 'AK/1', secretAccessKey: 'se+cret', prefix: 'chat/',
    });
    assert.equal(parseS3Url('s3://a:b@s3.amazonaws.com/bucket').endpoint, 'https://s3.amazonaws.com');
    for (const bad of ['http://a:b@h/bucket', 's3://h/bucket', 's3://a:b@h/', 's3://a:b@h/b/c', 's3://a:b@h/bucket?tls=no', 's3://a:b@h/bucket?prefix=../x%00']) {
      assert.throws(() => parseS3Url(bad), Error, bad);
    }
  });
});

/** The same behaviours of every metadata store. */
function metaStoreContract(name: string, open: () => Promise<{ store: FileMetaStore; cleanup(): Promise<void> }>) {
  describe(`file metadata: ${name}`, () => {
    let store: FileMetaStore;
    let cleanup: () => Promise<void>;
    before(async () => ({ store, cleanup } = await open()));
    after(async () => {
      await store.close();
      await cleanup();
    });

    it('adds and gets records (sizes and times as numbers), grants once per conversation, in grant order', async () => {
      const record: FileRecord = {
        fileId: newId(), uploaderId: 'u-1', name: 'report 报告.pdf', size: 5_000_000_123, sniffedType: 'application/pdf',
        declaredType: 'text/html', disposition: 'inline', createdAt: 1_765_000_000_123,
      };
      await store.add(record);
      assert.deepEqual(await store.get(record.fileId), record);
      assert.equal(await store.get(newId()), undefined);
      await assert.rejects(store.add(record), 'an id is added once');
      assert.deepEqual(await store.grants(record.fileId), []);
      await store.grant(record.fileId, '3:team', 10);
      await store.grant(record.fileId, '1:a:b', 20);
      await store.grant(record.fileId, '3:team', 30);
      assert.deepEqual(await store.grants(record.fileId), ['3:team', '1:a:b']);
    });
  });
}

metaStoreContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'im-meta-'));
  return { store: new SqliteFileMetaStore(join(dir, 'files.db')), cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
});

metaStoreContract('PostgreSQL', async () => {
  const database = await createDatabase();
  // Nodes starting at once: the migration runs once, behind its lock, and both open.
  const [store, other] = await Promise.all([PgFileMetaStore.open(database.url), PgFileMetaStore.open(database.url)]);
  await other.close();
  const again = await PgFileMetaStore.open(database.url);
  await again.close();
  return { store, cleanup: () => database.drop() };
});

/**
 * Two server processes of one app, sharing the file bytes (`blobArgs`) and the file metadata in
 * PostgreSQL: what one accepts the other serves, to the same people.
 */
function twoNodes(name: string, breakable: boolean, setup: () => Promise<{
  blobArgs: string[]; count(): string[]; spool(node: TestServer): string; breakBlobs?(): Promise<void>; cleanup(): Promise<void>;
}>) {
  describe(`two nodes: ${name} and PostgreSQL metadata`, () => {
    let nodeA: TestServer;
    let nodeB: TestServer;
    let env: Awaited<ReturnType<typeof setup>>;
    let database: Awaited<ReturnType<typeof createDatabase>>;
    before(async () => {
      database = await createDatabase();
      env = await setup();
      const extra = [...env.blobArgs, '--files-db', database.url, '--max-upload-bytes', '3000000'];
      nodeA = await startTestServer({ extra });
      nodeB = await startTestServer({ extra });
    });
    after(async () => {
      await nodeA?.dispose();
      await nodeB?.dispose();
      await env?.cleanup();
      await database?.drop();
    });

    const upload = async (node: TestServer, token: string, body: Uint8Array, name = 'f.bin') => {
      const response = await fetch(`${node.url}/files`, {
        method: 'POST', body: new Uint8Array(body), headers: { Authorization: `Bearer ${token}`, 'X-File-Name': encodeURIComponent(name) },
      });
      return { status: response.status, json: await response.json() as any };
    };
    const signOn = async (node: TestServer, token: string, fileId: string): Promise<string | undefined> => {
      const response = await fetch(`${node.url}/files/sign`, {
        method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ ids: [fileId] }),
      });
      assert.equal(response.status, 200);
      return ((await response.json()) as { urls: Record<string, string> }).urls[fileId];
    };

    it('serves through node B, by range, to a member of the chat it was sent to through node A; a non-member cannot read it', async () => {
      const aliceToken = await tokenFor(nodeA, 'n-alice');
      const bytes = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(2_000_000)]);
      const { status, json } = await upload(nodeA, aliceToken, bytes, 'plan 计划.pdf');
      assert.equal(status, 201, JSON.stringify(json));
      assert.equal(json.type, 'application/pdf');
      const fileId: string = json.fileId;

      const bobToken = await tokenFor(nodeB, 'n-bob');
      const carolToken = await tokenFor(nodeB, 'n-carol');
      assert.equal(await signOn(nodeB, bobToken, fileId), undefined, 'not sent anywhere yet');
      assert.equal((await fetch(`${nodeB.url}/files/${fileId}`, { headers: { Authorization: `Bearer ${bobToken}` } })).status, 403);
      const asUploader = await fetch(`${nodeB.url}/files/${fileId}`, { headers: { Authorization: `Bearer ${aliceToken}` } });
      assert.equal(asUploader.status, 200, 'the uploader reads it through the other node');
      assert.ok(Buffer.from(await asUploader.arrayBuffer()).equals(bytes));

      const alice = await connectClient(nodeA, 'n-alice');
      try {
        await alice.sendMessage({ conversationType: ConversationType.PRIVATE, targetId: 'n-bob' }, new TextMessage({ content: `see ${json.url}` }));
      } finally {
        await alice.disconnect();
      }
      const forBob = await signOn(nodeB, bobToken, fileId);
      assert.ok(forBob?.startsWith(`${nodeB.url}/files/${fileId}?u=n-bob&`), forBob);
      const ranged = await fetch(forBob!, { headers: { Range: 'bytes=1000000-1000999' } });
      assert.equal(ranged.status, 206);
      assert.equal(ranged.headers.get('content-range'), `bytes 1000000-1000999/${bytes.length}`);
      assert.equal(ranged.headers.get('content-type'), 'application/pdf');
      assert.equal(ranged.headers.get('content-disposition'), `inline; filename="plan __.pdf"; filename*=UTF-8''plan%20%E8%AE%A1%E5%88%92.pdf`);
      assert.ok(Buffer.from(await ranged.arrayBuffer()).equals(bytes.subarray(1_000_000, 1_001_000)));
      const whole = await fetch(forBob!);
      assert.equal(whole.headers.get('content-length'), String(bytes.length));
      assert.ok(Buffer.from(await whole.arrayBuffer()).equals(bytes));

      assert.equal(await signOn(nodeB, carolToken, fileId), undefined, 'carol was not in that chat');
      assert.equal(await signOn(nodeA, carolToken, fileId), undefined);
      assert.equal((await fetch(forBob!.replace('u=n-bob', 'u=n-carol'))).status, 403, 'bob\'s signature is not carol\'s');
      assert.equal((await fetch(`${nodeA.url}/files/${fileId}`, { headers: { Authorization: `Bearer ${carolToken}` } })).status, 403);
    });

    it('leaves nothing readable of an upload cut short or over the size limit', async () => {
      const token = await tokenFor(nodeA, 'n-alice');
      const before = env.count();
      const spool = env.spool(nodeA);
      const parts = () => readdirSync(spool).filter((name) => name.endsWith('.part'));

      const request = httpRequest(`${nodeA.url}/files`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Length': '2500000' } });
      request.on('error', () => undefined);
      request.write(randomBytes(1_000_000));
      await waitFor((check) => {
        const watcher = watch(spool, check);
        return () => watcher.close();
      }, () => parts().length > 0, 'the upload to start on the server');
      request.destroy();
      await waitFor((check) => {
        const watcher = watch(spool, check);
        return () => watcher.close();
      }, () => parts().length === 0, 'the partial upload to go');

      const oversize = await upload(nodeA, token, randomBytes(3_000_001));
      assert.equal(oversize.status, 413);
      assert.deepEqual(parts(), []);
      assert.deepEqual(env.count(), before, 'no new stored file');
    });

    it('answers an unknown or malformed id with 404 on either node', async () => {
      const token = await tokenFor(nodeB, 'n-alice');
      for (const node of [nodeA, nodeB]) {
        for (const id of [newId(), '..%2F..%2Fetc%2Fpasswd', 'x']) {
          assert.equal((await fetch(`${node.url}/files/${id}`, { headers: { Authorization: `Bearer ${token}` } })).status, 404, id);
        }
      }
    });

    if (breakable) it('answers 503 at once, on both nodes, while the file store is gone (last: it stays gone)', async () => {
      assert.ok(env.breakBlobs);
      const token = await tokenFor(nodeA, 'n-alice');
      const { json } = await upload(nodeA, token, randomBytes(1000));
      await env.breakBlobs();
      for (const node of [nodeB, nodeA]) {
        const read = await fetch(`${node.url}/files/${json.fileId}`, { headers: { Authorization: `Bearer ${token}` } });
        assert.equal(read.status, 503);
        assert.equal(((await read.json()) as { errorMessage: string }).errorMessage, 'file storage is unavailable; try again later');
        assert.equal((await upload(node, token, randomBytes(1000))).status, 503);
      }
    });
  });
}

twoNodes('a shared directory', false, async () => {
  const root = mkdtempSync(join(tmpdir(), 'im-shared-'));
  const shared = join(root, 'files');
  return {
    blobArgs: ['--files-dir', shared],
    count: () => readdirSync(shared).filter((name) => !name.endsWith('.part')).sort(),
    spool: () => shared,
    cleanup: async () => rmSync(root, { recursive: true, force: true }),
  };
});

twoNodes('an S3 bucket (s3rver)', true, async () => {
  const s3 = await startS3();
  let stopped = false;
  return {
    blobArgs: ['--files-s3', s3.url],
    count: () => s3.objects(),
    spool: (node) => join(node.dataDir, 'files-spool'),
    async breakBlobs() {
      stopped = true;
      await s3.stop();
    },
    cleanup: async () => {
      if (!stopped) await s3.stop();
    },
  };
});

describe('a node whose S3 service is unreachable', () => {
  let node: TestServer;
  let database: Awaited<ReturnType<typeof createDatabase>>;
  before(async () => {
    database = await createDatabase();
    node = await startTestServer({ extra: ['--files-s3', `s3://k:s@127.0.0.1:${await freePort()}/${BUCKET}?tls=false`, '--files-db', database.url] });
  });
  after(async () => {
    await node?.dispose();
    await database?.drop();
  });

  it('answers uploads with a clear 503 at once and keeps nothing', async () => {
    const token = await tokenFor(node, 'n-alice');
    for (let attempt = 0; attempt < 2; attempt++) {
      const response = await fetch(`${node.url}/files`, { method: 'POST', body: randomBytes(50_000), headers: { Authorization: `Bearer ${token}` } });
      assert.equal(response.status, 503);
      assert.deepEqual(await response.json(), { code: 503, errorMessage: 'file storage is unavailable; try again later' });
    }
    assert.deepEqual(readdirSync(join(node.dataDir, 'files-spool')), []);
    assert.equal(existsSync(join(node.dataDir, 'files')), false, 'no local file directory in S3 mode');
  });
});

describe('a node whose file metadata database goes away', () => {
  let node: TestServer;
  let database: Awaited<ReturnType<typeof createDatabase>>;
  let proxy: FaultProxy;
  before(async () => {
    database = await createDatabase();
    const url = new URL(database.url);
    proxy = await FaultProxy.start({ upstreamPort: Number(url.port || 5432), seed: 11 });
    url.port = String(proxy.port);
    node = await startTestServer({ extra: ['--files-db', url.toString()] });
  });
  after(async () => {
    // The database back first (a failed assertion may have left it cut), so that the node can close.
    if (proxy) proxy.faults = NO_FAULTS;
    await node?.dispose();
    await proxy?.close();
    await database?.drop();
  });

  const upload = async (token: string, body: Uint8Array) => {
    // An answer is due within the store's 5 s wait: a request left hanging fails here, not at the suite's timeout.
    const response = await fetch(`${node.url}/files`, {
      method: 'POST', body: new Uint8Array(body), headers: { Authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(30_000),
    });
    return { status: response.status, retryAfter: response.headers.get('retry-after'), json: await response.json() as any };
  };
  const storedFiles = () => (existsSync(join(node.dataDir, 'files')) ? readdirSync(join(node.dataDir, 'files'), { recursive: true }).length : 0);

  it('answers 503 with Retry-After while it is out, keeps nothing of those uploads, and loses nothing accepted before', async () => {
    const token = await tokenFor(node, 'n-dora');
    const before = randomBytes(40_000);
    const first = await upload(token, before);
    assert.equal(first.status, 201, JSON.stringify(first.json));
    const filesBefore = storedFiles();

    // Every connection to the database is cut now, and every new one a byte in.
    proxy.faults = { ...NO_FAULTS, cut: 1 };
    proxy.cutAll();
    const refused = await upload(token, randomBytes(40_000));
    assert.equal(refused.status, 503);
    assert.equal(refused.retryAfter, '5');
    assert.deepEqual(refused.json, { code: 503, errorMessage: 'file storage is unavailable; try again later' });
    assert.equal(storedFiles(), filesBefore, 'the refused upload left no bytes behind');

    // Back: uploads work again, and the file accepted before the outage is whole.
    proxy.faults = NO_FAULTS;
    const after = await upload(token, randomBytes(40_000));
    assert.equal(after.status, 201, JSON.stringify(after.json));
    const response = await fetch(first.json.url, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(response.status, 200);
    assert.deepEqual(Buffer.from(await response.arrayBuffer()), before);
  });
});
