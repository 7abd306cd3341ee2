import { im } from './generated/im.js';
import { ErrorCode, FrameType, QoS } from './codes.js';

/** Version carried in CONNECT; the server refuses others with RC_CONN_PROTO_VERSION_ERROR. */
export const PROTOCOL_VERSION = 1;

/** Largest frame either side accepts (header byte included). */
export const MAX_FRAME_BYTES = 256 * 1024;

/**
 * Largest body of a QUERYACK that still fits in MAX_FRAME_BYTES: the header byte, requestId,
 * code and the body's own tag and length take at most 22 bytes.
 */
export const MAX_QUERY_BODY_BYTES = MAX_FRAME_BYTES - 32;

/**
 * Largest message content (the seed's 128 KB limit). A message at this limit, with every other
 * field at its largest, takes about half a frame in any answer that carries it (a page, a
 * conversation's latest message, a push): whatever the server accepts can be delivered.
 */
export const MAX_CONTENT_BYTES = 128 * 1024;

export interface FrameFlags {
  dup?: boolean;
  qos?: QoS;
  retain?: boolean;
}

/** Frame body by frame type; PINGREQ/PINGRESP have none. */
interface BodyByType {
  [FrameType.CONNECT]: im.IConnect;
  [FrameType.CONNACK]: im.IConnAck;
  [FrameType.PUBLISH]: im.IPublish;
  [FrameType.PUBACK]: im.IPubAck;
  [FrameType.QUERY]: im.IQuery;
  [FrameType.QUERYACK]: im.IQueryAck;
  [FrameType.QUERYCON]: im.IQueryCon;
  [FrameType.PINGREQ]: undefined;
  [FrameType.PINGRESP]: undefined;
  [FrameType.DISCONNECT]: im.IDisconnect;
}

export type KnownFrameType = keyof BodyByType;

export type Frame = {
  [T in KnownFrameType]: { type: T; body: BodyByType[T] } & FrameFlags;
}[KnownFrameType];

/** A decoded frame: the bodies are the generated classes, whose fields always have values. */
export type DecodedFrame = {
  [T in KnownFrameType]: { type: T; body: BodyByType[T]; dup: boolean; qos: QoS; retain: boolean };
}[KnownFrameType];

interface Codec {
  encode(message: object, writer?: unknown): { finish(): Uint8Array };
  decode(reader: Uint8Array): object;
}

const codecs: Partial<Record<KnownFrameType, Codec>> = {
  [FrameType.CONNECT]: im.Connect as unknown as Codec,
  [FrameType.CONNACK]: im.ConnAck as unknown as Codec,
  [FrameType.PUBLISH]: im.Publish as unknown as Codec,
  [FrameType.PUBACK]: im.PubAck as unknown as Codec,
  [FrameType.QUERY]: im.Query as unknown as Codec,
  [FrameType.QUERYACK]: im.QueryAck as unknown as Codec,
  [FrameType.QUERYCON]: im.QueryCon as unknown as Codec,
  [FrameType.DISCONNECT]: im.Disconnect as unknown as Codec,
};

const bodiless = new Set<number>([FrameType.PINGREQ, FrameType.PINGRESP]);

export function encodeHeader(type: number, flags: FrameFlags = {}): number {
  return ((type & 15) << 4) | (flags.dup ? 8 : 0) | (((flags.qos ?? 0) & 3) << 1) | (flags.retain ? 1 : 0);
}

export function decodeHeader(byte: number): { type: number; dup: boolean; qos: QoS; retain: boolean } {
  return { type: (byte >> 4) & 15, dup: (byte & 8) !== 0, qos: ((byte & 6) >> 1) as QoS, retain: (byte & 1) !== 0 };
}

export function encodeFrame(frame: Frame): Uint8Array {
  const header = encodeHeader(frame.type, frame);
  const codec = codecs[frame.type];
  const body = codec && frame.body ? codec.encode(frame.body).finish() : new Uint8Array(0);
  const bytes = new Uint8Array(1 + body.length);
  bytes[0] = header;
  bytes.set(body, 1);
  return bytes;
}

/** Why a byte string is not a frame; `code` is an ErrorCode. */
export class FrameError extends Error {
  override readonly name = 'FrameError';
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

export type DecodeResult = { ok: true; frame: DecodedFrame } | { ok: false; error: FrameError };

/**
 * Decodes one frame. Total: every input yields a frame or a FrameError, nothing is thrown, and
 * nothing larger than `maxBytes` is looked at (protobuf can only slice within the input).
 */
export function decodeFrame(input: Uint8Array, maxBytes = MAX_FRAME_BYTES): DecodeResult {
  if (!(input instanceof Uint8Array)) return fail(ErrorCode.RC_MSG_DATA_INCOMPLETE, 'frame is not binary');
  if (input.length === 0) return fail(ErrorCode.RC_MSG_DATA_INCOMPLETE, 'empty frame');
  if (input.length > maxBytes) {
    return fail(ErrorCode.PARAMETER_ERROR, `frame of ${input.length} bytes exceeds ${maxBytes}`);
  }
  const { type, dup, qos, retain } = decodeHeader(input[0]!);
  const body = input.subarray(1);
  if (bodiless.has(type)) {
    if (body.length !== 0) return fail(ErrorCode.RC_MSG_DATA_INCOMPLETE, `frame type ${type} carries no body`);
    return { ok: true, frame: { type, body: undefined, dup, qos, retain } as DecodedFrame };
  }
  const codec = codecs[type as KnownFrameType];
  if (!codec) return fail(ErrorCode.RC_MSG_DATA_INCOMPLETE, `unknown frame type ${type}`);
  try {
    return { ok: true, frame: { type, body: codec.decode(body), dup, qos, retain } as DecodedFrame };
  } catch (error) {
    return fail(ErrorCode.RC_MSG_DATA_INCOMPLETE, `malformed body of frame type ${type}: ${(error as Error)?.message}`);
  }
}

function fail(code: number, message: string): DecodeResult {
  return { ok: false, error: new FrameError(code, message) };
}

/** Encodes one query/result body with the generated codec of its topic. */
export function encodeBody<T extends object>(codec: { encode(m: T): { finish(): Uint8Array } }, message: T): Uint8Array {
  return codec.encode(message).finish();
}

/** Decodes a query/result body; a malformed body yields a FrameError instead of throwing. */
export function decodeBody<T>(codec: { decode(r: Uint8Array): T }, bytes: Uint8Array): T | FrameError {
  try {
    return codec.decode(bytes);
  } catch (error) {
    return new FrameError(ErrorCode.RC_MSG_DATA_INCOMPLETE, `malformed body: ${(error as Error)?.message}`);
  }
}
