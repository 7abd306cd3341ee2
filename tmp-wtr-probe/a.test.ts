import $protobuf from 'protobufjs/minimal.js';
const assert = (c: unknown, m: string) => { if (!c) throw new Error(m); };
describe('probe', () => {
  it('protobuf shim', () => {
    const w = $protobuf.Writer.create(); w.uint32(300).string('héllo');
    const r = $protobuf.Reader.create(w.finish());
    assert(r.uint32() === 300 && r.string() === 'héllo', 'roundtrip');
  });
  it('env + server', async () => {
    const env = await (await fetch('/__im-test-env.json')).json();
    assert(env.appKey === 'test-key' && env.appSecret === 'test-secret', 'keys');
    assert(/^ws:\/\/127\.0\.0\.1:\d+\/im$/.test(env.ws), 'ws ' + env.ws);
    const body = await (await fetch(env.http + '/x')).json();
    assert(body.ok && body.args.includes('--rate-limit'), 'server');
  });
  it.skip('skipped', () => {});
  it('fails on purpose', () => { throw new Error('intentional'); });
});
