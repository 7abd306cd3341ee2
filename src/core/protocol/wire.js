/**
 * The protobuf wire format, table-driven: the hand-written runtime (types in wire.d.ts) of the
 * generated codec in generated/im.js (made by scripts/gen-proto.mjs from im.proto). One generic encoder and one
 * generic decoder walk a field table per message type, so the codec costs the same few hundred
 * bytes whatever the schema's size, and nothing here needs `eval` (strict CSP).
 *
 * Compatible with protobufjs's static code, byte for byte:
 * - a singular field is written when it is `!= null` and an own property, in field-number
 *   order, even when it holds the default; a repeated field when it is non-empty (numbers packed);
 * - decoded objects are instances of the type, its defaults on the prototype (0, '', false, an
 *   empty Uint8Array, null for a message, a frozen [] for a repeated field), the fields present
 *   on the wire as own properties; 64-bit integers are plain numbers; bytes are views into the input.
 * Decoding skips unknown fields of every wire type, reads packed and unpacked repeated numbers,
 * and throws on truncated or malformed input (a read past the end of the input or of the
 * enclosing message, an over-long varint, a known field with the wrong wire type).
 *
 * Field table (what the generator emits per message): fields separated by ',', each
 * `name kind` or `name kind number` (the number is omitted when it is the previous one plus one,
 * starting at 1). `kind` is u (uint32), i (int32, enums), l (int64), L (uint64), b (bool),
 * s (string), y (bytes) or the name of a message type; a leading '*' makes it repeated.
 */
/**
 * @typedef {{ n: string, k: number, i: number, r: boolean, t?: Type }} Field A field: its property
 *   name, kind (0 uint32, 1 int32, 2 int64, 3 uint64, 4 bool, 5 string, 6 bytes, 7 message; the
 *   index in KINDS), number, whether it is repeated, and the message type of kind 7.
 * @typedef {{ C: Function, f: Field[], by: Field[] }} Type A message type: its class, its fields
 *   in field-number order and by field number.
 */

const KINDS = 'uilLbsy';
const MAX_DEPTH = 100;
const hasOwn = Object.prototype.hasOwnProperty;
const utf8In = new TextEncoder();
const utf8Out = new TextDecoder('utf-8', { ignoreBOM: true });

/** Builds the message types of a schema from their field tables (see above), by name. */
export function types(tables) {
  const all = {};
  const meta = [];
  for (const name in tables) {
    // Copies the properties given (as protobufjs's constructors do); defaults are on the prototype.
    const C = function (properties) {
      if (properties)
        for (const key of Object.keys(properties))
          if (properties[key] != null && key !== '__proto__')
            this[key] = properties[key];
    };
    Object.defineProperty(C, 'name', { value: name });
    const type = { C, f: [], by: [] };
    C.encode = (message) => {
      const start = at;
      writeMessage(type, message);
      const bytes = out.subarray(start, at);
      if (at > POOL - 1024)
        (out = new Uint8Array(POOL)), (at = 0);
      return { finish: () => bytes };
    };
    C.decode = (bytes) => {
      input = bytes;
      pos = 0;
      end = bytes.length;
      return readMessage(type, end, 0);
    };
    all[name] = C;
    meta.push(type);
  }
  Object.keys(tables).forEach((name, index) => {
    const type = meta[index];
    let number = 0;
    for (const spec of tables[name].split(',')) {
      const [n, kind, explicit] = spec.split(' ');
      const r = kind[0] === '*';
      const k = KINDS.indexOf(kind.slice(+r));
      const field = { n, k: k < 0 ? 7 : k, i: number = explicit ? +explicit : number + 1, r };
      if (k < 0)
        field.t = meta[Object.keys(tables).indexOf(kind.slice(+r))];
      type.f.push(field);
      type.by[field.i] = field;
      type.C.prototype[n] = r ? EMPTY : k < 0 ? null : k > 5 ? new Uint8Array(0) : k > 4 ? '' : k > 3 ? false : 0;
    }
  });
  return all;
}

/** The default of a repeated field (protobufjs's util.emptyArray). */
const EMPTY = Object.freeze([]);

// ---- encoding: into a slab, as protobufjs does in browsers (Node's Buffer pool alike) ----
// An ArrayBuffer per message costs more than the encoding: each message is written after the
// last one in a shared slab and returned as a view of it; a full slab is left to the views
// that hold it, and a new one started.

const POOL = 8192;

let out = new Uint8Array(POOL);
let at = 0;

/** Makes room for `bytes` more bytes. */
function room(bytes) {
  if (at + bytes > out.length) {
    const bigger = new Uint8Array(Math.max(out.length * 2, at + bytes));
    bigger.set(out.subarray(0, at));
    out = bigger;
  }
}

function writeVarint32(value) {
  while (value > 127) {
    out[at++] = (value & 127) | 128;
    value >>>= 7;
  }
  out[at++] = value;
}

/** A number as a 64-bit two's-complement varint (as protobufjs's LongBits.fromNumber). */
function writeVarint64(value) {
  const negative = value < 0;
  if (negative)
    value = -value;
  let lo = value >>> 0;
  let hi = ((value - lo) / 4294967296) >>> 0;
  if (negative) {
    hi = ~hi >>> 0;
    lo = ~lo >>> 0;
    if (++lo > 4294967295) {
      lo = 0;
      hi = (hi + 1) >>> 0;
    }
  }
  while (hi) {
    out[at++] = (lo & 127) | 128;
    lo = ((lo >>> 7) | (hi << 25)) >>> 0;
    hi >>>= 7;
  }
  writeVarint32(lo);
}

/** Writes the length of what follows `start + 1` into the byte reserved at `start`. */
function writeLength(start) {
  const length = at - start - 1;
  if (length > 127) {
    let extra = 0;
    for (let rest = length >>> 7; rest; rest >>>= 7)
      extra++;
    room(extra);
    out.copyWithin(start + 1 + extra, start + 1, at);
    at = start;
    writeVarint32(length);
    at += length;
  }
  else {
    out[start] = length;
  }
}

function writeMessage(type, message) {
  for (const field of type.f) {
    const value = message[field.n];
    if (field.r) {
      const values = value;
      if (values == null || !values.length)
        continue;
      if (field.k < 5) {
        room(6);
        writeVarint32(((field.i << 3) | 2) >>> 0);
        const start = at++;
        for (const item of values)
          writeValue(field, item);
        writeLength(start);
      }
      else {
        for (const item of values) {
          room(6);
          writeVarint32(((field.i << 3) | 2) >>> 0);
          writeValue(field, item);
        }
      }
    }
    else if (value != null && hasOwn.call(message, field.n)) {
      room(6);
      writeVarint32(((field.i << 3) | (field.k < 5 ? 0 : 2)) >>> 0);
      writeValue(field, value);
    }
  }
}

function writeValue(field, value) {
  room(11);
  switch (field.k) {
    case 0:
      return writeVarint32(value >>> 0);
    case 1:
      return value < 0 ? writeVarint64(value) : writeVarint32(value >>> 0);
    case 2:
    case 3:
      return writeVarint64(value);
    case 4:
      out[at++] = value ? 1 : 0;
      return;
    case 5: {
      const text = value;
      room(text.length * 3 + 1);
      const start = at++;
      let i = 0;
      for (let code; i < text.length && (code = text.charCodeAt(i)) < 128; i++)
        out[at++] = code;
      if (i < text.length)
        at += utf8In.encodeInto(i ? text.slice(i) : text, out.subarray(at)).written;
      return writeLength(start);
    }
    case 6: {
      const bytes = value;
      room(bytes.length + 5);
      writeVarint32(bytes.length);
      out.set(bytes, at);
      at += bytes.length;
      return;
    }
    default: {
      const start = at++;
      writeMessage(field.t, value);
      writeLength(start);
    }
  }
}

// ---- decoding ----

let input = out;
let pos = 0;

/** Where reading stops: the end of the input or of the message being read. */
let end = 0;

/** The high 32 bits of the last varint read. */
let high = 0;

function fail(what) {
  throw new RangeError(`${what} at byte ${pos}`);
}

function readByte() {
  if (pos >= end)
    fail('read past the end');
  return input[pos++];
}

/** Reads a varint of up to 10 bytes: returns its low 32 bits (as an int32), leaves the high in `high`. */
function readVarint() {
  let byte = readByte();
  let lo = byte & 127;
  high = 0;
  if (byte < 128)
    return lo;
  for (let shift = 7; shift < 28; shift += 7) {
    byte = readByte();
    lo |= (byte & 127) << shift;
    if (byte < 128)
      return lo;
  }
  byte = readByte();
  lo |= byte << 28;
  let hi = (byte & 127) >> 4;
  if (byte < 128)
    return (high = hi), lo;
  for (let shift = 3; shift < 32; shift += 7) {
    byte = readByte();
    hi |= (byte & 127) << shift;
    if (byte < 128)
      return (high = hi), lo;
  }
  return fail('varint over 10 bytes');
}

/** Reads a length and checks that that many bytes follow. */
function readLength() {
  const length = readVarint() >>> 0;
  if (high || length > end - pos)
    fail('length past the end');
  return length;
}

function skip(wireType) {
  switch (wireType) {
    case 0:
      readVarint();
      return;
    case 1:
      pos += 8;
      break;
    case 2: {
      const length = readLength();
      pos += length;
      break;
    }
    case 3:
      // A group: skip fields up to its end tag.
      for (let wire; (wire = readVarint() & 7) !== 4;)
        skip(wire);
      break;
    case 5:
      pos += 4;
      break;
    default:
      fail(`wire type ${wireType}`);
  }
  if (pos > end)
    fail('read past the end');
}

function readMessage(type, stop, depth) {
  if (depth > MAX_DEPTH)
    fail('nesting too deep');
  const message = new type.C();
  const outer = end;
  end = stop;
  while (pos < stop) {
    const tag = readVarint() >>> 0;
    const wireType = tag & 7;
    const field = type.by[tag >>> 3];
    if (!field) {
      skip(wireType);
      continue;
    }
    if (field.r) {
      let values = message[field.n];
      if (!values.length)
        values = message[field.n] = [];
      if (wireType === 2 && field.k < 5) {
        // Packed numbers.
        const packedEnd = readLength() + pos;
        end = packedEnd;
        while (pos < packedEnd)
          values.push(readValue(field, depth));
        end = stop;
        continue;
      }
      if (wireType !== (field.k < 5 ? 0 : 2))
        fail(`wire type ${wireType} for field ${field.i}`);
      values.push(readValue(field, depth));
    }
    else {
      if (wireType !== (field.k < 5 ? 0 : 2))
        fail(`wire type ${wireType} for field ${field.i}`);
      message[field.n] = readValue(field, depth);
    }
  }
  end = outer;
  return message;
}

function readValue(field, depth) {
  switch (field.k) {
    case 0:
      return readVarint() >>> 0;
    case 1:
      return readVarint() | 0;
    case 2:
    case 3: {
      const lo = readVarint() >>> 0;
      // Signed and negative: the two's complement.
      return field.k === 2 && high >>> 31 ? -((~high >>> 0) * 4294967296 + (~lo >>> 0) + 1) : (high >>> 0) * 4294967296 + lo;
    }
    case 4:
      return readVarint() !== 0;
    case 5: {
      const length = readLength();
      const start = pos;
      pos += length;
      // A Node.js Buffer (the server's frames): its own decoder is the fastest.
      if (input.utf8Slice)
        return input.utf8Slice(start, pos);
      if (length < 24) {
        let text = '';
        for (let i = start; i < pos; i++) {
          const code = input[i];
          if (code > 127)
            return utf8Out.decode(input.subarray(start, pos));
          text += String.fromCharCode(code);
        }
        return text;
      }
      return utf8Out.decode(input.subarray(start, pos));
    }
    case 6: {
      const length = readLength();
      return input.subarray(pos, (pos += length));
    }
    default: {
      const length = readLength();
      return readMessage(field.t, pos + length, depth + 1);
    }
  }
}
