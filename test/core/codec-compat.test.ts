// The generated codec (src/core/protocol/generated/im.js over wire.js) against protobufjs itself,
// reading the same im.proto by reflection: byte-identical encoding, and each side decodes what
// the other encoded, for random messages of every type. Also: unknown fields are skipped, and
// truncated or malformed input is refused (thrown, or a FrameError from decodeFrame), never
// half-read in silence.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import protobuf from 'protobufjs';
import { im } from '../../src/core/protocol/generated/im.js';
import { decodeFrame, FrameError } from '../../src/core/protocol/frames.js';
import { FrameType } from '../../src/core/protocol/codes.js';
import { int, pick, seededRandom, type Random } from '../helpers/random.js';

const root = protobuf.loadSync(new URL('../../src/core/protocol/im.proto', import.meta.url).pathname).resolveAll();
const pkg = root.lookup('im') as protobuf.Namespace;
const reflected = pkg.nestedArray.filter((nested): nested is protobuf.Type => nested instanceof protobuf.Type);

interface Codec {
  new (properties?: object): object;
  encode(message: object): { finish(): Uint8Array };
  decode(bytes: Uint8Array): Record<string, unknown>;
}
const ours = (name: string) => (im as unknown as Record<string, Codec>)[name]!;


// One to four UTF-8 bytes a character, astral ones (surrogate pairs) and a BOM included.
const alphabet = ['a', 'Z', '0', ' ', '\u0000', '\n', '"', '\u007f', '\u0080', 'é', 'ß', '\u07ff', '\u0800', '你', '\u202e', '\ufeff', '\uffff', '😀', '👍🏽', '𝄞', '\u{10ffff}'];
function text(r: Random): string {
  const length = pick(r, [0, 1, int(r, 10), int(r, 40), int(r, 200)]);
  return Array.from({ length }, () => pick(r, alphabet)).join('');
}
function bytes(r: Random): Uint8Array {
  const length = pick(r, [0, 1, int(r, 20), int(r, 300)]);
  return Uint8Array.from({ length }, () => int(r, 255));
}
const SCALARS: Record<string, (r: Random) => unknown> = {
  uint32: (r) => pick(r, [0, 1, 127, 128, 16383, 16384, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, int(r, 2 ** 32 - 1)]),
  int32: (r) => pick(r, [0, 1, -1, 127, 128, -128, 2 ** 31 - 1, -(2 ** 31), int(r, 2 ** 32 - 1) - 2 ** 31]),
  // ms times, seqs and cursors: any safe integer, negatives included.
  int64: (r) => pick(r, [0, 1, -1, 2 ** 31, 2 ** 32, 2 ** 53 - 1, -(2 ** 53 - 1), Date.now(), int(r, 2 ** 53 - 1), -int(r, 1e12)]),
  uint64: (r) => pick(r, [0, 1, 2 ** 32, 2 ** 53 - 1, int(r, 2 ** 53 - 1)]),
  bool: (r) => r() < 0.5,
  string: text,
  bytes,
};

/** A random message of `type`: each field present, absent or null; repeated ones of 0–4 items. */
function randomMessage(r: Random, type: protobuf.Type, depth = 0): Record<string, unknown> {
  const message: Record<string, unknown> = {};
  for (const field of type.fieldsArray) {
    const roll = r();
    if (roll < 0.15) continue;
    if (roll < 0.2) {
      message[field.name] = pick(r, [null, undefined]);
      continue;
    }
    const value = () => field.resolvedType instanceof protobuf.Type
      ? randomMessage(r, field.resolvedType, depth + 1)
      : SCALARS[field.type]!(r);
    message[field.name] = field.repeated ? Array.from({ length: int(r, 4) }, value) : value();
  }
  return message;
}

/**
 * What a message says, as a plain object: the fields set (own properties, not null; repeated
 * ones non-empty), bytes as arrays. The same view of protobufjs's and of our decoded objects.
 */
function view(type: protobuf.Type, message: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of type.fieldsArray) {
    const value = message[field.name];
    if (value == null || !Object.prototype.hasOwnProperty.call(message, field.name)) continue;
    const one = (item: unknown): unknown => field.resolvedType instanceof protobuf.Type
      ? view(field.resolvedType, item as Record<string, unknown>)
      : item instanceof Uint8Array ? Array.from(item) : item;
    if (field.repeated) {
      if ((value as unknown[]).length) out[field.name] = (value as unknown[]).map(one);
    } else {
      out[field.name] = one(value);
    }
  }
  return out;
}

/** protobufjs's decoding of `bytes`, 64-bit integers as numbers. */
const theirView = (type: protobuf.Type, bytes: Uint8Array) =>
  view(type, type.toObject(type.decode(bytes), { longs: Number }) as Record<string, unknown>);

/** Every field of a decoded message reads as a value: the defaults where absent. */
function assertDefaults(type: protobuf.Type, decoded: Record<string, unknown>): void {
  for (const field of type.fieldsArray) {
    const value = decoded[field.name];
    const present = Object.prototype.hasOwnProperty.call(decoded, field.name);
    if (field.repeated) {
      assert.ok(Array.isArray(value), `${type.name}.${field.name} is an array`);
      if (present) for (const item of value as unknown[]) if (field.resolvedType instanceof protobuf.Type) assertDefaults(field.resolvedType, item as Record<string, unknown>);
    } else if (field.resolvedType instanceof protobuf.Type) {
      if (present) assertDefaults(field.resolvedType, value as Record<string, unknown>);
      else assert.equal(value, null, `${type.name}.${field.name} absent is null`);
    } else if (!present) {
      const expected = { string: '', bool: false, bytes: undefined }[field.type as 'string'] ?? 0;
      if (field.type === 'bytes') assert.ok(value instanceof Uint8Array && value.length === 0, `${type.name}.${field.name} absent is empty bytes`);
      else assert.equal(value, expected, `${type.name}.${field.name} absent is its default`);
    } else {
      assert.equal(typeof value, { string: 'string', bool: 'boolean', bytes: 'object' }[field.type] ?? 'number', `${type.name}.${field.name}`);
    }
  }
}

/** Unknown fields (numbers the schema does not use) of every wire type, with their values. */
function unknownFields(r: Random): Uint8Array {
  const writer = protobuf.Writer.create();
  const count = 1 + int(r, 4);
  for (let i = 0; i < count; i++) {
    const id = pick(r, [99, 100, 1000, 2047, 536870911]);
    switch (pick(r, [0, 1, 2, 3, 5])) {
      case 0: writer.uint32((id << 3) >>> 0).uint64(pick(r, [0, 1, 2 ** 53 - 1, -1])); break;
      case 1: writer.uint32(((id << 3) | 1) >>> 0).fixed64(int(r, 2 ** 40)); break;
      case 2: writer.uint32(((id << 3) | 2) >>> 0).bytes(bytes(r)); break;
      case 5: writer.uint32(((id << 3) | 5) >>> 0).fixed32(int(r, 2 ** 32 - 1)); break;
      default: // a group holding a varint, a nested group and a length-delimited field
        writer.uint32(((id << 3) | 3) >>> 0).uint32(8).uint32(150).uint32(19).uint32(16).uint32(1).uint32(20)
          .uint32(26).string('in a group').uint32(((id << 3) | 4) >>> 0);
    }
  }
  return writer.finish();
}

const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) (out.set(part, at), (at += part.length));
  return out;
};
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('generated codec vs protobufjs', () => {
  it('covers every message type of im.proto, and no other', () => {
    assert.deepEqual(Object.keys(im).sort(), reflected.map((type) => type.name).sort());
    assert.ok(reflected.length > 20);
  });

  for (const type of reflected) {
    it(`${type.name}: same bytes as protobufjs, and each decodes the other's`, () => {
      const r = seededRandom(type.name.length * 7919 + type.name.charCodeAt(0));
      const codec = ours(type.name);
      for (let n = 0; n < 300; n++) {
        const message = randomMessage(r, type);
        const expected = view(type, message);
        const mine = codec.encode(message).finish();
        const theirs = type.encode(message).finish();
        assert.equal(hex(mine), hex(theirs), `${type.name} #${n} encodes as protobufjs does`);
        assert.deepEqual(theirView(type, mine), expected, `protobufjs decodes our ${type.name} #${n}`);
        const decoded = codec.decode(theirs);
        assert.ok(decoded instanceof codec);
        assert.deepEqual(view(type, decoded), expected, `we decode protobufjs's ${type.name} #${n}`);
        assertDefaults(type, decoded);
        // Only what was on the wire is an own property: re-encoding a decoded message, or an
        // instance made from the plain object, gives the same bytes.
        assert.equal(hex(codec.encode(decoded).finish()), hex(theirs));
        assert.equal(hex(codec.encode(new codec(message)).finish()), hex(theirs));
      }
    });
  }

  it('64-bit extremes and every varint length round-trip', () => {
    const values = [0, 1, 127, 128, 2 ** 14, 2 ** 21, 2 ** 28, 2 ** 31, 2 ** 32, 2 ** 35, 2 ** 42, 2 ** 49, 2 ** 53 - 1];
    const type = root.lookupType('im.ConnAck');
    for (const value of [...values, ...values.map((v) => -v), -(2 ** 31)]) {
      const message = { serverTime: value, code: Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, value)), heartbeatSeconds: Math.abs(value) % 2 ** 32 };
      const bytes = im.ConnAck.encode(message).finish();
      assert.equal(hex(bytes), hex(type.encode(message).finish()), `${value}`);
      const decoded = im.ConnAck.decode(bytes);
      assert.equal(decoded.serverTime, value || 0);
      assert.equal(decoded.code, message.code || 0);
      assert.equal(decoded.heartbeatSeconds, message.heartbeatSeconds);
    }
  });

  it('long strings and bytes: multi-byte length prefixes', () => {
    for (const length of [127, 128, 16383, 16384, 70000]) {
      const message = { messageUid: '😀'.repeat(length / 4) + 'x'.repeat(length % 4), content: new Uint8Array(length).fill(7), targetId: 'é'.repeat(length) };
      const bytes = im.Message.encode(message).finish();
      assert.equal(hex(bytes), hex(root.lookupType('im.Message').encode(message).finish()));
      const decoded = im.Message.decode(bytes);
      assert.equal(decoded.messageUid, message.messageUid);
      assert.equal(decoded.targetId, message.targetId);
      assert.deepEqual(decoded.content, message.content);
      // A Publish around it: the sub-message's length prefix grows too.
      const publish = im.Publish.encode({ requestId: 1, message }).finish();
      assert.equal(hex(publish), hex(root.lookupType('im.Publish').encode({ requestId: 1, message }).finish()));
      assert.equal(im.Publish.decode(publish).message!.targetId, message.targetId);
    }
  });

  it('reads repeated numbers packed and unpacked', () => {
    const packed = im.ConversationListRequest.encode({ types: [1, 3, 300, 2 ** 32 - 1] }).finish();
    assert.equal(hex(packed), '0a090103ac02ffffffff0f');
    assert.equal(hex(packed), hex(root.lookupType('im.ConversationListRequest').encode({ types: [1, 3, 300, 2 ** 32 - 1] }).finish()));
    const unpacked = Uint8Array.from([0x08, 0x01, 0x08, 0x03, 0x08, 0xac, 0x02, 0x0a, 0x01, 0x07, 0x10, 0x05]);
    assert.deepEqual(im.ConversationListRequest.decode(unpacked).types, [1, 3, 300, 7]);
    assert.equal(im.ConversationListRequest.decode(unpacked).before, 5);
  });

  it('skips unknown fields of every wire type, anywhere in a message', () => {
    for (const type of reflected) {
      const r = seededRandom(type.name.length);
      const codec = ours(type.name);
      for (let n = 0; n < 50; n++) {
        const message = randomMessage(r, type);
        const plain = type.encode(message).finish();
        for (const bytes of [concat(unknownFields(r), plain), concat(plain, unknownFields(r)), concat(unknownFields(r), plain, unknownFields(r))]) {
          assert.deepEqual(view(type, codec.decode(bytes)), view(type, message), `${type.name} #${n}`);
          assert.deepEqual(theirView(type, bytes), view(type, message));
        }
      }
    }
  });

  it('truncated input: read only when cut between fields (as what is there), refused when cut inside one', () => {
    // protobufjs itself reads a string or bytes cut short as the shorter value; we refuse it.
    for (const type of reflected) {
      const r = seededRandom(type.name.length + 1);
      const codec = ours(type.name);
      for (let n = 0; n < 30; n++) {
        const bytes = type.encode(randomMessage(r, type)).finish();
        // Where the top-level fields end, by protobufjs's reader over the whole message.
        const boundaries = new Set([0]);
        const reader = protobuf.Reader.create(bytes);
        while (reader.pos < reader.len) {
          reader.skipType(reader.uint32() & 7);
          boundaries.add(reader.pos);
        }
        for (let cut = 0; cut < bytes.length; cut++) {
          const prefix = bytes.slice(0, cut);
          const what = `${type.name} cut at ${cut} of ${hex(bytes)}`;
          if (boundaries.has(cut)) {
            const decoded = codec.decode(prefix);
            assert.equal(hex(codec.encode(decoded).finish()), hex(prefix), what);
            assert.deepEqual(view(type, decoded), theirView(type, prefix), what);
          } else {
            assert.throws(() => codec.decode(prefix), RangeError, what);
          }
        }
      }
    }
  });

  it('malformed input throws', () => {
    const bad: [string, number[]][] = [
      ['a tag without its value', [0x08]],
      ['an unterminated varint', [0x08, 0x80]],
      ['a varint over 10 bytes', [0x08, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]],
      ['a string longer than the input', [0x12, 0x05, 0x61]],
      ['a length over 2^32', [0x12, 0x80, 0x80, 0x80, 0x80, 0x10, 0x61]],
      ['a sub-message longer than the input', [0x1a, 0x05, 0x0a, 0x01, 0x61]],
      ['a field of the sub-message running past its end', [0x1a, 0x02, 0x0a, 0x05, 0x61, 0x62, 0x63, 0x64, 0x65]],
      ['a known field with the wrong wire type', [0x0a, 0x01, 0x61]],
      ['a sub-message as a varint', [0x18, 0x01]],
      ['wire type 6', [0x7e]],
      ['wire type 7', [0x7f]],
      ['an end-group tag with no group', [0x7c]],
      ['an unterminated group', [0x7b, 0x08, 0x01]],
      ['a fixed64 cut short', [0x79, 1, 2, 3]],
      ['a fixed32 cut short', [0x7d, 1, 2]],
    ];
    for (const [what, bytes] of bad) assert.throws(() => im.Publish.decode(Uint8Array.from(bytes)), RangeError, what);
    // Packed numbers whose length runs past the message.
    assert.throws(() => im.ConversationListRequest.decode(Uint8Array.from([0x0a, 0x03, 0x01])), RangeError);
    // A packed run cut inside a number.
    assert.throws(() => im.ConversationListRequest.decode(Uint8Array.from([0x0a, 0x01, 0x80])), RangeError);
  });

  it('random garbage: refused, or read as a well-formed message, never hung on', () => {
    const r = seededRandom(42);
    let accepted = 0;
    for (const type of reflected) {
      const codec = ours(type.name);
      for (let n = 0; n < 200; n++) {
        const garbage = Uint8Array.from({ length: int(r, 64) }, () => int(r, 255));
        let decoded: Record<string, unknown>;
        try {
          decoded = codec.decode(garbage);
        } catch (error) {
          assert.ok(error instanceof RangeError, `${type.name}: ${(error as Error)?.message}`);
          continue;
        }
        accepted++;
        assertDefaults(type, decoded);
        // What was read is a message of the type: it re-encodes, and reads back the same in both codecs.
        const again = codec.encode(decoded).finish();
        assert.deepEqual(view(type, codec.decode(again)), view(type, decoded));
        assert.deepEqual(theirView(type, again), view(type, decoded));
      }
    }
    assert.ok(accepted > 0, 'some garbage happens to be a message');
  });

  it('decodeFrame turns malformed bodies into a FrameError', () => {
    const publish = im.Publish.encode({ requestId: 9, message: { messageUid: 'm', content: new Uint8Array([1, 2, 3]), sentTime: 2 ** 53 - 1 } }).finish();
    const frame = concat(Uint8Array.of(FrameType.PUBLISH << 4), publish);
    const whole = decodeFrame(frame);
    assert.ok(whole.ok);
    for (let cut = 2; cut < frame.length; cut++) {
      const result = decodeFrame(frame.subarray(0, cut));
      if (result.ok) continue; // a cut between fields is a shorter, valid body
      assert.ok(result.error instanceof FrameError);
    }
    assert.equal(decodeFrame(frame.subarray(0, frame.length - 1)).ok, false, 'the last byte cut');
    const r = seededRandom(7);
    for (let n = 0; n < 2000; n++) {
      const garbage = Uint8Array.from({ length: 1 + int(r, 40) }, () => int(r, 255));
      const result = decodeFrame(garbage);
      if (!result.ok) assert.ok(result.error instanceof FrameError);
    }
  });
});
