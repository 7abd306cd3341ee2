// Types of wire.js, the runtime of the generated codec (plain JavaScript, so that the generated
// im.js runs in Node without a TypeScript loader, as bench/abuse.mjs uses it).

/**
 * What `encode` returns: the bytes, protobufjs-style. They are a view into a slab shared with
 * other messages (mind `byteOffset` when using `.buffer`).
 */
export interface Writer {
  finish(): Uint8Array;
}

/** A message type: a class whose instances are the decoded messages, with its codec. */
export interface MessageType<T = object> {
  new (properties?: object): T;
  /** Encodes the fields that are set (`!= null` and own properties) in field-number order. */
  encode(message: object): Writer;
  /** Decodes; throws a RangeError on truncated or malformed input. */
  decode(bytes: Uint8Array): T;
}

/** Builds the message types of a schema from their field tables (see wire.js), by name. */
export function types(tables: Record<string, string>): Record<string, MessageType>;
