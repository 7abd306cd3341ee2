/**
 * The long-polling envelope: frames concatenated in one HTTP body, each preceded by its length
 * as an unsigned LEB128 varint (protobuf's varint: 7 bits a byte, low bits first, high bit =
 * "more"). Used by the client's LongPollTransport and the server's /im/poll endpoint alike.
 */

/** A length needs at most this many varint bytes (lengths are capped far below 2^35). */
export const MAX_VARINT_BYTES = 5;

/** Appends the varint of `value` (a non-negative safe integer below 2^35) to `out`. */
function writeVarint(value: number, out: number[]): void {
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest % 0x80) | 0x80);
    rest = Math.floor(rest / 0x80);
  }
  out.push(rest);
}

/** Encodes one varint. */
export function encodeVarint(value: number): Uint8Array<ArrayBuffer> {
  if (!Number.isSafeInteger(value) || value < 0 || value >= 2 ** 35) throw new RangeError(`varint out of range: ${value}`);
  const out: number[] = [];
  writeVarint(value, out);
  return Uint8Array.from(out);
}

/** Concatenates `frames`, each preceded by its varint length. */
export function encodeLengthPrefixed(frames: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const prefixes = frames.map((frame) => encodeVarint(frame.length));
  let size = 0;
  for (let i = 0; i < frames.length; i++) size += prefixes[i]!.length + frames[i]!.length;
  const body = new Uint8Array(size);
  let offset = 0;
  for (let i = 0; i < frames.length; i++) {
    body.set(prefixes[i]!, offset);
    offset += prefixes[i]!.length;
    body.set(frames[i]!, offset);
    offset += frames[i]!.length;
  }
  return body;
}

/** The bytes a frame of `length` bytes takes in the envelope. */
export function prefixedSize(length: number): number {
  let bytes = 1;
  for (let rest = length; rest >= 0x80; rest = Math.floor(rest / 0x80)) bytes++;
  return bytes + length;
}

export type EnvelopeResult = { ok: true; frames: Uint8Array[] } | { ok: false; error: string };

/**
 * Splits an envelope into frames (views into `body`, not copies). Total: malformed input
 * (a truncated or over-long varint, a length past the end, a frame over `maxFrameBytes`)
 * yields an error, never a throw. An empty body is zero frames. A zero-length frame is
 * returned as is (the frame decoder refuses it).
 */
export function decodeLengthPrefixed(body: Uint8Array, maxFrameBytes: number, maxFrames = Infinity): EnvelopeResult {
  const frames: Uint8Array[] = [];
  let offset = 0;
  while (offset < body.length) {
    let length = 0;
    let scale = 1;
    let bytes = 0;
    for (;;) {
      if (offset >= body.length) return { ok: false, error: 'truncated length prefix' };
      if (bytes === MAX_VARINT_BYTES) return { ok: false, error: 'length prefix too long' };
      const byte = body[offset++]!;
      bytes++;
      length += (byte & 0x7f) * scale;
      scale *= 0x80;
      if ((byte & 0x80) === 0) break;
    }
    if (length > maxFrameBytes) return { ok: false, error: `frame of ${length} bytes exceeds ${maxFrameBytes}` };
    if (offset + length > body.length) return { ok: false, error: 'frame runs past the end of the body' };
    if (frames.length >= maxFrames) return { ok: false, error: `more than ${maxFrames} frames` };
    frames.push(body.subarray(offset, offset + length));
    offset += length;
  }
  return { ok: true, frames };
}
