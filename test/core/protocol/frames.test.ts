import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ErrorCode, FrameType } from '../../../src/core/protocol/codes.js';
import {
  decodeFrame, decodeHeader, encodeFrame, encodeHeader, FrameError, MAX_FRAME_BYTES, type Frame,
} from '../../../src/core/protocol/frames.js';
import { int, pick, seededRandom, type Random } from '../../helpers/random.js';

const alphabet = ['a', 'Z', '0', ':', '-', ' ', '你', '好', '😀', '👍🏽', '\u0000', '\n', '<', '"', 'é', '\u202e'];
const str = (r: Random, max = 24) => Array.from({ length: int(r, max) }, () => pick(r, alphabet)).join('');
const u32 = (r: Random) => int(r, 0xffffffff);
const i32 = (r: Random) => int(r, 0xffffffff) - 0x80000000;
// 64-bit fields carry ms times, seqs and cursors: any safe integer, negatives included.
const i64 = (r: Random) => pick(r, [0, 1, int(r, 1000), Date.now(), Number.MAX_SAFE_INTEGER, -int(r, 1e12)]);
const bytes = (r: Random, max = 64) => Uint8Array.from({ length: int(r, max) }, () => int(r, 255));
const bool = (r: Random) => r() < 0.5;

const message = (r: Random) => ({
  messageUid: str(r), clientMsgId: str(r), conversationType: u32(r), targetId: str(r), senderUserId: str(r),
  objectName: str(r), content: bytes(r), sentTime: i64(r), seq: i64(r), cursor: i64(r), counted: bool(r), persisted: bool(r),
});

/** A random frame of any type, every field set. */
function randomFrame(r: Random): Frame {
  const flags = { dup: bool(r), qos: int(r, 3) as 0 | 1 | 2 | 3, retain: bool(r) };
  switch (pick(r, [1, 2, 3, 3, 3, 4, 5, 6, 7, 12, 13, 14] as const)) {
    case 1: return { type: FrameType.CONNECT, ...flags, body: { protocolVersion: u32(r), token: str(r, 200), deviceId: str(r), platform: str(r) } };
    case 2: return { type: FrameType.CONNACK, ...flags, body: { code: i32(r), userId: str(r), sessionId: str(r), serverTime: i64(r), heartbeatSeconds: u32(r) } };
    case 3: {
      const kind = int(r, 2);
      const payload = kind === 0
        ? { outgoing: { clientMsgId: str(r), conversationType: u32(r), targetId: str(r), objectName: str(r), content: bytes(r), counted: bool(r), persisted: bool(r), senderUserId: str(r) } }
        : kind === 1 ? { message: message(r) }
          : { conversation: { conversationType: u32(r), targetId: str(r), readSeq: i64(r), removed: bool(r), time: i64(r) } };
      return { type: FrameType.PUBLISH, ...flags, body: { requestId: u32(r), ...payload } };
    }
    case 4: return { type: FrameType.PUBACK, ...flags, body: { requestId: u32(r), code: i32(r), messageUid: str(r), clientMsgId: str(r), sentTime: i64(r), seq: i64(r), cursor: i64(r) } };
    case 5: return { type: FrameType.QUERY, ...flags, body: { requestId: u32(r), topic: str(r), body: bytes(r, 300) } };
    case 6: return { type: FrameType.QUERYACK, ...flags, body: { requestId: u32(r), code: i32(r), body: bytes(r, 300) } };
    case 7: return { type: FrameType.QUERYCON, ...flags, body: { requestId: u32(r) } };
    case 12: return { type: FrameType.PINGREQ, ...flags, body: undefined };
    case 13: return { type: FrameType.PINGRESP, ...flags, body: undefined };
    case 14: return { type: FrameType.DISCONNECT, ...flags, body: { code: i32(r), reason: str(r) } };
  }
}

/** The decoded body as plain data, with only the fields the original set (bytes as arrays). */
function plain(value: unknown, shape: unknown): unknown {
  if (value instanceof Uint8Array) return Array.from(value);
  if (shape && typeof shape === 'object' && !(shape instanceof Uint8Array)) {
    return Object.fromEntries(Object.keys(shape).map((key) => [key, plain((value as Record<string, unknown>)[key], (shape as Record<string, unknown>)[key])]));
  }
  return value;
}

function assertTotal(input: Uint8Array): void {
  let result;
  assert.doesNotThrow(() => { result = decodeFrame(input); });
  const r = result! as ReturnType<typeof decodeFrame>;
  if (!r.ok) {
    assert.ok(r.error instanceof FrameError);
    assert.ok(Object.values(ErrorCode).includes(r.error.code as never), `code ${r.error.code} is in the table`);
  }
}

describe('frame codec', () => {
  it('the header byte round-trips for every value', () => {
    for (let byte = 0; byte < 256; byte++) {
      const header = decodeHeader(byte);
      assert.equal(encodeHeader(header.type, header), byte);
    }
    assert.equal(encodeHeader(FrameType.PUBLISH, { qos: 1, dup: true, retain: false }), 0b0011_1_01_0);
  });

  it('round-trips 5,000 generated frames of every type', () => {
    const r = seededRandom(20261123);
    for (let i = 0; i < 5000; i++) {
      const frame = randomFrame(r);
      const result = decodeFrame(encodeFrame(frame));
      assert.ok(result.ok, `frame ${i} decodes`);
      assert.equal(result.frame.type, frame.type);
      assert.equal(result.frame.dup, !!frame.dup);
      assert.equal(result.frame.qos, frame.qos ?? 0);
      assert.equal(result.frame.retain, !!frame.retain);
      if (frame.body === undefined) assert.equal(result.frame.body, undefined);
      else assert.deepEqual(plain(result.frame.body, frame.body), plain(frame.body, frame.body), `frame ${i} (type ${frame.type})`);
    }
  });

  it('is total over random bytes, truncations and bit flips', () => {
    const r = seededRandom(7);
    for (let i = 0; i < 5000; i++) assertTotal(bytes(r, 300));
    for (let i = 0; i < 300; i++) {
      const whole = encodeFrame(randomFrame(r));
      for (let cut = 0; cut < whole.length; cut += 1 + int(r, 3)) assertTotal(whole.subarray(0, cut));
      for (let flips = 0; flips < 10; flips++) {
        const mutated = whole.slice();
        const at = int(r, mutated.length - 1);
        mutated[at] = mutated[at]! ^ (1 << int(r, 7));
        assertTotal(mutated);
      }
    }
  });

  it('refuses what is not a frame with a typed error', () => {
    const expectError = (input: Uint8Array, code: number) => {
      const result = decodeFrame(input);
      assert.equal(result.ok, false);
      if (!result.ok) assert.equal(result.error.code, code, result.error.message);
    };
    expectError(new Uint8Array(0), ErrorCode.RC_MSG_DATA_INCOMPLETE);
    expectError(new Uint8Array(MAX_FRAME_BYTES + 1), ErrorCode.PARAMETER_ERROR);
    expectError(new Uint8Array([0]), ErrorCode.RC_MSG_DATA_INCOMPLETE); // type 0
    expectError(new Uint8Array([15 << 4]), ErrorCode.RC_MSG_DATA_INCOMPLETE); // type 15
    expectError(new Uint8Array([FrameType.PINGREQ << 4, 1]), ErrorCode.RC_MSG_DATA_INCOMPLETE); // ping with a body
    // A field claiming 2 GB of bytes: refused at once, nothing that size is allocated.
    expectError(new Uint8Array([FrameType.QUERY << 4, 0x1a, 0xff, 0xff, 0xff, 0xff, 0x07]), ErrorCode.RC_MSG_DATA_INCOMPLETE);
    // A varint that never ends.
    expectError(new Uint8Array([FrameType.CONNECT << 4, 0x08, ...new Array(20).fill(0xff)]), ErrorCode.RC_MSG_DATA_INCOMPLETE);
    assert.equal(decodeFrame('text' as unknown as Uint8Array).ok, false);
  });
});
